"""The reference stacks and their offline plans, planned once per test process."""

from __future__ import annotations

import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES_DIR = ROOT / "tests" / "fixtures"
STACKS_DIR = ROOT / "stacks"
REFERENCE_STACKS = [f"{cloud}-{env}" for cloud in ("aws", "azure", "gcp") for env in ("dev", "prod")]
CLOUDS = ("aws", "azure", "gcp")


@functools.lru_cache(maxsize=None)
def reference_plan(stack: str, cloud: str | None = None):
    """The offline plan of `stacks/Pulumi.<stack>.yaml` (optionally rendered on `cloud`), cached."""
    from mlplat.offline_plan import plan_stack

    return plan_stack(stack, STACKS_DIR, cloud)


def all_reference_plans():
    """Every reference stack on its own cloud and on the other two: 18 plans."""
    return [reference_plan(stack, cloud) for stack in REFERENCE_STACKS for cloud in CLOUDS]
