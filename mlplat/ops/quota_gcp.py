"""Preflight on GCP: identity (Application Default Credentials), region (Compute Engine regions.get,
status UP) and GPU quota from the region's Compute Engine quotas.

GPU quota metrics are per accelerator and region: NVIDIA_T4_GPUS, NVIDIA_L4_GPUS, NVIDIA_A100_GPUS,
NVIDIA_A100_80GB_GPUS, NVIDIA_H100_GPUS, and PREEMPTIBLE_<metric> for spot. Needed: GPUs per node x
nodes (training), one GPU per replica x max_replicas (endpoints); compared with the quota limit.
Not checked: the project-wide GPUS_ALL_REGIONS quota and Vertex AI's own per-region quotas.
"""

from __future__ import annotations

from collections import defaultdict

from .results import CheckResult, OpsError, Progress, no_progress

PLACEHOLDER_PROJECTS = {"change-me-gcp-project"}


def quota_metric(accelerator: str, spot: bool) -> str:
    """nvidia-tesla-a100 -> NVIDIA_A100_GPUS; nvidia-h100-80gb -> NVIDIA_H100_GPUS; spot: PREEMPTIBLE_..."""
    name = accelerator.lower().removeprefix("nvidia-").removeprefix("tesla-")
    if name.startswith("h100"):
        name = "h100"
    metric = f"NVIDIA_{name.upper().replace('-', '_')}_GPUS"
    return f"PREEMPTIBLE_{metric}" if spot else metric


def preflight(spec, config: dict, needs: list, progress: Progress = no_progress) -> list[CheckResult]:
    from .gcp_auth import credentials, who

    checks: list[CheckResult] = []
    progress("gcp: who am I (application default credentials)")
    try:
        creds, default_project = credentials()
    except OpsError as error:
        checks.append(CheckResult("credentials", "fail", " ".join(line.strip() for line in error.lines)))
        return checks + _skipped(needs, "no usable credentials")
    project = config.get("gcp:project") or default_project
    checks.append(CheckResult("credentials", "pass", f"{who(creds)}, project {project or '(none)'}"))
    if not project or project in PLACEHOLDER_PROJECTS:
        checks.append(CheckResult("project", "fail", "set gcp:project in the stack file to your project id"))
        return checks + _skipped(needs, "no project")
    config_region = config.get("gcp:region")
    if config_region and config_region != spec.region:
        checks.append(CheckResult("region", "fail", f"stack config gcp:region is {config_region} but the spec's region is {spec.region}; make them equal"))
        return checks + [CheckResult(f"quota {n.workload}", "skip", "region mismatch") for n in needs]

    from google.api_core import exceptions
    from google.cloud import compute_v1

    progress(f"gcp: region {spec.region} and its quotas (compute regions.get)")
    try:
        region = compute_v1.RegionsClient(credentials=creds, transport="rest").get(project=project, region=spec.region)
    except exceptions.NotFound:
        checks.append(CheckResult("region", "fail", f"{spec.region} is not a Compute Engine region of project {project}"))
        return checks + [CheckResult(f"quota {n.workload}", "skip", "unknown region") for n in needs]
    except exceptions.Forbidden as error:
        checks.append(CheckResult("region", "fail", f"permission denied reading region {spec.region} in project {project} "
                                  f"(needs compute.regions.get; is the Compute Engine API enabled?): {error.message}"))
        return checks + [CheckResult(f"quota {n.workload}", "skip", "cannot read quotas") for n in needs]
    except exceptions.GoogleAPICallError as error:
        checks.append(CheckResult("region", "fail", f"cannot read region {spec.region}: {error.code} {error.message}"))
        return checks + [CheckResult(f"quota {n.workload}", "skip", "cannot read quotas") for n in needs]
    if region.status != "UP":
        checks.append(CheckResult("region", "fail", f"{spec.region} status is {region.status}"))
    else:
        checks.append(CheckResult("region", "pass", f"{spec.region} is UP in project {project}"))

    quotas = {q.metric: q for q in region.quotas}
    by_metric: dict[str, list] = defaultdict(list)
    for need in needs:
        if not need.shape.accelerator:
            checks.append(CheckResult(f"quota {need.workload}", "warn", f"{need.shape.instance_type} has no accelerator in the catalog; not checked"))
            continue
        by_metric[quota_metric(need.shape.accelerator, need.spot)].append(need)
    for metric, group in by_metric.items():
        label = "quota " + ", ".join(n.workload for n in group)
        required = sum(n.total_gpus for n in group)
        quota = quotas.get(metric)
        if quota is None:
            checks.append(CheckResult(label, "fail", f"no {metric} quota in {spec.region}: the GPU is not offered in this region"))
            continue
        detail = (f"{required} x {group[0].shape.accelerator} GPUs needed; {metric} limit is {quota.limit:g}"
                  f" (in use: {quota.usage:g})")
        if quota.limit >= required:
            checks.append(CheckResult(label, "pass", detail))
        else:
            checks.append(CheckResult(label, "fail", detail + f": request an increase to at least {required}"))
    return checks


def _skipped(needs: list, why: str) -> list[CheckResult]:
    return [CheckResult("region", "skip", why)] + [CheckResult(f"quota {n.workload}", "skip", why) for n in needs]
