"""AWS scheduled retraining: an EventBridge Scheduler schedule calls Batch SubmitJob on the training
component's spot queue, with a scheduler role that may submit there and nowhere else."""

from __future__ import annotations

import json

import pytest

from tests.support.plans import one_resource, plan_of_stack, resources_of

NIGHTLY = {"name": "nightly", "use_case": "fraud-scoring", "schedule": "0 2 * * *", "endpoint": "fraud-scorer",
           "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/train:1", "arguments": ["--epochs", "3"]}


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return plan_of_stack(tmp_path_factory.mktemp("retraining"), "aws-prod",
                         edit=lambda p: p.update(retraining=[NIGHTLY]))


def test_the_schedule_submits_a_batch_job_on_the_training_queue(plan):
    schedule = one_resource(plan, "aws:scheduler/schedule:Schedule", "retraining").inputs
    assert schedule["scheduleExpression"] == "cron(0 2 * * ? *)"
    assert schedule["scheduleExpressionTimezone"] == "UTC"
    target = schedule["target"]
    assert target["arn"] == "arn:aws:scheduler:::aws-sdk:batch:submitJob"
    submitted = json.loads(target["input"])
    assert submitted["jobQueue"] == plan.outputs["training"]["training"]["submit_to"]
    assert submitted["jobDefinition"] == plan.outputs["retraining"]["nightly"]["extras"]["job_definition_arn"]
    assert submitted["jobName"].endswith("retrain-nightly")
    # The queue is the spot one the training component built: no capacity of the retraining's own.
    assert not resources_of(plan, "aws:batch/computeEnvironment:ComputeEnvironment", "retraining")
    assert not resources_of(plan, "aws:batch/jobQueue:JobQueue", "retraining")


def test_the_job_definition_runs_the_retraining_image_and_command_on_the_training_shape(plan):
    definition = one_resource(plan, "aws:batch/jobDefinition:JobDefinition", "retraining").inputs
    training = one_resource(plan, "aws:batch/jobDefinition:JobDefinition", "training").inputs
    container = json.loads(definition["containerProperties"])
    trained = json.loads(training["containerProperties"])
    assert container["image"] == NIGHTLY["image"]
    assert container["command"] == ["python", "train.py", "--epochs", "3"]
    assert container["resourceRequirements"] == trained["resourceRequirements"]
    assert container["jobRoleArn"] == trained["jobRoleArn"]
    assert {"name": "RETRAINING", "value": "nightly"} in container["environment"]


def test_the_job_is_told_where_to_register_its_model(plan):
    container = json.loads(one_resource(plan, "aws:batch/jobDefinition:JobDefinition", "retraining")
                           .inputs["containerProperties"])
    env = {e["name"]: e["value"] for e in container["environment"]}
    registry = plan.outputs["registry"]["registry"]
    assert env["MODEL_REGISTRY"] == env["MODEL_PACKAGE_GROUP"] == registry["model_registry"]
    assert env["IMAGE_REPOSITORY"] == registry["image_repository_url"]
    assert env["CHECKPOINT_URI"].startswith("s3://")


def test_the_scheduler_role_is_least_privilege(plan):
    role = one_resource(plan, "aws:iam/role:Role", "retraining").inputs
    trust = json.loads(role["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "scheduler.amazonaws.com"}]
    assert "aws:SourceAccount" in trust[0]["Condition"]["StringEquals"]
    policies = [json.loads(r.inputs["policy"]) for r in resources_of(plan, "aws:iam/rolePolicy:RolePolicy", "retraining",
                                                                          "scheduler")]
    assert len(policies) == 1
    statements = policies[0]["Statement"]
    assert [s["Action"] for s in statements] == [["batch:SubmitJob"]]
    assert all("*" not in resource.split(":job-definition/")[0] for resource in statements[0]["Resource"])


def test_the_job_may_register_its_model_in_the_platform_group_only(plan):
    policy = one_resource(plan, "aws:iam/rolePolicy:RolePolicy", "retraining", "register").inputs
    statement = json.loads(policy["policy"])["Statement"][0]
    assert statement["Action"] == ["sagemaker:CreateModelPackage", "sagemaker:DescribeModelPackageGroup"]
    assert all(":model-package" in resource for resource in statement["Resource"])
