"""The platform spec: the example spec (examples/fraud-ml.yaml), environment defaults, and errors that name file and field."""

from __future__ import annotations

import copy

import pytest
import yaml

from components.spec import SpecError, cloud_tags, load_spec_file, parse_spec
from components.spec.base import Cloud
from tests.support.plans import ROOT

EXAMPLE = ROOT / "examples" / "fraud-ml.yaml"
SOURCE = "stacks/Pulumi.aws-prod.yaml"
PREFIX = "mlplat:platform"


def minimal(**overrides) -> dict:
    spec = {
        "name": "demo",
        "environment": "dev",
        "cloud": "aws",
        "region": "us-east-1",
        "finops": {"cost_center": "cc-1", "owner": "owner@example.com", "team": "ml"},
    }
    spec.update(overrides)
    return spec


def error_lines(raw: dict) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_spec(raw, SOURCE, PREFIX)
    return caught.value.lines


@pytest.mark.parametrize("cloud", ["aws", "azure", "gcp"])
def test_the_example_spec_validates_unchanged_on_every_cloud(cloud):
    spec = load_spec_file(EXAMPLE, cloud=None if cloud == "aws" else cloud).spec
    assert spec.cloud.value == cloud
    assert spec.training.gpus_per_node == 8 and spec.training.spot
    assert [g.name for g in spec.feature_store.feature_groups] == ["transactions"]
    assert spec.endpoints[0].canary.weight_percent == 10


def test_prod_defaults_are_private_encrypted_and_protected():
    spec = load_spec_file(EXAMPLE).spec
    assert spec.network.private is True
    assert spec.encryption.customer_managed_keys is True
    assert spec.protect is True
    assert spec.registry.approval_required is True


def test_dev_defaults_are_cheap_and_unprotected():
    endpoints = [{"name": "scorer", "logging": False}, {"name": "logged"}]
    spec = parse_spec(minimal(endpoints=endpoints, vector_search={"dimensions": 384}), SOURCE, PREFIX)
    assert spec.protect is False
    assert spec.network.private is False
    assert spec.encryption.customer_managed_keys is False
    assert spec.endpoints[0].min_replicas == 0  # AWS serverless can serve it
    assert spec.endpoints[1].min_replicas == 1  # data capture needs instances
    assert spec.vector_search.replicas == 1 and spec.vector_search.tier == "small"


@pytest.mark.parametrize("cloud,region", [("azure", "eastus"), ("gcp", "us-central1")])
def test_dev_endpoint_default_respects_clouds_that_cannot_scale_to_zero(cloud, region):
    spec = parse_spec(minimal(cloud=cloud, region=region, endpoints=[{"name": "scorer"}]), SOURCE, PREFIX)
    assert spec.endpoints[0].min_replicas == 1


def test_explicit_values_beat_environment_defaults():
    spec = parse_spec(minimal(environment="prod", network={"private": False}, protect=False), SOURCE, PREFIX)
    assert spec.network.private is False and spec.protect is False
    assert spec.encryption.customer_managed_keys is True


def test_unknown_key_names_file_and_field():
    raw = yaml.safe_load(EXAMPLE.read_text())
    raw["training"]["gpus_per_nodes"] = 8
    lines = error_lines(raw)
    assert lines == [f"{SOURCE}: {PREFIX}.training.gpus_per_nodes: unknown key (not part of the platform spec)"]


def test_bad_value_names_file_and_field():
    raw = yaml.safe_load(EXAMPLE.read_text())
    raw["training"]["gpus_per_node"] = 0
    (line,) = error_lines(raw)
    assert line.startswith(f"{SOURCE}: {PREFIX}.training.gpus_per_node: ")


def test_several_errors_are_all_reported():
    raw = minimal(environment="qa", region="Mars", finops={"cost_center": "", "owner": "x", "team": "t"})
    fields = [line.split(": ")[1] for line in error_lines(raw)]
    assert f"{PREFIX}.environment" in fields
    assert f"{PREFIX}.finops.cost_center" in fields


def test_azure_refuses_scale_to_zero_and_suggests_one():
    (line,) = error_lines(minimal(cloud="azure", region="eastus", endpoints=[{"name": "scorer", "min_replicas": 0}]))
    assert f"{PREFIX}.endpoints.0.min_replicas" in line
    assert "cannot scale this endpoint to zero" in line and "min_replicas: 1" in line


def test_region_must_belong_to_the_cloud():
    (line,) = error_lines(minimal(cloud="gcp", region="us-east-1"))
    assert f"{PREFIX}.region" in line and "gcp" in line


def test_rendering_on_another_cloud_maps_the_region():
    spec = load_spec_file(EXAMPLE, cloud="azure").spec
    assert (spec.cloud, spec.region) == (Cloud("azure"), "eastus")


def test_undeclared_use_case_is_an_error():
    (line,) = error_lines(minimal(training={"gpu": "t4", "use_case": "nope"}))
    assert f"{PREFIX}.training.use_case" in line


class TestTags:
    def spec(self, **finops_tags):
        finops = {"cost_center": "CC-1", "owner": "ML.Platform@Example.com", "team": "ml", "tags": finops_tags}
        return parse_spec(minimal(finops=finops), SOURCE, PREFIX)

    def test_gcp_labels_are_lowercase_and_encode_email(self):
        labels = cloud_tags(self.spec(), Cloud("gcp"))
        assert labels["owner"] == "ml_platform_at_example_com"
        assert labels["cost-center"] == "cc-1"

    def test_aws_and_azure_keep_values(self):
        for cloud in (Cloud("aws"), Cloud("azure")):
            assert cloud_tags(self.spec(), cloud)["owner"] == "ML.Platform@Example.com"

    def test_keys_colliding_after_normalisation_are_an_error(self):
        raw = minimal(
            cloud="gcp",
            region="us-central1",
            finops={"cost_center": "c", "owner": "o", "team": "t", "tags": {"Data.Class": "a", "data_class": "b"}},
        )
        (line,) = error_lines(raw)
        assert f"{PREFIX}.finops.tags." in line and "data_class" in line

    def test_azure_keys_are_case_insensitive(self):
        raw = minimal(
            cloud="azure",
            region="eastus",
            finops={"cost_center": "c", "owner": "o", "team": "t", "tags": {"Project": "a", "project": "b"}},
        )
        assert "both become" in error_lines(raw)[0]

    def test_reserved_aws_prefix_is_refused(self):
        raw = minimal(finops={"cost_center": "c", "owner": "o", "team": "t", "tags": {"aws:foo": "x"}})
        assert "reserved" in error_lines(raw)[0]

    def test_mlplat_keys_cannot_be_overridden(self):
        raw = minimal(finops={"cost_center": "c", "owner": "o", "team": "t", "tags": {"environment": "x"}})
        assert f"{PREFIX}.finops.tags.environment" in error_lines(raw)[0]

    def test_use_case_tags_add_use_case_and_its_cost_center(self):
        raw = minimal(use_cases=[{"name": "fraud", "cost_center": "cc-9"}])
        spec = parse_spec(copy.deepcopy(raw), SOURCE, PREFIX)
        tags = cloud_tags(spec, use_case="fraud")
        assert tags["use-case"] == "fraud" and tags["cost-center"] == "cc-9"


def test_usage_names_only_declared_endpoints():
    (line,) = error_lines(minimal(endpoints=[{"name": "scorer"}], usage={"endpoint_requests_per_second": {"scorr": 5}}))
    assert f"{PREFIX}.usage.endpoint_requests_per_second.scorr: no endpoint named 'scorr'" in line
