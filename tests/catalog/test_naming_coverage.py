"""Every provider type the components build that takes a physical name has a naming rule, or the provider
generates the name (the allow-list `AUTO_NAMED`, each with its reason); a violating name stops the plan with
an error naming the spec field it came from."""

from __future__ import annotations

import pytest

from components.catalog.naming_rules import AUTO_NAMED, RULES_BY_TYPE
from components.catalog.resources import all_rows
from components.catalog.resources.sdk import sdk_name_input
from components.spec import SpecError
from tests.catalog.test_naming_rules import _all_plans
from tests.support.plans import ROOT


def _built() -> dict[str, set[str]]:
    """type token -> every input key any plan sets on it."""
    built: dict[str, set[str]] = {}
    for plan in _all_plans():
        for resource in plan.custom_resources():
            built.setdefault(resource.type, set()).update(resource.inputs)
    return built


def test_every_built_type_with_a_name_input_has_a_rule_or_is_auto_named():
    missing, wrong_field = [], []
    for token, keys in sorted(_built().items()):
        field = sdk_name_input(token)
        if field is None or token in AUTO_NAMED and field not in keys:
            continue
        rule = RULES_BY_TYPE.get(token)
        if rule is None:
            missing.append(f"{token}.{field}")
        elif field != rule.field and field in keys:
            wrong_field.append(f"{token}: the plan names it by {field}, the rule checks {rule.field}")
    assert not missing, f"built types whose name input has no rule in naming_rules.py: {missing}"
    assert not wrong_field, wrong_field


def test_the_auto_named_allow_list_holds_only_types_whose_name_no_plan_sets():
    built = _built()
    stale = [t for t in AUTO_NAMED if t not in built]
    named = [t for t in AUTO_NAMED if t in built and sdk_name_input(t) in built[t]]
    assert not stale, f"allow-listed but never built: {stale}"
    assert not named, f"allow-listed as auto-named, yet a plan sets the name: {named}"
    assert all(reason for reason in AUTO_NAMED.values())


def test_every_catalogue_type_is_known_to_the_sdk_name_lookup():
    """The name lookup reads the installed SDK: a catalogue row it cannot resolve would escape the check."""
    rows = [token for row in all_rows() for token in row.tokens[:1] if not token.startswith("pulumi-python")]
    from components.catalog.resources.sdk import sdk_input_names

    unknown = [token for token in rows if sdk_input_names(token) is None]
    assert not unknown, unknown


@pytest.mark.parametrize("token, field", [
    ("azure-native:machinelearningservices:Compute", "name"),  # built from the platform name
    ("azure-native:machinelearningservices:OnlineEndpoint", "endpoints.0.name"),  # from the endpoint's name
])
def test_a_violating_name_stops_the_plan_naming_the_spec_field(monkeypatch, token, field):
    """The components keep today's names within the rules; a stricter rule stands in for a name they would
    get wrong, so the test sees the plan refuse it and name the field."""
    from components.spec import parse_cache

    monkeypatch.setattr(parse_cache, "_PARSED", type(parse_cache._PARSED)())  # parse afresh under the rule
    from dataclasses import replace

    from mlplat.offline_plan import plan_file

    monkeypatch.setitem(RULES_BY_TYPE, token, replace(RULES_BY_TYPE[token], max_length=8))
    path = ROOT / "examples" / "fraud-ml.yaml"
    with pytest.raises(SpecError) as caught:
        plan_file(path, "azure")
    lines = caught.value.lines
    assert lines and all(line.startswith(f"{path}: ") for line in lines), lines
    # The spec check (validate's) refuses it before planning: the field, the type and the patched limit.
    assert any(line.startswith(f"{path}: {field}: ") and f" {token} " in line and "-8)" in line for line in lines), lines
