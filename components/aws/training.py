"""AWS training cluster: an AWS Batch managed GPU compute environment (spot by default) that scales to
zero, its job queue, a job definition template for checkpointing GPU jobs, and least-privilege roles.
SageMaker managed spot training users get the execution role and a checkpoint prefix instead.

Sections (the same order in azure/training.py and gcp/training.py):
  shape -> checkpoint storage -> network -> identities -> compute -> job submission -> outputs
"""

from __future__ import annotations

import ipaddress

import pulumi
import pulumi_aws as aws

from ..catalog.gpus import shape_for
from ..contract import TrainingComponent
from ..context import PlatformContext
from . import audit
from .base import Base
from .gpu_shares import fair_share_queue
from .names import training_log_group
from .repositories import hardened_repository
from .training_roles import instance_statements, job_role_statements
from ..spec.training import TrainingSpec
from . import iam
from ..outputs import TrainingOutputs

CHECKPOINT_PREFIX = "checkpoints"
# The ECS-optimised Amazon Linux 2023 AMI with NVIDIA drivers and the container toolkit (Batch picks the
# latest one for the region): no AMI ids to maintain. Not ECS_AL2_NVIDIA: since 2026-06-30 Batch refuses
# new compute environments on its Amazon Linux 2 AMIs. AL2023 GPU AMIs do not support p3/g3 (the catalog
# has neither; tests/aws/test_batch_training.py checks).
GPU_IMAGE_TYPE = "ECS_AL2023_NVIDIA"
ROOT_VOLUME_GIB = 200  # CUDA images are large; the AMI's default root volume is 30 GiB
# The job definition is a template: users register a revision with their own image (SubmitJob cannot
# override the image). Not private: a small public image that proves the queue works. Private (no NAT,
# public.ecr.aws unreachable): a PLACEHOLDER in the platform's training image repository
# (<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/training:TEMPLATE_TAG) that users push to or
# replace; the output `template_image_placeholder` says which one the stack got.
TEMPLATE_IMAGE = "public.ecr.aws/docker/library/python:3.11-slim"
TEMPLATE_TAG = "template"
RETRY_ATTEMPTS = 5  # spot reclaims retried; anything else fails at once
ATTEMPT_TIMEOUT_SECONDS = 3 * 24 * 3600  # a hung job must not hold GPUs forever
# Training logs are kept a year outside dev (an audit trail of what trained each model: CIS AWS asks at
# least 365 days); dev keeps them 30 days (cost).
LOG_RETENTION_DAYS = 365
DEV_LOG_RETENTION_DAYS = 30
# Jobs that can never be placed sit RUNNABLE forever: cancel them instead (Batch's own reasons).
UNPLACEABLE_REASONS = (
    "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
    "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
)


