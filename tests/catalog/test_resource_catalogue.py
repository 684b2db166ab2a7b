"""The resource catalogue: every type the reference plans create has a row, the rows agree with the installed
provider SDKs, and every fact a row states can be acted on (pricing rules exist, dynamic providers exist)."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import re

import pytest

from components.catalog import gpus
from components.catalog import resources as catalogue
from components.catalog.resources import aws_readers, azure_readers, gcp_readers
from tests.support.plans import all_reference_plans

SDK = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native", "gcp": "pulumi_gcp"}


@functools.lru_cache(maxsize=None)
def sdk_parameters(token: str) -> frozenset[str] | None:
    """The constructor parameters of the token's SDK class, imported; None when the SDK has no such class."""
    package, module, class_name = token.split(":")
    try:
        mod = importlib.import_module(f"{SDK[package]}.{module.split('/')[0]}")
    except ImportError:
        return None
    cls = getattr(mod, class_name, None)
    return frozenset(inspect.signature(cls._internal_init).parameters) if cls is not None else None


def _is_a_list(token: str, parameter: str) -> bool:
    """Whether the SDK types `parameter` as a list (Event Grid subscriptions' `labels` are plain strings, not
    key-value tags)."""
    package, module, class_name = token.split(":")
    cls = getattr(importlib.import_module(f"{SDK[package]}.{module.split('/')[0]}"), class_name)
    return "Sequence[" in str(inspect.signature(cls._internal_init).parameters[parameter].annotation)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


PROVIDER_ROWS = [(row, token) for row in catalogue.all_rows() for token in row.tokens
                 if token.split(":")[0] in SDK]


def test_every_type_of_every_reference_plan_has_a_row():
    missing = sorted({
        f"{r.type} ({r.name})" for plan in all_reference_plans() for r in plan.resources
        if r.custom and not r.type.startswith(("pulumi:", "mlplat:")) and catalogue.lookup(r.type, r.inputs) is None
    })
    assert not missing, f"types without a row in components/catalog/resources: {missing}"


@pytest.mark.parametrize("row,token", PROVIDER_ROWS, ids=[t for _, t in PROVIDER_ROWS])
def test_tag_fact_agrees_with_the_sdk_class(row, token):
    parameters = sdk_parameters(token)
    if parameters is None:
        assert token in row.aliases, f"{token}: the installed SDK has no such class"
        return  # an older spelling kept as an alias: the SDK installed has only the current one
    labels = {p for p in {"tags", "labels", "resource_labels", "user_labels"} & parameters if not _is_a_list(token, p)}
    if row.tags is None:
        assert not labels, f"{token} accepts {sorted(labels)} but its row says it is not taggable"
        return
    assert re.sub(r"(?<!^)(?=[A-Z])", "_", row.tags).lower() in parameters
    if "user_labels" in parameters:  # `labels` is configuration there (notification channels)
        assert row.tags == "userLabels"
    elif "labels" in parameters or "tags" in parameters:
        assert row.tags in ("labels", "tags")
    else:
        assert row.tags == camel(next(iter(labels)))


def test_aliases_resolve_to_their_row_and_no_token_has_two_rows():
    for row in catalogue.all_rows():
        for token in row.tokens:
            assert catalogue.lookup(token) is row


@pytest.mark.parametrize("row", [r for r in catalogue.all_rows() if r.pricing.status == catalogue.PRICED],
                         ids=lambda r: r.token)
def test_every_priced_row_names_a_pricing_rule_that_takes_its_parameters(row):
    from mlplat.finops import sku

    rule = sku.RULES.get(row.pricing.rule)
    assert rule is not None, f"{row.token}: no pricing rule {row.pricing.rule!r} in mlplat/finops/pricing_rules.py"
    inspect.signature(rule).bind(None, **row.pricing.params)


def test_free_and_usage_only_rows_say_why():
    for row in catalogue.all_rows():
        if row.pricing.status != catalogue.PRICED:
            assert row.pricing.note, row.token


def test_an_unknown_type_is_unknown_to_the_cost_model_not_free():
    from mlplat.finops.sku import Resource, classify

    resolution = classify(Resource("urn:x", "aws:newservice/thing:Thing", "x", {}))
    assert resolution.status == "unknown" and "components/catalog/resources" in resolution.note


def test_dynamic_providers_are_recognised_by_their_declared_inputs():
    seen = {}
    for plan in all_reference_plans():
        for r in plan.resources:
            if r.type == catalogue.DYNAMIC_TYPE:
                provider = catalogue.dynamic_provider(r.inputs)
                assert provider is not None, f"{r.name}: no mlplat dynamic provider declares inputs {sorted(r.inputs)}"
                seen[provider.module] = provider
    declared = {d.module for c in catalogue.clouds() for d in c.dynamic}
    assert set(seen) == declared
    for module in declared:
        assert importlib.util.find_spec(module) is not None, module
    assert catalogue.lookup(catalogue.DYNAMIC_TYPE, {"something": "else"}) is None


def test_stateful_rows_are_protected_in_the_prod_plans():
    from tests.support.plans import reference_plan

    for stack in ("aws-prod", "azure-prod", "gcp-prod"):
        stateful = [r for r in reference_plan(stack).custom_resources() if catalogue.is_stateful(r.type)]
        assert stateful and all(r.protect for r in stateful), [r.name for r in stateful if not r.protect]


@pytest.mark.parametrize("shape", [s for s in gpus.all_shapes()], ids=lambda s: f"{s.cloud}-{s.instance_type}")
def test_gpu_classes_are_read_from_the_gpu_catalog(shape):
    if shape.cloud == "aws":
        assert aws_readers.gpu_class(shape.instance_type) == shape.gpu
        if shape.sagemaker_instance_type:
            assert aws_readers.gpu_class(shape.sagemaker_instance_type) == shape.gpu
    elif shape.cloud == "azure":
        assert azure_readers.gpu_class(shape.instance_type) == shape.gpu
    else:
        node = {"machineType": shape.instance_type, "guestAccelerators": [{"type": shape.accelerator, "count": 1}]}
        assert gcp_readers.gpu_classes(node) == [shape.gpu]


def test_cpu_shapes_are_not_gpus():
    assert aws_readers.gpu_class("m5.xlarge") is None and aws_readers.gpu_class("ml.m5.xlarge") is None
    assert azure_readers.gpu_class("Standard_D4s_v5") is None
    assert gcp_readers.gpu_classes({"machineType": "n1-standard-4"}) == []
    assert gcp_readers.gpu_classes({"machineType": "e2-standard-4"}) == []


def test_every_run_time_use_names_a_catalogued_type_of_that_capability():
    # `reads`: what a type uses at run time that no input references (drawn as "reads" arrows by the diagram)
    uses = [(entry.token, place) for entry in catalogue.all_rows() for place in entry.reads]
    assert len(uses) >= 6  # the endpoint's model and the index on each of the three clouds
    for token, (capability, target) in uses:
        row = catalogue.lookup(target)
        assert row is not None, f"{token} reads {target}, which has no catalogue row"
        assert capability in row.capabilities, f"{token} reads {target} in {capability}: not in {row.capabilities}"
