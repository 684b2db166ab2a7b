"""Plans with many use cases, and the plan's resources as the policy pack sees them."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from types import SimpleNamespace

from mlplat.tenancy.sample import many_use_cases_spec
from tests.support.plans import plan_of_spec


@functools.lru_cache(maxsize=None)
def tenancy_plan(count: int, cloud: str):
    """The offline plan of the sample spec with `count` use cases on `cloud` (cached per process)."""
    with tempfile.TemporaryDirectory() as folder:
        return plan_of_spec(Path(folder), many_use_cases_spec(count, cloud), name=f"Pulumi.{cloud}-prod")


def as_policy_resources(plan, edit=None) -> list:
    """The plan's resources shaped like the analyzer's (type, props, urn, name, parent), props copied so
    that `edit(resources)` can change them."""
    import copy

    by_urn = {}
    for r in plan.resources:
        by_urn[r.urn] = SimpleNamespace(resource_type=r.type, props=copy.deepcopy(r.inputs), urn=r.urn, name=r.name,
                                        parent=r.parent)
    for node in by_urn.values():
        node.parent = by_urn.get(node.parent)
    resources = list(by_urn.values())
    if edit is not None:
        edit(resources)
    return resources
