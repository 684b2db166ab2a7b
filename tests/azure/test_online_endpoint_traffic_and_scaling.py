"""Azure ML online endpoints in the offline plans: the endpoint is created without traffic and the traffic
setter applies the split after the deployments (again when the endpoint moves), deployments leave their
autoscaled capacity alone, GPU deployments scale on GPU utilisation, and private no-code MLflow
deployments are flagged until an image is given."""

from __future__ import annotations

import pytest

from mlplat.offline_plan import plan_stack
from tests.support.plans import STACKS_DIR, plan_of_spec, platform_document, reference_plan


DYNAMIC = "pulumi-python:dynamic:Resource"


@pytest.mark.parametrize("stack", ["azure-dev", "azure-prod"])
def test_endpoint_is_created_without_traffic_and_the_split_follows_the_deployments(stack):
    plan = reference_plan(stack)
    (endpoint,) = plan.by_type("azure-native:machinelearningservices:OnlineEndpoint")
    assert "traffic" not in endpoint.inputs["properties"]
    deployments = plan.by_type("azure-native:machinelearningservices:OnlineDeployment")
    (setter,) = [r for r in plan.by_capability("endpoints") if r.type == DYNAMIC]
    assert {d.urn for d in deployments} <= set(setter.dependencies)
    assert setter.parent == endpoint.urn
    assert setter.inputs["traffic"] == {"stable": 90, "canary": 10}
    assert setter.inputs["endpoint"] == endpoint.inputs["endpointName"]
    assert setter.inputs["workspace"] == endpoint.inputs["workspaceName"]
    assert setter.inputs["resource_group"] == endpoint.inputs["resourceGroupName"]


def test_deployment_updates_leave_the_autoscaled_capacity_alone(registrations):
    plan_stack("azure-prod", STACKS_DIR)
    deployments = [r for r in registrations.values() if r.type == "azure-native:machinelearningservices:OnlineDeployment"]
    assert len(deployments) == 2
    for request in deployments:
        assert list(request.ignoreChanges) == ["sku.capacity"], request.name


def test_the_endpoint_leaves_its_traffic_to_the_traffic_split(registrations):
    """After `pulumi refresh` azure-native copies the live traffic into the endpoint's inputs; the
    endpoint must not PUT itself without it on the next `up`."""
    plan_stack("azure-prod", STACKS_DIR)
    (endpoint,) = [r for r in registrations.values() if r.type == "azure-native:machinelearningservices:OnlineEndpoint"]
    assert set(endpoint.ignoreChanges) == {"properties.traffic", "properties.mirrorTraffic"}


def test_the_split_is_reapplied_when_the_endpoint_moves_region(tmp_path):
    def revision(raw):
        (setter,) = [r for r in plan_of_spec(tmp_path, raw, "azure").by_capability("endpoints") if r.type == DYNAMIC]
        return setter.inputs["endpoint_revision"]

    raw = platform_document("azure-dev")
    raw.pop("rag", None)  # about the endpoint: its models' region availability is checked elsewhere
    before = revision(raw)
    assert revision(raw) == before  # a fingerprint, not a timestamp
    raw["region"] = "westeurope" if raw["region"] != "westeurope" else "northeurope"
    assert revision(raw) != before


def test_gpu_endpoints_autoscale_on_gpu_utilisation(tmp_path):
    raw = platform_document("azure-dev")
    raw["endpoints"][0]["compute"] = "t4"
    raw["endpoints"][0]["model"] = {"image": "example.azurecr.io/fraud:1"}
    plan = plan_of_spec(tmp_path, raw, "azure")
    metrics = {
        rule["metricTrigger"]["metricName"]
        for setting in plan.by_type("azure-native:monitor:AutoscaleSetting")
        for rule in setting.inputs["profiles"][0]["rules"]
    }
    assert metrics == {"GpuUtilizationPercentage"}
    cpu = reference_plan("azure-dev")
    assert {
        rule["metricTrigger"]["metricName"]
        for setting in cpu.by_type("azure-native:monitor:AutoscaleSetting")
        for rule in setting.inputs["profiles"][0]["rules"]
    } == {"CpuUtilizationPercentage"}


def test_private_no_code_mlflow_deployments_are_flagged_and_an_image_clears_it(tmp_path):
    flagged = reference_plan("azure-prod").outputs["endpoints"]["fraud-scorer"]["extras"]["dependency_install"]
    assert set(flagged) == {"stable", "canary"} and all("model.image" in v for v in flagged.values())
    assert reference_plan("azure-dev").outputs["endpoints"]["fraud-scorer"]["extras"]["dependency_install"] is None
    raw = platform_document("azure-prod")
    raw["endpoints"][0]["model"] = {"image": "example.azurecr.io/fraud:1"}
    cleared = plan_of_spec(tmp_path, raw, "azure").outputs["endpoints"]["fraud-scorer"]["extras"]["dependency_install"]
    assert cleared is None
