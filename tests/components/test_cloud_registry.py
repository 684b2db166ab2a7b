"""The cloud registry: a fourth cloud plugs in through the registry alone; every registered cloud builds
every capability or declares why not; what a cloud lacks is declared with the feature enum."""

from __future__ import annotations

import inspect
import re
import textwrap

import pulumi
import pytest

from components.capabilities import CAPABILITIES
from components.cloud import CloudFeature, CloudFeatureUnsupported, CloudProvider, TagRules
from components.component import PlatformComponent
from components.registry import CLOUDS, UnknownCloud, cloud_of
from components.spec import SpecError, parse_spec
from components.spec.vector_limits import CloudVectorLimits


# -- a fourth cloud, defined here and registered through the registry only ---------------------------------
class AcmeBase(PlatformComponent):
    CLOUD, COMPONENT = "acme", "Base"

    def __init__(self, name, ctx, opts=None):
        super().__init__(name, opts)
        self.bucket = pulumi.CustomResource(
            "acme:storage:Bucket", ctx.name("artifacts"), {"labels": ctx.tags()}, opts=ctx.stateful(self)
        )
        self.finish({"artifacts_bucket": self.bucket.id})


class AcmeBudget(PlatformComponent):
    CLOUD, COMPONENT = "acme", "Budget"

    def __init__(self, name, ctx, base, budget, opts=None):
        super().__init__(name, opts)
        resource = pulumi.CustomResource(
            "acme:billing:Budget", ctx.name("budget"),
            {"amount": budget.monthly_usd, "bucket": base.bucket.id}, opts=ctx.child(self),
        )
        self.finish({"budget_id": resource.id})


class AcmeCloud(CloudProvider):
    name = "acme"
    display_name = "Acme"
    provider_package = "acme"
    region_pattern = re.compile(r"^acme-[a-z]+-\d$")
    region_example = "acme-east-1"
    metro_regions = {"us-east": "acme-east-1"}

    def base_component(self):
        return AcmeBase

    def capability_components(self):
        return {"budget": AcmeBudget}

    def unsupported_capabilities(self):
        return {key: "Acme has no such service" for key in
                ("training", "feature_store", "registry", "endpoints", "vector_search")}

    def unsupported_features(self):
        return {CloudFeature.ENDPOINT_SCALE_TO_ZERO: "Acme endpoints keep one replica"}

    def tag_rules(self):
        return TagRules(kind="labels", max_tags=10, normalise_key=lambda k, f: k.lower(),
                        normalise_value=lambda v, f: v)

    def vector_limits(self):
        return CloudVectorLimits(cloud="acme", service="Acme Vectors", max_dimensions=8, metrics={"cosine": "cos"},
                                 source="acme.example/docs")


@pytest.fixture
def acme():
    cloud = CLOUDS.register(AcmeCloud())
    yield cloud
    CLOUDS.unregister("acme")


SPEC = textwrap.dedent("""\
    name: shop
    environment: dev
    cloud: acme
    region: acme-east-1
    finops: {cost_center: cc-1, owner: ml@example.com, team: ml}
    budget: {monthly_usd: 500, notify: [finops@example.com]}
    endpoints:
      - {name: scorer, compute: cpu, max_replicas: 2}
    """)


def test_a_fourth_cloud_plans_offline_through_the_registry_alone(acme, tmp_path):
    from mlplat.offline_plan import plan_file

    path = tmp_path / "acme.yaml"
    path.write_text(SPEC)
    plan = plan_file(path)
    types = {r.type: r for r in plan.resources}
    assert {"mlplat:acme:Base", "mlplat:acme:Budget", "acme:storage:Bucket", "acme:billing:Budget"} <= set(types)
    assert types["acme:billing:Budget"].inputs["amount"] == 500
    assert types["acme:billing:Budget"].capability == "budget"
    assert types["acme:storage:Bucket"].inputs["labels"]["platform"] == "shop"
    # The endpoint the cloud does not build is a gap with the cloud's own reason, never skipped silently;
    # the scale-to-zero gap comes from the feature the cloud declares it lacks.
    gaps = {(g["capability"], g["gap"]) for g in plan.gaps}
    assert ("endpoints", "Acme has no such service") in gaps
    assert any(c == "endpoints" and "Acme endpoints keep one replica" in g for c, g in gaps)
    assert plan.spec["endpoints"][0]["min_replicas"] == 1


def test_the_spec_asks_the_registered_cloud(acme):
    raw = {"name": "shop", "environment": "dev", "cloud": "acme", "region": "us-east-1",
           "finops": {"cost_center": "c", "owner": "o@example.com", "team": "t"}}
    with pytest.raises(SpecError) as error:
        parse_spec(raw, "s.yaml")
    assert error.value.lines == ["s.yaml: region: 'us-east-1' is not a region name on acme (for example 'acme-east-1')"]
    # Rendering an AWS spec on acme moves the region through the shared metro area.
    spec = parse_spec({**raw, "cloud": "aws"}, "s.yaml", cloud="acme")
    assert (spec.cloud, spec.region) == ("acme", "acme-east-1")


