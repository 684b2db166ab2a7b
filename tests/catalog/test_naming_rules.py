"""Every physical name in every plan (six reference stacks and every example spec, each on all three
clouds) obeys the cloud's naming rules, and every count stays within the cloud's published limits."""

from __future__ import annotations

import functools

import pytest

from components.catalog.naming_rules import (
    BUDGET_NOTIFICATION_CHANNELS,
    FEATURES_PER_GROUP,
    NAMING_RULES,
    RULES_BY_TYPE,
    TAGS_PER_RESOURCE,
)
from tests.support.plans import CLOUDS, REFERENCE_STACKS, ROOT, reference_plan

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SOURCES = [("stack", stack) for stack in REFERENCE_STACKS] + [("example", path.name) for path in EXAMPLES]


@functools.lru_cache(maxsize=None)
def _plan(kind: str, name: str, cloud: str):
    if kind == "stack":
        return reference_plan(name, cloud)
    from mlplat.offline_plan import plan_file

    return plan_file(ROOT / "examples" / name, cloud)


def _all_plans():
    return [_plan(kind, name, cloud) for kind, name in SOURCES for cloud in CLOUDS]


@pytest.mark.parametrize("kind, name", SOURCES)
@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_physical_name_obeys_the_cloud_naming_rules(kind, name, cloud):
    plan = _plan(kind, name, cloud)
    problems = []
    for resource in plan.custom_resources():
        rule = RULES_BY_TYPE.get(resource.type)
        value = resource.inputs.get(rule.field) if rule else None
        if isinstance(value, str):
            problem = rule.problem(value)
            if problem:
                problems.append(f"{resource.urn}: {rule.field}: {problem} ({rule.source})")
    assert not problems, "\n".join(problems)


def test_every_rule_names_a_type_and_field_some_plan_uses():
    """A rule no plan exercises would be a rule nobody checks: each must match at least one name."""
    used = {(r.type, key) for plan in _all_plans() for r in plan.custom_resources() for key in r.inputs}
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
