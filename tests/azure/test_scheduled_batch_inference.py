"""Azure batch inference: a batch endpoint and deployment of the endpoint's stable model on the training
cluster (low priority), reading and writing the platform's storage through identity-based datastores,
invoked on schedule by an Azure ML schedule whose job posts the documented invocation body."""

from __future__ import annotations

import json

import pytest

from components.spec import SpecError, parse_spec
from tests.support.plans import one_resource, plan_of_stack, platform_document, resources_of

AML = "azure-native:machinelearningservices"
BATCH = {"name": "daily-scores", "endpoint": "fraud-scorer", "input": "data/scoring/in/",
         "output": "artifacts/scoring/out/", "schedule": "30 3 * * *", "instance_count": 2}


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return plan_of_stack(tmp_path_factory.mktemp("batch"), "azure-prod", edit=lambda p: p.update(batch_inference=[BATCH]))


def test_the_deployment_scores_the_stable_model_on_the_low_priority_training_cluster(plan):
    deployment = one_resource(plan, f"{AML}:BatchDeployment", "batch_inference").inputs
    properties = deployment["properties"]
    assert properties["compute"] == plan.outputs["training"]["training"]["extras"]["compute_id"]
    stable = plan.outputs["endpoints"]["fraud-scorer"]["extras"]["model_ids"]["stable"]
    assert properties["model"] == {"referenceType": "Id", "assetId": stable}
    assert properties["resources"]["instanceCount"] == 2
    compute = one_resource(plan, f"{AML}:Compute", "training").inputs
    assert compute["properties"]["properties"]["vmPriority"] == "LowPriority"
    endpoint = one_resource(plan, f"{AML}:BatchEndpoint", "batch_inference").inputs
    assert endpoint["properties"]["authMode"] == "AADToken"
    assert endpoint["properties"]["defaults"]["deploymentName"] == deployment["deploymentName"]


def test_the_schedule_invokes_the_endpoint_on_the_platform_storage(plan):
    schedule = one_resource(plan, f"{AML}:Schedule", "batch_inference").inputs["properties"]
    assert schedule["trigger"] == {"triggerType": "Cron", "expression": "30 3 * * *", "timeZone": "UTC"}
    job = schedule["action"]["jobDefinition"]
    assert schedule["action"]["actionType"] == "CreateJob"
    assert job["computeId"] == plan.outputs["training"]["training"]["extras"]["compute_id"]
    variables = job["environmentVariables"]
    endpoint = one_resource(plan, f"{AML}:BatchEndpoint", "batch_inference").inputs
    assert variables["SCORING_URI"].startswith(f"https://{endpoint['endpointName']}.")
    assert "az rest --method post" in job["command"] and "--resource https://ml.azure.com" in job["command"]
    body = json.loads(variables["INVOCATION"])["properties"]
    stores = {r.inputs["name"]: r.inputs["properties"] for r in resources_of(plan, f"{AML}:Datastore", "batch_inference")}
    source, sink = body["InputData"]["input"], body["OutputData"]["score"]
    assert source["JobInputType"] == "UriFolder" and sink["JobOutputType"] == "UriFolder"
    assert source["Uri"] == "azureml://datastores/batch_daily_scores_data/paths/scoring/in/"
    assert sink["Uri"] == "azureml://datastores/batch_daily_scores_artifacts/paths/scoring/out/"
    account = one_resource(plan, "azure-native:storage:StorageAccount").inputs["accountName"]
    assert {name: p["containerName"] for name, p in stores.items()} == {
        "batch_daily_scores_data": "data", "batch_daily_scores_artifacts": "artifacts"}
    assert all(p["credentials"] == {"credentialsType": "None"} and p["accountName"] == account
               for p in stores.values())


def test_the_job_runs_as_the_platform_identity_allowed_to_invoke(plan):
    job = one_resource(plan, f"{AML}:Schedule", "batch_inference").inputs["properties"]["action"]["jobDefinition"]
    client_id = plan.outputs["training"]["training"]["extras"]["identity_client_id"]
    assert job["identity"] == {"identityType": "Managed", "clientId": client_id}
    grant = one_resource(plan, "azure-native:authorization:RoleAssignment", "batch_inference").inputs
    assert grant["roleDefinitionId"].endswith("/f6c7c914-8db3-469d-8ca1-694a8f32e121")
    assert "/workspaces/" in grant["scope"]


def test_batch_inference_needs_the_training_cluster_and_an_mlflow_model():
    document = platform_document("azure-prod")
    document["batch_inference"] = [BATCH]
    with pytest.raises(SpecError, match=r"stack.yaml: batch_inference\.0: needs the training section"):
        parse_spec({k: v for k, v in document.items() if k != "training"}, "stack.yaml")
    document["endpoints"][0]["model"] = {"image": "example.azurecr.io/scorer:1"}
    with pytest.raises(SpecError, match=r"stack.yaml: batch_inference\.0\.endpoint: 'fraud-scorer' serves a custom image"):
        parse_spec(document, "stack.yaml")
