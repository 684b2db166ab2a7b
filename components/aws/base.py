"""AWS base layer: KMS key, encrypted buckets, private VPC, and the execution role capabilities share."""

from __future__ import annotations

import ipaddress

import pulumi
import pulumi_aws as aws

from ..contract import BaseLayer
from ..context import PlatformContext
from . import audit, iam
from .buckets import hardened_bucket
from .names import kms_alias

# Interface endpoints a private platform needs without a NAT gateway: SageMaker APIs, the feature store
# runtime (PutRecord/GetRecord), Athena and Glue (offline store queries), image pulls, logs, STS, and the
# ECS agent endpoints AWS Batch container instances register through. KMS is added when the platform has
# its own key (clients call it directly for envelope encryption).
INTERFACE_ENDPOINTS = [
    "sagemaker.api",
    "sagemaker.runtime",
    "sagemaker.featurestore-runtime",
    "athena",
    "glue",
    "ecr.api",
    "ecr.dkr",
    "logs",
    "sts",
    "ecs",
    "ecs-agent",
    "ecs-telemetry",
]
AVAILABILITY_ZONES = ("a", "b")


# Where model artifacts live in the artifacts bucket (endpoints default to models/<endpoint>/<version>/).
MODELS_PREFIX = "models/"


class Base(BaseLayer):
    CLOUD = "aws"
    COMPONENT = "Base"

    def __init__(self, name: str, ctx: PlatformContext, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, opts)
        self.ctx = ctx
        tags = ctx.tags()
        region = ctx.spec.region

        account = aws.get_caller_identity_output().account_id

        # -- encryption key ---------------------------------------------------------------------------
        self.kms_key: aws.kms.Key | None = None
        self.key_arn: pulumi.Output[str] | None = None
        if ctx.customer_managed_keys:
            self.kms_key = aws.kms.Key(
                ctx.name("key"),
                description=f"mlplat {ctx.prefix}: platform data key",
                enable_key_rotation=True,
                rotation_period_in_days=365,
                deletion_window_in_days=30,
                policy=audit.key_policy(region, account, ctx.prefix, audit.manages_bedrock_invocation_logging(ctx)),
                tags=tags,
                opts=ctx.stateful(self),
            )
            aws.kms.Alias(
                ctx.name("key-alias"),
                name=kms_alias(ctx.prefix),
                target_key_id=self.kms_key.key_id,
                opts=ctx.child(self),
            )
            self.key_arn = self.kms_key.arn

        # -- storage ------------------------------------------------------------------------------------
        promotion = ctx.spec.promotion
        self.log_bucket = audit.access_log_bucket(ctx, account, tags, parent=self)
        self.artifacts_bucket = hardened_bucket(
            ctx, "artifacts", self.key_arn, tags, parent=self, log_bucket=self.log_bucket,
            read_prefix_for=(promotion.principal, MODELS_PREFIX) if promotion else None,
        )
        self.data_bucket = hardened_bucket(ctx, "data", self.key_arn, tags, parent=self, log_bucket=self.log_bucket)

        # -- network -----------------------------------------------------------------------------------
        self.vpc: aws.ec2.Vpc | None = None
        self.private_subnet_ids: list[pulumi.Output[str]] = []
        self.security_group_id: pulumi.Output[str] | None = None
        if ctx.private:
            self._network(tags, region)

        self._execution_role(tags, region, account)

        self.finish(self.layer_outputs(extras={"private_subnet_ids": self.private_subnet_ids}))

    def _execution_role(self, tags: dict, region: str, account: pulumi.Output[str]) -> None:
        """The role SageMaker jobs, the feature store and endpoints run as, with its data and logging grants."""
        ctx = self.ctx
        self.execution_role = aws.iam.Role(
            ctx.name("execution-role"),
            description=f"mlplat {ctx.prefix}: SageMaker jobs, feature store and endpoints",
            assume_role_policy=iam.assume_role_policy("sagemaker.amazonaws.com"),
            tags=tags,
            opts=ctx.child(self),
        )
        statements = iam.bucket_statements([self.artifacts_bucket.arn, self.data_bucket.arn])
        statements += iam.kms_statements(self.key_arn)
        statements += [
            {
                "Effect": "Allow",
                "Action": ["ecr:GetAuthorizationToken"],
                "Resource": ["*"],
            },
            {
                # SageMaker jobs and endpoints log to /aws/sagemaker/<kind>/... log groups.
                "Sid": "SageMakerLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [
                    pulumi.Output.concat("arn:aws:logs:", region, ":", account, ":log-group:/aws/sagemaker/*"),
                    pulumi.Output.concat("arn:aws:logs:", region, ":", account,
                                         ":log-group:/aws/sagemaker/*:log-stream:*"),
                ],
            },
            {
                # PutMetricData has no resource-level scoping: the namespace condition key scopes it instead.
                "Sid": "SageMakerMetrics",
                "Effect": "Allow",
                "Action": ["cloudwatch:PutMetricData"],
                "Resource": ["*"],
                "Condition": {"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}},
            },
        ]
        if self.vpc is not None:
            statements += _vpc_statements(region, account, self.vpc.id)
        aws.iam.RolePolicy(
            ctx.name("execution-role-data"),
            role=self.execution_role.id,
            policy=iam.policy_document(statements),
            opts=ctx.child(self),
        )
        from .promoted_from import grant_promoted_reads  # it reads this module's names

        grant_promoted_reads(ctx, self.execution_role, parent=self)

    # -- BaseLayer (components/contract.py) ----------------------------------------------------------
    @property
    def artifacts_store(self) -> pulumi.Output:
        return self.artifacts_bucket.bucket

    @property
    def data_store(self) -> pulumi.Output:
        return self.data_bucket.bucket

    @property
    def encryption_key(self) -> pulumi.Output | None:
        return self.key_arn

    @property
    def workload_identity(self) -> pulumi.Output:
        return self.execution_role.arn

    @property
    def private_network(self) -> pulumi.Output | None:
        return self.vpc.id if self.vpc else None

    def interface_endpoint(self, service: str, tags: dict, parent: pulumi.Resource) -> aws.ec2.VpcEndpoint:
        """A private (DNS-enabled) interface endpoint of `service` in the platform's private subnets."""
        ctx = self.ctx
        return aws.ec2.VpcEndpoint(
            ctx.name(service.replace(".", "-"), "endpoint"),
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{ctx.spec.region}.{service}",
            vpc_endpoint_type="Interface",
            private_dns_enabled=True,
            subnet_ids=self.private_subnet_ids,
            security_group_ids=[self.security_group_id],
            tags=tags,
            opts=ctx.child(parent),
        )

    def _network(self, tags: dict, region: str) -> None:
        ctx = self.ctx
        network = ipaddress.ip_network(ctx.spec.network.cidr)
        subnets = list(network.subnets(new_prefix=network.prefixlen + 2))
        self.vpc = aws.ec2.Vpc(
            ctx.name("vpc"),
            cidr_block=str(network),
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={**tags, "Name": ctx.name("vpc")},
            opts=ctx.child(self),
        )
        audit.lock_down_vpc(ctx, "vpc", self.vpc, self.log_bucket, tags)
        route_table = aws.ec2.RouteTable(
            ctx.name("private-routes"), vpc_id=self.vpc.id, tags=tags, opts=ctx.child(self.vpc)
        )
        for index, zone in enumerate(AVAILABILITY_ZONES):
            subnet = aws.ec2.Subnet(
                ctx.name("private", zone),
                vpc_id=self.vpc.id,
                cidr_block=str(subnets[index]),
                availability_zone=f"{region}{zone}",
                map_public_ip_on_launch=False,
                tags={**tags, "Name": ctx.name("private", zone)},
                opts=ctx.child(self.vpc),
            )
            aws.ec2.RouteTableAssociation(
                ctx.name("private", zone, "routes"),
                subnet_id=subnet.id,
                route_table_id=route_table.id,
                opts=ctx.child(subnet),
            )
            self.private_subnet_ids.append(subnet.id)
        # Rules as separate resources only (never inline ingress/egress on the group as well: the provider
        # documents that the two conflict and overwrite each other). The provider removes the default
        # allow-all egress rule when it creates the group.
        security_group = aws.ec2.SecurityGroup(
            ctx.name("workloads"),
            description="mlplat workloads: traffic within the VPC only",
            vpc_id=self.vpc.id,
            tags=tags,
            opts=ctx.child(self.vpc),
        )
        aws.vpc.SecurityGroupIngressRule(
            ctx.name("workloads-in-vpc"),
            security_group_id=security_group.id,
            description="VPC",
            ip_protocol="-1",
            cidr_ipv4=str(network),
            tags=tags,
            opts=ctx.child(security_group),
        )
        aws.vpc.SecurityGroupEgressRule(
            ctx.name("workloads-out-vpc"),
            security_group_id=security_group.id,
            description="VPC",
            ip_protocol="-1",
            cidr_ipv4=str(network),
            tags=tags,
            opts=ctx.child(security_group),
        )
        aws.vpc.SecurityGroupEgressRule(
            ctx.name("workloads-s3"),
            security_group_id=security_group.id,
            description="S3 through the gateway endpoint",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            prefix_list_id=aws.ec2.VpcEndpoint(
                ctx.name("s3-endpoint"),
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{region}.s3",
                vpc_endpoint_type="Gateway",
                route_table_ids=[route_table.id],
                tags=tags,
                opts=ctx.child(self.vpc),
            ).prefix_list_id,
            tags=tags,
            opts=ctx.child(security_group),
        )
        self.security_group_id = security_group.id
        services = INTERFACE_ENDPOINTS + (["kms"] if ctx.customer_managed_keys else [])
        for service in services:
            self.interface_endpoint(service, tags, self.vpc)


def _vpc_statements(region: str, account, vpc_id) -> list[dict]:
    """What SageMaker needs from the execution role to run models and jobs inside the platform VPC
    (`vpc_config`): create and delete their network interfaces, scoped to the platform VPC through the
    `ec2:Vpc` condition key (supported on network-interface, subnet and security-group resources), and
    the Describe calls, which support no resource-level scoping."""
    vpc_arn = pulumi.Output.concat("arn:aws:ec2:", region, ":", account, ":vpc/", vpc_id)
    ec2 = pulumi.Output.concat("arn:aws:ec2:", region, ":", account)
    in_vpc = {"ArnEquals": {"ec2:Vpc": vpc_arn}}
    return [
        {
            "Sid": "VpcNetworkInterfaces",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateNetworkInterface",
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
            ],
            "Resource": [
                pulumi.Output.concat(ec2, ":network-interface/*"),
                pulumi.Output.concat(ec2, ":subnet/*"),
                pulumi.Output.concat(ec2, ":security-group/*"),
            ],
            "Condition": in_vpc,
        },
        {
            "Sid": "VpcDescribe",
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeVpcs",
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
            ],
            "Resource": ["*"],
        },
    ]
