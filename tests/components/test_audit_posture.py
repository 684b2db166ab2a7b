"""Security posture the reference plans must keep: access logs and flow logs outside dev, locked-down default
security groups, scoped log permissions, the key policy, GKE network policy enforcement, HSM keys and
zone-redundant registries (docs/policies.md, "Security posture by environment")."""

from __future__ import annotations

import json

import pytest

from tests.support.plans import one_resource, reference_plan


def of_type(plan, type_token):
    return [r for r in plan.resources if r.type == type_token]


@pytest.mark.parametrize("stack, logged", [("aws-prod", True), ("aws-dev", False)])
def test_aws_access_logs_and_flow_logs_follow_the_environment(stack, logged):
    plan = reference_plan(stack)
    logging = {r.name for r in of_type(plan, "aws:s3/bucketLogging:BucketLogging")}
    expected = {f"fraud-ml-{stack.split('-')[1]}-{p}-access-logging" for p in ("artifacts", "data", "documents")}
    assert logging == (expected if logged else set())
    assert bool(of_type(plan, "aws:ec2/flowLog:FlowLog")) is logged
    vpcs, locked = of_type(plan, "aws:ec2/vpc:Vpc"), of_type(plan, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert len(locked) == len(vpcs) >= 1
    assert all(not r.inputs.get("ingress") and not r.inputs.get("egress") for r in locked)


def test_aws_execution_role_logs_only_to_sagemaker_log_groups():
    plan = reference_plan("aws-prod")
    (policy,) = [r for r in of_type(plan, "aws:iam/rolePolicy:RolePolicy") if r.name.endswith("execution-role-data")]
    for statement in json.loads(policy.inputs["policy"])["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if any(a.startswith("logs:") for a in actions):
            assert all(":log-group:/aws/sagemaker/" in arn for arn in statement["Resource"])
        if "cloudwatch:PutMetricData" in actions:
            assert statement["Condition"] == {"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}}


def test_aws_prod_key_has_a_policy_and_encrypts_the_training_logs():
    plan = reference_plan("aws-prod")
    key = one_resource(plan, "aws:kms/key:Key", "base")  # the platform key (monitoring's alert topic has its own)
    statements = json.loads(key.inputs["policy"])["Statement"]
    assert {s["Sid"] for s in statements} == {"AccountAdministersThroughIam", "CloudWatchLogsForPlatformLogGroups"}
    logs = of_type(plan, "aws:cloudwatch/logGroup:LogGroup")
    assert logs and all(group.inputs.get("kmsKeyId") for group in logs)
    # CloudWatch Logs may use the key for the platform's log groups and the account's Bedrock invocation log
    # group, which this stack manages (stack config mlplat:bedrockInvocationLogging: manage).
    assert sorted(group.inputs["name"] for group in logs) == [
        "/mlplat/bedrock/us-east-1/invocations", "/mlplat/fraud-ml-prod/training"]
    (to_logs,) = [s for s in statements if s["Sid"] == "CloudWatchLogsForPlatformLogGroups"]
    assert to_logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == [
        "arn:aws:logs:us-east-1:123456789012:log-group:/mlplat/fraud-ml-prod/*",
        "arn:aws:logs:us-east-1:123456789012:log-group:/mlplat/bedrock/us-east-1/invocations",
    ]


@pytest.mark.parametrize("stack, logged", [("gcp-prod", True), ("gcp-dev", False)])
def test_gcp_buckets_log_access_outside_dev_and_gke_enforces_network_policy(stack, logged):
    plan = reference_plan(stack)
    buckets = {r.name: r for r in of_type(plan, "gcp:storage/bucket:Bucket")}
    for purpose in ("artifacts", "data", "documents"):
        bucket = next(b for name, b in buckets.items() if name.endswith(f"-{purpose}"))
        assert bool(bucket.inputs.get("logging")) is logged
    (cluster,) = of_type(plan, "gcp:container/cluster:Cluster")
    assert cluster.inputs["datapathProvider"] == "ADVANCED_DATAPATH"
    assert cluster.inputs["enableIntranodeVisibility"] is True


def test_azure_prod_key_is_hsm_backed_and_registries_zone_redundant():
    plan = reference_plan("azure-prod")
    (key,) = of_type(plan, "azure-native:keyvault:Key")
    assert key.inputs["properties"]["kty"] == "RSA-HSM"
    registries = of_type(plan, "azure-native:containerregistry:Registry")
    assert registries and all(r.inputs["zoneRedundancy"] == "Enabled" for r in registries)