def test_an_unregistered_cloud_is_refused_with_the_registered_names():
    raw = {"name": "shop", "environment": "dev", "cloud": "acme", "region": "r",
           "finops": {"cost_center": "c", "owner": "o@example.com", "team": "t"}}
    with pytest.raises(SpecError) as error:
        parse_spec(raw, "s.yaml")
    assert error.value.lines == ["s.yaml: cloud: Input should be 'aws', 'azure' or 'gcp'"]
    with pytest.raises(UnknownCloud, match="known: aws, azure, gcp"):
        cloud_of("acme")


def test_registration_is_explicit_and_unique(acme):
    with pytest.raises(ValueError, match="already registered"):
        CLOUDS.register(AcmeCloud())
    with pytest.raises(TypeError):
        CLOUDS.register(object())
    assert CLOUDS.names()[:3] == ("aws", "azure", "gcp")


# -- the contract every registered cloud keeps -------------------------------------------------------------
@pytest.mark.parametrize("name", ["aws", "azure", "gcp"])
def test_every_cloud_builds_every_capability_or_declares_the_gap(name):
    cloud = cloud_of(name)
    built, declared = cloud.capability_components(), cloud.unsupported_capabilities()
    for capability in CAPABILITIES:
        assert (capability.key in built) != (capability.key in declared), (name, capability.key)
    for key, component in built.items():
        contract = next(c.contract for c in CAPABILITIES if c.key == key)
        assert issubclass(component, contract), (name, key, component)
        assert component.CLOUD == name
        assert component.COMPONENT == next(c.component for c in CAPABILITIES if c.key == key)
        parameters = list(inspect.signature(component.__init__).parameters)
        assert parameters[:4] == ["self", "name", "ctx", "base"] and parameters[-1] == "opts", (name, key)
        assert inspect.signature(component.__init__).parameters[parameters[4]].annotation in (
            contract.SPEC, contract.SPEC.__name__), (name, key)
    from components.contract import BaseLayer

    assert issubclass(cloud.base_component(), BaseLayer)


@pytest.mark.parametrize("name", ["aws", "azure", "gcp"])
def test_every_cloud_answers_the_spec_questions(name):
    cloud = cloud_of(name)
    assert cloud.region_error(cloud.region_example) is None
    assert set(cloud.metro_regions.values()) and all(cloud.region_error(r) is None for r in cloud.metro_regions.values())
    assert cloud.tag_rules().kind in ("tags", "labels")
    assert cloud.vector_limits().cloud == name


# -- features a cloud lacks ---------------------------------------------------------------------------------
def test_feature_gaps_of_the_three_clouds():
    aws, azure, gcp = cloud_of("aws"), cloud_of("azure"), cloud_of("gcp")
    assert aws.supports(CloudFeature.ENDPOINT_SCALE_TO_ZERO) and aws.supports(CloudFeature.ALARM_ROLLBACK)
    assert not aws.supports(CloudFeature.GPU_ENDPOINT_SCALE_TO_ZERO)
    for cloud in (azure, gcp):
        assert not cloud.supports(CloudFeature.ENDPOINT_SCALE_TO_ZERO)
        assert not cloud.supports(CloudFeature.ALARM_ROLLBACK)
    assert gcp.supports(CloudFeature.VECTOR_FEATURE_TYPE)
    assert not aws.supports(CloudFeature.VECTOR_FEATURE_TYPE) and not azure.supports(CloudFeature.VECTOR_FEATURE_TYPE)
    assert aws.feature_type_reason("vector") and gcp.feature_type_reason("vector") is None


def test_a_missing_feature_is_refused_with_its_reason():
    with pytest.raises(CloudFeatureUnsupported, match="azure has no endpoint scale to zero: Azure ML managed online"):
        cloud_of("azure").check_features({CloudFeature.ENDPOINT_SCALE_TO_ZERO})
    cloud_of("aws").check_features({CloudFeature.ENDPOINT_SCALE_TO_ZERO, CloudFeature.ALARM_ROLLBACK})


def test_the_scale_to_zero_gap_reads_the_declared_feature():
    class Endpoint:
        compute, canary, logging = "cpu", None, False

    assert cloud_of("gcp").scale_to_zero_blockers(Endpoint(), private=False) == [
        "Vertex AI endpoints keep at least 1 replica (scale to zero is preview only)"]
    assert cloud_of("aws").scale_to_zero_blockers(Endpoint(), private=False) == []
    assert cloud_of("aws").scale_to_zero_blockers(Endpoint(), private=True) == [
        "a private network: SageMaker serverless endpoints cannot join a VPC"]
