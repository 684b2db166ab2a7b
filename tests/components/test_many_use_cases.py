"""Many use cases, each with an endpoint, a feature group, a budget and a GPU share: the spec validates, plans
on every cloud with one use-case component each, passes the policy pack (isolation included) and is costed
with the chargeback adding up to the stack total. Eight use cases in the default run; the fifty of the scale
claim (docs/tenancy.md) in the slow tier (`uv run pytest -m slow`), like the other heavy plans."""

from __future__ import annotations

import pytest

from components.spec import parse_spec
from mlplat.finops.estimate import estimate_plan
from mlplat.policy_run.results import run_policies
from mlplat.tenancy.chargeback import chargeback
from tests.support.plans import CLOUDS
from tests.support.tenancy import tenancy_plan


def check_use_cases_plan_pass_the_pack_and_are_costed(pack, cloud: str, count: int) -> None:
    plan = tenancy_plan(count, cloud)
    components = [r for r in plan.resources if r.type == f"mlplat:{cloud}:UseCase"]
    assert len(components) == count
    report = run_policies(plan, pack)
    assert [(v.policy, v.resource_name, v.message) for v in report.mandatory] == []
    estimate = estimate_plan(plan)
    assert estimate.complete
    charges = chargeback(estimate, parse_spec(plan.spec, plan.source), plan.stack)
    assert len(charges.rows) == count
    assert round(sum(r.total for r in charges.rows), 2) == charges.total == round(estimate.total(), 2)


@pytest.mark.parametrize("cloud", CLOUDS)
def test_eight_use_cases_plan_pass_the_pack_and_are_costed(pack, cloud):
    check_use_cases_plan_pass_the_pack_and_are_costed(pack, cloud, 8)


@pytest.mark.slow
@pytest.mark.parametrize("cloud", CLOUDS)
def test_fifty_use_cases_plan_pass_the_pack_and_are_costed(pack, cloud):
    check_use_cases_plan_pass_the_pack_and_are_costed(pack, cloud, 50)
