"""The floor program registers what the SDK's resource classes register: their declared properties by engine
name (every input the program sends is one of them on AWS and GCP), so the floor holds as many `Output`s."""

from __future__ import annotations

import importlib

import pytest

from benchmarks.floor_program import declared_properties, sdk_class
from tests.support.plans import reference_plan


def test_declared_properties_are_engine_names():
    from pulumi_aws.cloudwatch import MetricAlarm

    declared = declared_properties(MetricAlarm)
    assert {"arn", "name", "comparisonOperator", "evaluationPeriods", "tagsAll"} <= set(declared)
    assert not any("_" in name for name in declared)


@pytest.mark.parametrize("stack", ["aws-prod", "gcp-prod"])
def test_every_input_of_a_reference_plan_is_a_declared_property(stack):
    for resource in reference_plan(stack).custom_resources():
        if sdk_class(resource.type) is None:  # a dynamic provider's resource: no SDK class
            continue
        module, kind = sdk_class(resource.type)
        declared = set(declared_properties(getattr(importlib.import_module(module), kind)))
        assert set(resource.inputs) <= declared, (resource.type, set(resource.inputs) - declared)


def test_kubernetes_types_map_to_their_versioned_modules():
    assert sdk_class("kubernetes:core/v1:Namespace") == ("pulumi_kubernetes.core.v1", "Namespace")
    assert sdk_class("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding") == ("pulumi_kubernetes.rbac.v1", "RoleBinding")
    for module, kind in (sdk_class("kubernetes:core/v1:ResourceQuota"), sdk_class("aws:ec2/vpc:Vpc")):
        assert declared_properties(getattr(importlib.import_module(module), kind))


def test_the_floor_finds_every_planned_type_where_the_catalogue_does():
    import json

    from components.catalog.resources.sdk import sdk_module_and_class
    from tests.support.plans import ROOT

    types = {r["type"] for path in (ROOT / "tests" / "golden" / "plans").glob("*.json")
             for r in json.loads(path.read_text()) if sdk_class(r["type"]) is not None}
    assert len(types) > 100
    assert {t: sdk_class(t) for t in types} == {t: sdk_module_and_class(t) for t in types}
