"""Every physical name in every plan (six reference stacks and every example spec, each on all three
clouds) obeys the cloud's naming rules, and every count stays within the cloud's published limits."""

from __future__ import annotations

import functools

import pytest

from components.catalog.naming_rules import (
    AUTO_NAMED,
    BUDGET_NOTIFICATION_CHANNELS,
    FEATURES_PER_GROUP,
    NAMING_RULES,
    RULES_BY_TYPE,
    TAGS_PER_RESOURCE,
)
from mlplat.offline_plan.names import physical_name
from tests.support.plans import CLOUDS, REFERENCE_STACKS, ROOT, reference_plan

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SOURCES = [("stack", stack) for stack in REFERENCE_STACKS] + [("example", path.name) for path in EXAMPLES]


@functools.lru_cache(maxsize=None)
def _plan(kind: str, name: str, cloud: str):
    if kind == "stack":
        return reference_plan(name, cloud)
    from mlplat.offline_plan import plan_file

    return plan_file(ROOT / "examples" / name, cloud)


# Sections valid on one cloud only (promotion names an account, subscription or project id of that
# cloud): planned on their own cloud, from a reference stack edited like the upstream stack of a promotion;
# and a drift-triggered retraining on a reference stack whose endpoint has a drift monitor.
ONE_CLOUD = {
    "azure-prod promotion": ("azure-prod", {"environment": "staging", "promotion": {
        "to": "prod", "principal": "11111111-2222-3333-4444-555555555555",
        "identity": "66666666-7777-8888-9999-000000000000"}}),
    "azure-prod on_drift": ("azure-prod", {"retraining": [{
        "name": "on-drift", "use_case": "fraud-scoring", "on_drift": True, "endpoint": "fraud-scorer",
        "image": "example.azurecr.io/fraud/train:1"}]}),
}


@functools.lru_cache(maxsize=None)
def _one_cloud_plan(key: str):
    import tempfile
    from pathlib import Path

    from tests.support.plans import plan_of_stack

    stack, edits = ONE_CLOUD[key]
    return plan_of_stack(Path(tempfile.mkdtemp()), stack, edit=lambda platform: platform.update(edits))


def _all_plans():
    return [_plan(kind, name, cloud) for kind, name in SOURCES for cloud in CLOUDS] + [
        _one_cloud_plan(key) for key in ONE_CLOUD] + [_tenancy_plan(cloud) for cloud in CLOUDS]


def _tenancy_plan(cloud: str):
    """Several use cases with GPU shares: the only plans with per-use-case objects (GKE namespaces...)."""
    from tests.support.tenancy import tenancy_plan

    return tenancy_plan(3, cloud)


@pytest.mark.parametrize("kind, name", SOURCES)
@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_physical_name_obeys_the_cloud_naming_rules(kind, name, cloud):
    _assert_names_obey_the_rules(_plan(kind, name, cloud))


@pytest.mark.parametrize("key", sorted(ONE_CLOUD))
def test_one_cloud_sections_obey_the_naming_rules(key):
    _assert_names_obey_the_rules(_one_cloud_plan(key))


@pytest.mark.parametrize("cloud", CLOUDS)
def test_use_cases_with_gpu_shares_obey_the_naming_rules(cloud):
    _assert_names_obey_the_rules(_tenancy_plan(cloud))


def test_a_kubernetes_object_is_checked_by_its_metadata_name():
    namespaces = [r for r in _tenancy_plan("gcp").custom_resources() if r.type == "kubernetes:core/v1:Namespace"]
    assert namespaces and all(physical_name(r) == ("metadata.name", r.inputs["metadata"]["name"])
                              for r in namespaces)
    assert RULES_BY_TYPE["kubernetes:core/v1:Namespace"].problem("uc-" + "x" * 62) is not None  # 65 > 63


def _assert_names_obey_the_rules(plan):
    problems = []
    for resource in plan.custom_resources():
        found = physical_name(resource)  # the auto-name's form where the provider names it
        problem = found and RULES_BY_TYPE[resource.type].problem(found[1])
        if problem:
            problems.append(f"{resource.urn}: {found[0]}: {problem} ({RULES_BY_TYPE[resource.type].source})")
    assert not problems, "\n".join(problems)


def test_every_rule_names_a_type_and_field_some_plan_uses():
    """A rule no plan exercises would be a rule nobody checks: each must match at least one name."""
    used = {(r.type, key) for plan in _all_plans() for r in plan.custom_resources() for key in r.inputs}
    used |= {(r.type, RULES_BY_TYPE[r.type].field) for plan in _all_plans() for r in plan.custom_resources()
             if r.type in AUTO_NAMED and r.type in RULES_BY_TYPE}  # checked in their auto-named form
    used |= {(r.type, physical_name(r)[0]) for plan in _all_plans() for r in plan.custom_resources()
             if physical_name(r)}  # nested names: Kubernetes metadata.name
    stale = [f"{rule.type_token}.{rule.field}" for rule in NAMING_RULES if (rule.type_token, rule.field) not in used]
    assert not stale, stale


def test_every_rule_cites_its_source_and_scope():
    for rule in NAMING_RULES:
        assert rule.source and rule.scope and rule.characters, rule
        assert 1 <= rule.min_length <= rule.max_length, rule


def test_the_amlcompute_rule_refuses_what_azure_ml_refuses():
    rule = RULES_BY_TYPE["azure-native:machinelearningservices:Compute"]
    assert rule.problem("fraud-ml-prod-gpu") and "17 characters" in rule.problem("fraud-ml-prod-gpu")
    assert rule.problem("fraud-ml-pro-gpu") is None
    assert rule.problem("1gpu") and rule.problem("gpu-")


def test_counts_in_every_plan_stay_within_the_published_limits():
    for plan in _all_plans():
        cloud = plan.cloud
        spec = plan.spec
        for resource in plan.custom_resources():
            tags = resource.inputs.get("tags") or resource.inputs.get("labels")
            if isinstance(tags, dict):
                assert len(tags) <= TAGS_PER_RESOURCE[cloud].limit, resource.urn
            definitions = resource.inputs.get("featureDefinitions")
            if definitions is not None and cloud in FEATURES_PER_GROUP:
                assert len(definitions) <= FEATURES_PER_GROUP[cloud].limit, resource.urn
        notify = (spec.get("budget") or {}).get("notify") or []
        assert len(notify) <= BUDGET_NOTIFICATION_CHANNELS[cloud].limit, plan.source
