"""budget-within-estimate through the real Analyzer protocol: the pack's estimate is `mlplat cost`'s (nested
inputs read through the pack's proxies), the region comes from the default provider the engine describes, and an
estimate with unpriced resources is a violation rather than a silent $0."""

from __future__ import annotations

import re

import pytest

from mlplat.finops.estimate import estimate_plan
from mlplat.offline_plan import plan_stack
from mlplat.policy_run.results import analyze, analyzer_resources, default_provider, resolve_config
from tests.support.plans import REFERENCE_STACKS, STACKS_DIR, reference_plan, write_stack


def with_budget(resources, amount: float):
    """The analyzer resources with the stack's budget resource set to `amount` USD."""
    for r in resources:
        if r.type == "aws:budgets/budget:Budget":
            r.properties = {**r.properties, "limitAmount": str(amount)}
        elif r.type == "azure-native:consumption:Budget":
            r.properties = {**r.properties, "amount": amount}
        elif r.type == "gcp:billing/budget:Budget":
            r.properties = {**r.properties, "amount": {"specifiedAmount": {"currencyCode": "USD", "units": str(amount)}}}
    return resources


def budget_messages(pack, plan, amount: float) -> list[str]:
    _, policies = pack.info()
    resources = with_budget(analyzer_resources(plan), amount)
    diagnostics = analyze(pack, resources, resolve_config(policies, {}), stack=plan.stack)
    return [d.message for d in diagnostics if d.policy_name == "budget-within-estimate"]


def dollars(text: str) -> float:
    return float(re.search(r"\$([\d,]+\.\d\d)", text).group(1).replace(",", ""))


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_policy_estimate_equals_mlplat_cost(pack, stack):
    plan = reference_plan(stack)
    expected = estimate_plan(plan)
    assert expected.complete and expected.total() > 0
    messages = budget_messages(pack, plan, 1)
    assert len(messages) == 1, messages
    assert messages[0].startswith("estimated monthly cost "), messages[0]
    assert dollars(messages[0]) == pytest.approx(round(expected.total(), 2), abs=0.01)
    assert f"{plan.spec['region']} list prices" in messages[0] and "assumed" not in messages[0]
    # Within budget: no violation.
    assert budget_messages(pack, plan, expected.total() + 1) == []


def _without_rag(platform):
    """Bedrock serves the catalogue's chat models in-region only in us-east-1 (docs/rag.md): a stack moved to
    another AWS region leaves its rag: section behind."""
    platform.pop("rag", None)


def test_region_comes_from_the_default_provider(pack, tmp_path):
    plan = plan_stack("aws-dev", write_stack(tmp_path, "aws-dev", _without_rag), region="us-east-2")
    provider = default_provider(plan)
    assert provider["type"] == "pulumi:providers:aws" and provider["properties"]["region"] == "us-east-2"
    [message] = budget_messages(pack, plan, 1)
    assert "us-east-2 list prices" in message
    assert dollars(message) == pytest.approx(round(estimate_plan(plan).total(), 2), abs=0.01)


def test_default_provider_reads_the_stack_config():
    provider = default_provider(reference_plan("gcp-dev"))
    assert provider["properties"]["region"] == "us-central1"
    assert provider["properties"]["project"] == "fraud-ml-dev-project"
    assert default_provider(reference_plan("azure-prod"))["properties"]["location"] == "eastus"
    resources = analyzer_resources(reference_plan("aws-prod"))
    assert all(r.provider for r in resources if r.type.startswith("aws:"))
    assert not any(r.provider for r in resources if r.type.startswith("mlplat:"))


# Regions outside the price catalogue where the reference stacks (incl. their RAG models, except on AWS,
# where Bedrock serves the chat models in-region only in us-east-1) still validate.
@pytest.mark.parametrize("stack,region", [("aws-dev", "eu-central-1"), ("azure-dev", "westus"), ("gcp-dev", "europe-west4")])
def test_outside_the_catalog_regions_the_policy_prices_as_the_nearest_region_and_says_so(pack, stack, region, tmp_path):
    edit = _without_rag if stack.startswith("aws-") else None
    plan = plan_stack(stack, write_stack(tmp_path, stack, edit), region=region)
    estimate = estimate_plan(plan)
    assert not estimate.unpriced and all("borrowed for" in line.ref for line in estimate.lines if line.type != "model tokens"), \
        "the catalog now covers this region: pick another"
    assert budget_messages(pack, plan, 10_000_000) == []
    [message] = budget_messages(pack, plan, 1)
    assert f"{region} priced as " in message and "nearest priced region" in message
