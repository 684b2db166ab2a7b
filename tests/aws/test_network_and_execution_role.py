"""The AWS base layer's network and execution role in the offline plans: network-interface permissions
only in the platform VPC and only when private, security group rules as separate resources, VPC
endpoints that let a private stack work without NAT, and KMS grants only for AWS resources."""

from __future__ import annotations

import pytest

from tests.support.aws import OFFLINE_ACCOUNT, role_policy_statements
from tests.support.plans import one_resource, reference_plan, resources_of


def test_private_execution_role_may_manage_network_interfaces_in_the_platform_vpc_only():
    plan = reference_plan("aws-prod")
    statements = {s.get("Sid"): s for s in role_policy_statements(plan, "execution-role-data")}
    create = statements["VpcNetworkInterfaces"]
    assert {"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:CreateNetworkInterfacePermission",
            "ec2:DeleteNetworkInterfacePermission"} == set(create["Action"])
    vpc = one_resource(plan, "aws:ec2/vpc:Vpc")
    assert f":vpc/{vpc.name}-" in create["Condition"]["ArnEquals"]["ec2:Vpc"]  # the platform VPC's id
    assert create["Condition"]["ArnEquals"]["ec2:Vpc"].startswith(f"arn:aws:ec2:us-east-1:{OFFLINE_ACCOUNT}:vpc/")
    assert {"ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeDhcpOptions"} == set(statements["VpcDescribe"]["Action"])


def test_public_execution_role_gets_no_network_interface_permissions():
    plan = reference_plan("aws-dev")
    if plan.spec["network"]["private"]:
        pytest.skip("aws-dev is private")
    assert not [s for s in role_policy_statements(plan, "execution-role-data") if s.get("Sid") == "VpcNetworkInterfaces"]


def test_security_group_rules_are_separate_resources_only():
    plan = reference_plan("aws-prod")
    group = one_resource(plan, "aws:ec2/securityGroup:SecurityGroup").inputs
    assert not group.get("ingress") and not group.get("egress")
    ingress = [r.inputs for r in resources_of(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")]
    egress = [r.inputs for r in resources_of(plan, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")]
    assert [(r["ipProtocol"], r["cidrIpv4"]) for r in ingress] == [("-1", "10.40.0.0/16")]
    assert sorted((r["ipProtocol"], r.get("cidrIpv4"), bool(r.get("prefixListId"))) for r in egress) == [
        ("-1", "10.40.0.0/16", False), ("tcp", None, True)
    ]


def test_private_stack_reaches_feature_store_athena_glue_and_kms_without_nat():
    services = {r.inputs["serviceName"].rsplit(".", 1)[-1] if "sagemaker" not in r.inputs["serviceName"]
                else r.inputs["serviceName"].split("us-east-1.", 1)[1]
                for r in resources_of(reference_plan("aws-prod"), "aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert {"sagemaker.featurestore-runtime", "athena", "glue", "kms"} <= services


def test_kms_grants_only_for_aws_resources():
    for statement in role_policy_statements(reference_plan("aws-prod"), "execution-role-data"):
        if "kms:CreateGrant" in statement["Action"]:
            assert statement["Action"] == ["kms:CreateGrant"]
            assert statement["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
