"""Use-case budgets, GPU shares and replica caps: accepted when the platform can honour them, otherwise
errors that name the field."""

from __future__ import annotations

import pytest

from components.spec import SpecError, parse_spec
from mlplat.tenancy.sample import many_use_cases_spec

SOURCE = "stacks/Pulumi.tenants.yaml"
PREFIX = "mlplat:platform"


def errors(raw: dict) -> str:
    with pytest.raises(SpecError) as caught:
        parse_spec(raw, SOURCE, PREFIX)
    return "\n".join(caught.value.lines)


def test_a_use_case_carries_its_budget_gpu_share_and_replica_cap():
    spec = parse_spec(many_use_cases_spec(3), SOURCE, PREFIX)
    first = spec.use_cases[0]
    assert first.budget.monthly_usd == 2000.0 and first.budget.alert_thresholds_percent == [50, 80, 100]
    assert first.gpu_share.gpus(8) == 1 and first.max_endpoint_replicas == 4


def test_fifty_use_cases_validate():
    spec = parse_spec(many_use_cases_spec(50), SOURCE, PREFIX)
    assert len(spec.use_cases) == 50 and len(spec.endpoints) == 50


def test_a_share_beyond_the_training_capacity_is_an_error_naming_the_field():
    raw = many_use_cases_spec(2)
    raw["use_cases"][1]["gpu_share"] = {"max_gpus": 9}
    text = errors(raw)
    assert SOURCE in text and "use_cases.1.gpu_share.max_gpus" in text and "capacity of 8" in text


def test_shares_adding_up_beyond_the_capacity_are_an_error():
    raw = many_use_cases_spec(2)
    raw["use_cases"][0]["gpu_share"] = {"weight": 0.75}
    raw["use_cases"][1]["gpu_share"] = {"max_gpus": 4}
    assert "GPU shares add up to 125%" in errors(raw)


def test_a_share_needs_a_training_section_and_exactly_one_of_gpus_or_weight():
    raw = many_use_cases_spec(1)
    del raw["training"]
    assert "use_cases.0.gpu_share: there is no training section" in errors(raw)
    raw = many_use_cases_spec(1)
    raw["use_cases"][0]["gpu_share"] = {"max_gpus": 1, "weight": 0.5}
    assert "use_cases.0.gpu_share" in errors(raw)


def test_an_endpoint_above_its_use_case_replica_cap_is_an_error():
    raw = many_use_cases_spec(2)
    raw["endpoints"][1]["max_replicas"] = 5
    text = errors(raw)
    assert "endpoints.1.max_replicas" in text and "use_cases.1.max_endpoint_replicas" in text


def test_an_invalid_use_case_budget_names_the_field():
    raw = many_use_cases_spec(1)
    raw["use_cases"][0]["budget"] = {"monthly_usd": -5}
    assert "use_cases.0.budget.monthly_usd" in errors(raw)


def test_an_unknown_use_case_reference_stays_an_error_naming_the_field():
    raw = many_use_cases_spec(2)
    raw["endpoints"][0]["use_case"] = "nobody"
    assert "endpoints.0.use_case" in errors(raw)


def test_names_that_differ_only_by_hyphens_are_an_error_naming_the_field():
    raw = many_use_cases_spec(2)
    raw["use_cases"][0]["name"], raw["use_cases"][1]["name"] = "fraud-scoring", "fraudscoring"
    for group, endpoint in zip(raw["feature_store"]["feature_groups"], raw["endpoints"]):
        group["use_case"] = endpoint["use_case"] = "fraud-scoring"
    text = errors(raw)
    assert "use_cases.1.name" in text and "differ only by hyphens" in text


@pytest.mark.parametrize("cloud", ["aws", "azure", "gcp"])
def test_a_use_case_budget_without_recipients_is_planned_with_a_warning(tmp_path, cloud):
    from tests.support.plans import plan_of_spec

    raw = many_use_cases_spec(1, cloud)
    raw["use_cases"][0]["budget"]["notify"] = []
    plan = plan_of_spec(tmp_path, raw, name=f"Pulumi.{cloud}-prod")
    assert any("use case 'uc01': budget.notify is empty" in w for w in plan.warnings), plan.warnings