class TrainingCluster(TrainingComponent):
    CLOUD = "aws"
    COMPONENT = "TrainingCluster"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        training: TrainingSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        self.ctx = ctx
        tags = ctx.tags(use_case=training.use_case)
        region = ctx.spec.region

        # -- shape (from the GPU catalog) -------------------------------------------------------------
        shape = shape_for("aws", training.gpu, training.gpus_per_node)
        max_vcpus = shape.vcpus * training.max_nodes

        # -- checkpoint storage: a prefix of the platform's encrypted artifacts bucket -----------------
        bucket = base.artifacts_bucket
        checkpoint_uri = pulumi.Output.concat("s3://", bucket.bucket, f"/{CHECKPOINT_PREFIX}/")
        sagemaker_checkpoint_uri = pulumi.Output.concat("s3://", bucket.bucket, f"/{CHECKPOINT_PREFIX}/sagemaker/")

        # -- network --------------------------------------------------------------------------------------
        if ctx.private:
            subnet_ids = list(base.private_subnet_ids)
            security_group_ids = [base.security_group_id]
        else:
            subnet_ids, security_group_ids = self._public_network(tags, region, base.log_bucket)

        # -- identities -------------------------------------------------------------------------------------
        account = aws.get_caller_identity_output().account_id
        # A name PREFIX, not a fixed name: a change that replaces the compute environment (instance types,
        # spot/on-demand, subnets...) creates the new one beside the old, moves the queue to it, then deletes
        # the old one. A fixed name would collide (create-before-delete), and deleting first is refused
        # while the queue still uses it. The ECS cluster Batch creates is `<compute environment>_Batch_<uuid>`.
        compute_environment_prefix = ctx.name("training") + "-"
        self._identities(ctx, base, tags, region, account, compute_environment_prefix)

        self._compute(ctx, base, training, shape, tags, account, compute_environment_prefix, subnet_ids, security_group_ids)

        template_image, container_properties = self._job_submission(ctx, base, shape, tags, checkpoint_uri)

        # -- outputs: what a user needs to submit a job ----------------------------------------------------
        self.finish(
            TrainingOutputs.of(
                training,
                shape,
                submit_to=self.job_queue.arn,
                checkpoint_uri=checkpoint_uri,
                extras={
                    "job_definition_arn": self.job_definition.arn,
                    "compute_environment_arn": self.compute_environment.arn,
                    # The job definition's image is a placeholder: register a revision with your own image.
                    "template_image": template_image,
                    "template_image_placeholder": True,
                    "training_image_repository_url": (
                        self.image_repository.repository_url if self.image_repository else None
                    ),
                    # Batch may exceed max_vcpus by ONE instance with every allocation strategy except
                    # BEST_FIT on-demand (botocore ComputeResource.maxvCpus): up to max_nodes + 1 at peak.
                    "max_vcpus": max_vcpus,
                    "max_instances_at_peak": training.max_nodes + 1,
                    "log_group": self.log_group.name,
                    # What a scheduled job needs to register its own revision (image and command of its own).
                    "job_container_properties": container_properties,
                    "job_role_name": self.job_role.name,
                    "sagemaker_execution_role_arn": base.execution_role.arn,
                    "sagemaker_training_instance_type": shape.sagemaker_instance_type,
                    "sagemaker_checkpoint_uri": sagemaker_checkpoint_uri,
                },
            )
        )

    def _identities(self, ctx: PlatformContext, base: Base, tags: dict, region: str, account, compute_environment_prefix: str) -> None:
        """The training log group, the instance role (ECS agent) with its instance profile, and the job role
        the training containers run as."""
        self.log_group = aws.cloudwatch.LogGroup(
            ctx.name("training-logs"),
            name=training_log_group(ctx.prefix),
            retention_in_days=DEV_LOG_RETENTION_DAYS if ctx.spec.environment.value == "dev" else LOG_RETENTION_DAYS,
            kms_key_id=base.key_arn,
            tags=tags,
            opts=ctx.child(self),
        )
        self.instance_role = aws.iam.Role(
            ctx.name("training-instance-role"),
            description=f"mlplat {ctx.prefix}: ECS agent on the Batch GPU instances",
            assume_role_policy=iam.assume_role_policy("ec2.amazonaws.com"),
            tags=tags,
            opts=ctx.child(self),
        )
        aws.iam.RolePolicy(
            ctx.name("training-instance-agent"),
            role=self.instance_role.id,
            policy=iam.policy_document(
                instance_statements(region, account, compute_environment_prefix, self.log_group.arn)
            ),
            opts=ctx.child(self.instance_role),
        )
        self.instance_profile = aws.iam.InstanceProfile(
            ctx.name("training-instance-profile"),
            role=self.instance_role.name,
            tags=tags,
            opts=ctx.child(self.instance_role),
        )
        self.job_role = aws.iam.Role(
            ctx.name("training-job-role"),
            description=f"mlplat {ctx.prefix}: training containers (checkpoints read/write, data read)",
            assume_role_policy=iam.assume_role_policy("ecs-tasks.amazonaws.com"),
            tags=tags,
            opts=ctx.child(self),
        )
        job_statements = job_role_statements(base.artifacts_bucket.arn, CHECKPOINT_PREFIX, base.data_bucket.arn, base.key_arn)
        aws.iam.RolePolicy(
            ctx.name("training-job-checkpoints"),
            role=self.job_role.id,
            policy=iam.policy_document(job_statements),
            opts=ctx.child(self.job_role),
        )

    def _compute(self, ctx: PlatformContext, base: Base, training: TrainingSpec, shape, tags: dict, account,
                 compute_environment_prefix: str, subnet_ids: list, security_group_ids: list) -> None:
        """GPU instances: IMDSv2 only, root volume encrypted with the platform key, in a managed compute
        environment that scales to zero."""
        max_vcpus = shape.vcpus * training.max_nodes
        root_volume = {"volume_size": ROOT_VOLUME_GIB, "volume_type": "gp3", "encrypted": "true", "delete_on_termination": "true"}
        if base.key_arn is not None:
            root_volume["kms_key_id"] = base.key_arn
            # Batch launches through EC2 Auto Scaling: its service-linked role needs the key for the EBS volumes.
            aws.kms.Grant(
                ctx.name("training-ebs-key-grant"),
                key_id=base.key_arn,
                grantee_principal=pulumi.Output.concat(
                    "arn:aws:iam::",
                    account,
                    ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                ),
                operations=[
                    "Encrypt",
                    "Decrypt",
                    "ReEncryptFrom",
                    "ReEncryptTo",
                    "GenerateDataKeyWithoutPlaintext",
                    "DescribeKey",
                    "CreateGrant",
                ],
                opts=ctx.child(self),
            )
        self.launch_template = aws.ec2.LaunchTemplate(
            ctx.name("training-launch-template"),
            description=f"mlplat {ctx.prefix}: Batch GPU instances (IMDSv2, encrypted root volume)",
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                # 1 hop: containers in bridge mode cannot reach the instance role; jobs use their job role.
                "http_put_response_hop_limit": 1,
            },
            block_device_mappings=[{"device_name": "/dev/xvda", "ebs": root_volume}],
            tag_specifications=[
                {"resource_type": "instance", "tags": tags},
                {"resource_type": "volume", "tags": tags},
            ],
            tags=tags,
            opts=ctx.child(self),
        )
        compute_resources = {
            "type": "SPOT" if training.spot else "EC2",
            "allocation_strategy": "SPOT_PRICE_CAPACITY_OPTIMIZED" if training.spot else "BEST_FIT_PROGRESSIVE",
            "min_vcpus": 0,  # scales to zero; desired vCPUs left to Batch (setting it would fight the scaler)
            "max_vcpus": max_vcpus,
            "instance_types": [shape.instance_type],
            "ec2_configurations": [{"image_type": GPU_IMAGE_TYPE}],
            "instance_role": self.instance_profile.arn,
            "launch_template": {
                "launch_template_id": self.launch_template.id,
                # The pinned version: a template change rolls the compute environment's instances.
                "version": self.launch_template.latest_version.apply(lambda v: "$Latest" if v is None else str(v)),
            },
            "subnets": subnet_ids,
            "security_group_ids": security_group_ids,
            "tags": tags,
        }
        self.compute_environment = aws.batch.ComputeEnvironment(
            ctx.name("training-compute"),
            name_prefix=compute_environment_prefix,
            type="MANAGED",
            state="ENABLED",
            # No service_role: Batch uses its service-linked role AWSServiceRoleForBatch.
            compute_resources=compute_resources,
            tags=tags,
            opts=ctx.child(self),
        )

    def _job_submission(self, ctx: PlatformContext, base: Base, shape, tags: dict, checkpoint_uri) -> tuple:
        """Job submission: the queue (and the fair-share queue of use cases with a GPU share) and the
        checkpointing job definition template; returns the template image and container properties."""
        region = ctx.spec.region
        cancel_unplaceable = [
            {"action": "CANCEL", "max_time_seconds": 600, "reason": reason, "state": "RUNNABLE"}
            for reason in UNPLACEABLE_REASONS
        ]
        self.job_queue = aws.batch.JobQueue(
            ctx.name("training-queue"),
            name=ctx.name("training"),
            state="ENABLED",
            priority=1,
            compute_environment_orders=[{"compute_environment": self.compute_environment.arn, "order": 1}],
            job_state_time_limit_actions=cancel_unplaceable,
            tags=tags,
            # Fixed name: a replacement must delete the old queue first (jobs still queued are cancelled).
            opts=ctx.child(self, delete_before_replace=True),
        )
        # Use cases with a GPU share submit to a fair-share queue under their own share identifier.
        self.shares_policy, self.shared_queue = fair_share_queue(
            self, ctx, self.compute_environment, tags,
            job_state_time_limit_actions=cancel_unplaceable)
        memory_mib = int(shape.memory_gib * 1024 * 0.9)  # the ECS agent and the OS keep the rest
        self.image_repository: aws.ecr.Repository | None = None
        if ctx.private:
            template_image = self._image_repository(base, tags).repository_url.apply(lambda url: f"{url}:{TEMPLATE_TAG}")
        else:
            template_image = TEMPLATE_IMAGE
        container_properties = pulumi.Output.json_dumps(
            {
                "image": template_image,
                "command": ["python", "-c", "import os; print(os.environ['CHECKPOINT_URI'])"],
                "jobRoleArn": self.job_role.arn,
                "resourceRequirements": [
                    {"type": "GPU", "value": str(shape.gpus)},
                    {"type": "VCPU", "value": str(shape.vcpus)},
                    {"type": "MEMORY", "value": str(memory_mib)},
                ],
                "environment": [
                    {"name": "CHECKPOINT_URI", "value": checkpoint_uri},
                    {"name": "AWS_DEFAULT_REGION", "value": region},
                ],
                "linuxParameters": {"sharedMemorySize": min(memory_mib // 4, 64 * 1024)},
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": self.log_group.name, "awslogs-stream-prefix": "training"},
                },
                "readonlyRootFilesystem": False,
                "privileged": False,
            }
        )
        self.job_definition = aws.batch.JobDefinition(
            ctx.name("training-job"),
            name=ctx.name("training-gpu"),
            type="container",
            platform_capabilities=["EC2"],
            container_properties=container_properties,
            retry_strategy={
                "attempts": RETRY_ATTEMPTS,
                "evaluate_on_exits": [
                    # Spot reclaim: the host went away ("Host EC2 (instance i-...) terminated.").
                    {"on_status_reason": "Host EC2*", "action": "retry"},
                    {"on_reason": "*", "action": "exit"},
                ],
            },
            timeout={"attempt_duration_seconds": ATTEMPT_TIMEOUT_SECONDS},
            propagate_tags=True,
            tags=tags,
            opts=ctx.child(self),
        )
        return template_image, container_properties

    def _image_repository(self, base, tags: dict) -> aws.ecr.Repository:
        """Private platforms: the ECR repository training images come from (reachable through the base's
        ECR and S3 endpoints; public registries are not, there is no NAT). Immutable tags, scan on push,
        the platform key when customer-managed, untagged images expire."""
        self.image_repository = hardened_repository(
            self.ctx, "training-images", f"{self.ctx.prefix}/training", base.key_arn, tags, parent=self
        )
        return self.image_repository

    def _public_network(self, tags: dict, region: str, log_bucket) -> tuple[list, list]:
        """Non-private platforms: a minimal VPC of their own for the GPU instances (public subnets,
        egress only, no inbound rule). The default VPC is not used: finding it needs provider calls
        at plan time and its security posture is unknown."""
        ctx = self.ctx
        network = ipaddress.ip_network(ctx.spec.network.cidr)
        ranges = list(network.subnets(new_prefix=network.prefixlen + 2))
        vpc = aws.ec2.Vpc(
            ctx.name("training-vpc"),
            cidr_block=str(network),
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={**tags, "Name": ctx.name("training-vpc")},
            opts=ctx.child(self),
        )
        audit.lock_down_vpc(ctx, "training-vpc", vpc, log_bucket, tags)
        gateway = aws.ec2.InternetGateway(
            ctx.name("training-igw"), vpc_id=vpc.id, tags=tags, opts=ctx.child(vpc)
        )
        routes = aws.ec2.RouteTable(
            ctx.name("training-routes"),
            vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
            tags=tags,
            opts=ctx.child(vpc),
        )
        subnet_ids = []
        for index, zone in enumerate(("a", "b")):
            subnet = aws.ec2.Subnet(
                ctx.name("training-public", zone),
                vpc_id=vpc.id,
                cidr_block=str(ranges[index]),
                availability_zone=f"{region}{zone}",
                map_public_ip_on_launch=True,  # instances need a route out to ECS/ECR/S3 without a NAT
                tags={**tags, "Name": ctx.name("training-public", zone)},
                opts=ctx.child(vpc),
            )
            aws.ec2.RouteTableAssociation(
                ctx.name("training-public", zone, "routes"),
                subnet_id=subnet.id,
                route_table_id=routes.id,
                opts=ctx.child(subnet),
            )
            subnet_ids.append(subnet.id)
        security_group = aws.ec2.SecurityGroup(
            ctx.name("training-instances"),
            description="mlplat training instances: no inbound, HTTPS out",
            vpc_id=vpc.id,
            # Single-node jobs (Batch runs no multi-node jobs on spot): nothing comes in; HTTPS goes out to
            # ECS, ECR, S3, CloudWatch Logs and the user's package mirrors.
            egress=[
                {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"], "description": "HTTPS"},
            ],
            ingress=[],
            tags=tags,
            opts=ctx.child(vpc),
        )
        return subnet_ids, [security_group.id]
