"""The replacement catalogue names real provider types and real inputs of them (checked against the
installed provider SDKs), cites a source per row, and answers the diff's questions."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from components.catalog.replacement import RULES, covers, holds_data, replacing_inputs, rule_for

PACKAGES = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native", "gcp": "pulumi_gcp"}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def sdk_inputs(type_token: str) -> set[str]:
    package, module, kind = type_token.split(":")
    module_name = ".".join([PACKAGES[package], module.split("/")[0]])
    args = getattr(importlib.import_module(module_name), f"{kind}Args")
    return set(inspect.signature(args.__init__).parameters) - {"self", "__self__"}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.type)
def test_every_row_names_inputs_the_provider_sdk_has(rule):
    inputs = sdk_inputs(rule.type)
    for path in rule.replace_on:
        top = path.split(".")[0]
        assert snake(top) in inputs, f"{rule.type}: {top} is not an input of the SDK type ({sorted(inputs)})"
    assert rule.source.startswith("https://"), rule.type


def test_rows_are_unique_and_stateful_types_are_marked():
    assert len({r.type for r in RULES}) == len(RULES)
    assert holds_data("aws:sagemaker/featureGroup:FeatureGroup") and holds_data("gcp:bigquery/table:Table")
    assert not holds_data("aws:sagemaker/endpoint:Endpoint")
    assert not holds_data("aws:no/such:Type")


def test_a_path_is_covered_by_its_prefix_only():
    rule = rule_for("aws:sagemaker/featureGroup:FeatureGroup")
    assert covers(rule, "featureGroupName")
    assert covers(rule, "offlineStoreConfig.dataCatalogConfig.tableName")
    assert covers(rule, "onlineStoreConfig.enableOnlineStore")
    assert not covers(rule, "onlineStoreConfig.ttlDuration")
    assert not covers(rule, "featureGroupNameSuffix")
    batch = rule_for("aws:batch/computeEnvironment:ComputeEnvironment")
    assert covers(batch, "computeResources.instanceTypes[0]")


def test_uncovered_types_are_unknown_not_in_place():
    assert replacing_inputs("aws:no/such:Type", ["name"]) is None
    assert replacing_inputs("aws:s3/bucket:Bucket", ["tags.team"]) == []
    assert replacing_inputs("aws:s3/bucket:Bucket", ["bucket", "tags.team"]) == ["bucket"]
