"""`mlplat preflight`: before the first `up`, check credentials, region and GPU quota on the stack's cloud.

Every cloud module (`quota_aws`, `quota_azure`, `quota_gcp`) has the same entry point,
`preflight(spec, config, needs, progress) -> list[CheckResult]`, and reports problems as failed checks,
never exceptions. What the spec needs comes from the GPU catalog (`components.catalog.gpus`):

- training: `gpus_per_node` GPUs of `training.gpu` per node, times `max_nodes` (spot or on-demand);
- each GPU endpoint: one GPU of `endpoint.compute` per replica, times `max_replicas`.

Quotas are compared with the limit (what could run at the same time), not with free capacity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .results import CheckResult, Progress, no_progress


@dataclass
class GpuNeed:
    """A workload of the spec and the catalog shape it runs on."""

    workload: str  # "training" or "endpoint <name>"
    gpu: str  # the spec's GPU class
    gpus: int  # GPUs per node / replica
    count: int  # nodes / replicas at most
    spot: bool
    shape: object | None  # components.catalog.gpus.GpuShape, None when the catalog has no such shape
    problem: str = ""  # why there is no shape

    @property
    def total_gpus(self) -> int:
        return self.gpus * self.count


def gpu_needs(spec) -> list[GpuNeed]:
    """The GPU shapes of the spec's training and GPU endpoints, resolved through the GPU catalog."""
    from components.catalog.gpus import endpoint_shape, shape_for

    cloud = spec.cloud.value
    wanted: list[tuple[str, str, int, int, bool]] = []
    if spec.training is not None:
        t = spec.training
        wanted.append(("training", t.gpu, t.gpus_per_node, t.max_nodes, t.spot))
    for endpoint in spec.endpoints:
        if endpoint.compute != "cpu":
            wanted.append((f"endpoint {endpoint.name}", endpoint.compute, 1, endpoint.max_replicas, False))
    needs = []
    for workload, gpu, gpus, count, spot in wanted:
        try:
            shape = shape_for(cloud, gpu, gpus) if workload == "training" else endpoint_shape(cloud, gpu)
            problem = ""
        except (KeyError, ValueError, LookupError) as error:  # GpuOfferingError is a ValueError
            shape, problem = None, str(error).strip("'\"") or f"no {cloud} shape with {gpus} x {gpu}"
        needs.append(GpuNeed(workload, gpu, gpus, count, spot, shape, problem))
    return needs


# Registered cloud (components/registry.py) -> its preflight, `(spec, config, needs, progress) -> checks`.
# Each entry imports its module when called: the modules import the cloud's SDK.
_PREFLIGHTS: dict[str, Callable] = {}


def register_preflight(cloud: str, preflight: Callable) -> None:
    _PREFLIGHTS[cloud] = preflight


def _aws_preflight(*args):
    from .quota_aws import preflight

    return preflight(*args)


def _azure_preflight(*args):
    from .quota_azure import preflight

    return preflight(*args)


def _gcp_preflight(*args):
    from .quota_gcp import preflight

    return preflight(*args)


register_preflight("aws", _aws_preflight)
register_preflight("azure", _azure_preflight)
register_preflight("gcp", _gcp_preflight)


def run_preflight(spec, config: dict, progress: Progress = no_progress) -> list[CheckResult]:
    """All checks for the stack's cloud."""
    cloud = spec.cloud.value
    needs = gpu_needs(spec)
    checks = [
        CheckResult(f"quota {n.workload}", "fail", f"{n.gpus} x {n.gpu}: {n.problem}") for n in needs if n.shape is None
    ]
    preflight = _PREFLIGHTS.get(cloud)
    if preflight is None:
        return [CheckResult("preflight", "fail", f"no preflight checks are registered for {cloud}")] + checks
    return preflight(spec, config, [n for n in needs if n.shape is not None], progress) + checks


def passed(checks: list[CheckResult]) -> bool:
    return all(check.status != "fail" for check in checks)
