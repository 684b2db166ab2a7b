"""AWS batch inference: EventBridge Scheduler's SDK target starts a SageMaker transform job with the
endpoint's stable model, from and to the platform's buckets, encrypted, each run under a new name."""

from __future__ import annotations

import json

import pytest

from tests.support.plans import one_resource, plan_of_stack

BATCH = {"name": "daily-scores", "endpoint": "fraud-scorer", "input": "data/scoring/in/",
         "output": "artifacts/scoring/out/", "schedule": "30 3 * * *", "instance_count": 2}


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return plan_of_stack(tmp_path_factory.mktemp("batch"), "aws-prod", edit=lambda p: p.update(batch_inference=[BATCH]))


def test_the_schedule_starts_a_transform_job_on_the_platform_buckets(plan):
    schedule = one_resource(plan, "aws:scheduler/schedule:Schedule", "batch_inference").inputs
    assert schedule["scheduleExpression"] == "cron(30 3 * * ? *)"
    target = schedule["target"]
    assert target["arn"] == "arn:aws:scheduler:::aws-sdk:sagemaker:createTransformJob"
    request = json.loads(target["input"])
    base = plan.outputs["base"]
    assert request["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == f"s3://{base['data_store']}/scoring/in/"
    assert request["TransformOutput"]["S3OutputPath"] == f"s3://{base['artifacts_store']}/scoring/out/"
    assert request["ModelName"] == plan.outputs["endpoints"]["fraud-scorer"]["extras"]["model_names"]["stable"]
    assert request["TransformResources"]["InstanceCount"] == 2
    # Unique per run (the invocation id), within SageMaker's 63 characters.
    name = request["TransformJobName"]
    assert name.endswith("-<aws.scheduler.execution-id>") and len(name) - len("<aws.scheduler.execution-id>") + 36 <= 63


def test_output_and_volumes_are_encrypted_with_the_platform_key(plan):
    request = json.loads(one_resource(plan, "aws:scheduler/schedule:Schedule", "batch_inference").inputs["target"]["input"])
    key = plan.outputs["base"]["encryption_key"]
    assert key and request["TransformOutput"]["KmsKeyId"] == key
    assert request["TransformResources"]["VolumeKmsKeyId"] == key


def test_the_scheduler_may_only_create_this_schedules_transform_jobs(plan):
    policy = one_resource(plan, "aws:iam/rolePolicy:RolePolicy", "batch_inference").inputs
    statements = json.loads(policy["policy"])["Statement"]
    assert [s["Action"] for s in statements] == [["sagemaker:CreateTransformJob"]]
    [resource] = statements[0]["Resource"]
    request = json.loads(one_resource(plan, "aws:scheduler/schedule:Schedule", "batch_inference").inputs["target"]["input"])
    prefix = request["TransformJobName"].removesuffix("<aws.scheduler.execution-id>")
    assert prefix.startswith("fraud-ml-prod-batch") and resource.endswith(f":transform-job/{prefix}*")
