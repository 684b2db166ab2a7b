"""Azure promotion: the upstream stack creates a shared Azure ML registry and grants the next
environment's platform identity read on it and pull on the serving images; nothing without promotion,
and the identity is required, named by its field."""

from __future__ import annotations

import pytest

from components.spec import SpecError, parse_spec
from tests.support.plans import one_resource, plan_of_stack, platform_document, reference_plan, resources_of

DOWNSTREAM = {"to": "prod", "principal": "11111111-2222-3333-4444-555555555555",
              "identity": "66666666-7777-8888-9999-000000000000"}
READER, ACR_PULL, REGISTRY_USER = ("acdd72a7-3385-48ef-bd42-f606fba81ae7", "7f951dda-4ed3-4680-a7ca-43fe172d538d",
                                   "1823dd4f-9b8c-4ab6-ab4e-7397a3684615")


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    def edit(platform):
        platform.update(environment="staging", promotion=DOWNSTREAM)
    return plan_of_stack(tmp_path_factory.mktemp("promotion"), "azure-prod", edit=edit)


def _grants(plan) -> dict[str, dict]:
    return {r.inputs["roleDefinitionId"].rsplit("/", 1)[1]: r.inputs
            for r in resources_of(plan, "azure-native:authorization:RoleAssignment", "promotion")}


def test_the_downstream_identity_reads_the_shared_registry_and_pulls_serving_images(plan):
    registry = one_resource(plan, "azure-native:machinelearningservices:Registry", "promotion")
    grants = _grants(plan)
    assert grants[READER]["principalId"] == DOWNSTREAM["identity"]
    assert grants[READER]["scope"].endswith("/" + registry.inputs["registryName"])
    serving = plan.outputs["registry"]["registry"]["extras"]["image_registry_id"]
    assert grants[ACR_PULL]["principalId"] == DOWNSTREAM["identity"] and grants[ACR_PULL]["scope"] == serving
    assert set(grants) == {READER, ACR_PULL, REGISTRY_USER}


def test_the_upstream_identity_publishes_and_the_registry_is_protected(plan):
    registry = one_resource(plan, "azure-native:machinelearningservices:Registry", "promotion")
    assert _grants(plan)[REGISTRY_USER]["principalId"] != DOWNSTREAM["identity"]
    assert registry.protect  # on the staging stack: prod deploys from it
    assert registry.inputs["publicNetworkAccess"] == "Disabled"  # the prod reference stack is private


def test_no_promotion_no_registry_nor_grant():
    assert not [r for r in reference_plan("azure-prod").resources if r.capability == "promotion"]


@pytest.mark.parametrize("identity, expected", [(None, "required on Azure"), ("me", "'me' is not an Azure object id")])
def test_the_downstream_identity_is_named_by_its_field(identity, expected):
    document = platform_document("azure-prod")
    document.update(environment="staging", promotion={k: v for k, v in {**DOWNSTREAM, "identity": identity}.items() if v})
    with pytest.raises(SpecError, match=f"stack.yaml: promotion.identity: {expected}"):
        parse_spec(document, "stack.yaml")


def test_other_clouds_refuse_an_identity():
    document = platform_document("aws-prod")
    document.update(environment="staging", promotion={"to": "prod", "principal": "210987654321", "identity": DOWNSTREAM["identity"]})
    with pytest.raises(SpecError, match="stack.yaml: promotion.identity: AWS promotion grants name"):
        parse_spec(document, "stack.yaml")


def test_the_next_environment_deploys_a_version_from_the_shared_registry(tmp_path):
    shared = "azureml://registries/loop-ml-toprod-0a1b2c/models/fraud-scorer/versions/7"

    def edit(platform):
        platform["endpoints"][0]["model"] = {"artifact": shared}
    plan = plan_of_stack(tmp_path, "azure-prod", edit=edit)
    deployments = resources_of(plan, "azure-native:machinelearningservices:OnlineDeployment", "endpoints")
    assert shared in [d.inputs["properties"]["model"] for d in deployments]
    models = resources_of(plan, "azure-native:machinelearningservices:ModelVersion", "endpoints")
    assert all(m.inputs["properties"]["modelUri"] != shared for m in models)
