"""Azure scheduled retraining: an Azure ML Schedule creates a command job on the training component's
low-priority AmlCompute cluster, as the platform identity, with the retraining's image."""

from __future__ import annotations

import pytest

from tests.support.plans import one_resource, plan_of_stack, resources_of

NIGHTLY = {"name": "nightly", "use_case": "fraud-scoring", "schedule": "0 2 * * 1-5", "endpoint": "fraud-scorer",
           "image": "example.azurecr.io/fraud/train:1", "command": ["python", "-m", "train"],
           "arguments": ["--epochs", "3"]}


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return plan_of_stack(tmp_path_factory.mktemp("retraining"), "azure-prod",
                         edit=lambda p: p.update(retraining=[NIGHTLY]))


def test_the_schedule_creates_a_command_job_on_the_training_cluster(plan):
    schedule = one_resource(plan, "azure-native:machinelearningservices:Schedule", "retraining").inputs["properties"]
    assert schedule["trigger"] == {"triggerType": "Cron", "expression": "0 2 * * 1-5", "timeZone": "UTC"}
    assert schedule["isEnabled"] is True
    action = schedule["action"]
    assert action["actionType"] == "CreateJob"
    job = action["jobDefinition"]
    assert job["jobType"] == "Command" and job["command"] == "python -m train --epochs 3"
    assert job["computeId"] == plan.outputs["training"]["training"]["extras"]["compute_id"]
    assert job["identity"] == {"identityType": "Managed",
                               "clientId": plan.outputs["training"]["training"]["extras"]["identity_client_id"]}
    assert job["environmentId"] == plan.outputs["retraining"]["nightly"]["extras"]["environment_id"]
    # No cluster of its own: the job runs on the training capacity (low priority when spot).
    assert not resources_of(plan, "azure-native:machinelearningservices:Compute", "retraining")
    compute = one_resource(plan, "azure-native:machinelearningservices:Compute", "training").inputs["properties"]
    assert compute["properties"]["vmPriority"] == "LowPriority"


def test_the_job_image_is_the_retraining_image(plan):
    environment = one_resource(plan, "azure-native:machinelearningservices:EnvironmentVersion", "retraining")
    assert environment.inputs["properties"]["image"] == NIGHTLY["image"]


def test_the_job_is_told_where_to_register_its_model(plan):
    schedule = one_resource(plan, "azure-native:machinelearningservices:Schedule", "retraining").inputs["properties"]
    env = schedule["action"]["jobDefinition"]["environmentVariables"]
    registry = plan.outputs["registry"]["registry"]
    assert env["MODEL_REGISTRY"] == registry["model_registry"]
    assert env["IMAGE_REPOSITORY"] == registry["image_repository_url"]
    assert env["REGISTRATION_STAGE"] == registry["extras"]["registration_stage"]
    assert env["RETRAINING"] == "nightly" and env["CHECKPOINT_URI"]
