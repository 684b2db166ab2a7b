"""Specs that grow one dimension of `examples/fraud-ml.yaml`: N endpoints, or N use cases each owning an endpoint.

Used by `benchmarks/process_times.py` for the growth curve (per-resource cost) and by the heavy tests.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BASE_SPEC = ROOT / "examples" / "fraud-ml.yaml"


def _endpoint(index: int, use_case: str | None = None) -> dict:
    endpoint = {"name": f"scorer-{index:03d}", "compute": "cpu", "min_replicas": 1, "max_replicas": 4}
    if index % 2 == 0:  # half of them run a canary: the common production shape
        endpoint["canary"] = {"weight_percent": 10}
    if use_case:
        endpoint["use_case"] = use_case
    return endpoint


def grown_spec(endpoints: int = 1, use_cases: int = 0) -> dict:
    """The fraud-ml spec with `endpoints` endpoints; with `use_cases`, that many use cases, one endpoint each."""
    spec = yaml.safe_load(BASE_SPEC.read_text())
    spec.pop("usage", None)  # its per-endpoint traffic names the original endpoint only
    if use_cases:
        spec["use_cases"] = [{"name": f"team-{i:03d}", "cost_center": f"cc-{1000 + i}"} for i in range(use_cases)]
        spec["endpoints"] = [_endpoint(i, f"team-{i:03d}") for i in range(use_cases)]
    else:
        spec["endpoints"] = [_endpoint(i) for i in range(endpoints)]
    return spec


def write_grown_spec(directory: Path, endpoints: int = 1, use_cases: int = 0) -> Path:
    name = f"use-cases-{use_cases}" if use_cases else f"endpoints-{endpoints}"
    path = Path(directory) / f"{name}.yaml"
    path.write_text(yaml.safe_dump(grown_spec(endpoints, use_cases), sort_keys=False))
    return path


def write_tenancy_spec(directory: Path, use_cases: int, cloud: str = "aws") -> Path:
    """The tenancy sample (mlplat/tenancy/sample.py): `use_cases` use cases, each with its own endpoint, feature
    group, budget and GPU share."""
    from mlplat.tenancy.sample import many_use_cases_spec

    path = Path(directory) / f"tenancy-{use_cases}.yaml"
    path.write_text(yaml.safe_dump(many_use_cases_spec(use_cases, cloud), sort_keys=False))
    return path
