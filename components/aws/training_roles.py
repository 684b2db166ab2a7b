"""The AWS training cluster's IAM statements: the ECS agent on the Batch GPU instances, and the training
containers' job role (checkpoints read/write, training data read)."""

from __future__ import annotations

import pulumi


def job_role_statements(bucket_arn, checkpoint_prefix: str, data_bucket_arn, key_arn) -> list[dict]:
    """Training containers: read and write checkpoints under `checkpoint_prefix`, read the training data,
    use the platform key when there is one."""
    job_statements = [
        {
            "Sid": "Checkpoints",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            "Resource": [pulumi.Output.concat(bucket_arn, f"/{checkpoint_prefix}/*")],
        },
        {
            "Sid": "ListCheckpoints",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [bucket_arn],
            "Condition": {"StringLike": {"s3:prefix": [f"{checkpoint_prefix}/*"]}},
        },
        {
            "Sid": "ReadTrainingData",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": [data_bucket_arn, pulumi.Output.concat(data_bucket_arn, "/*")],
        },
    ]
    if key_arn is not None:
        job_statements.append(
            {
                "Sid": "PlatformKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": [key_arn],
            }
        )
    return job_statements


def instance_statements(region: str, account, compute_environment_prefix: str, log_group_arn) -> list[dict]:
    """The ECS agent's permissions, scoped to this account and to the ECS cluster Batch creates for this
    compute environment (named `<compute environment>_Batch_<uuid>`, the compute environment named
    `<compute_environment_prefix><unique id>`). Image pulls: this account's repositories in this region.
    Explicit actions only."""
    arn = pulumi.Output.concat
    cluster = arn("arn:aws:ecs:", region, ":", account, f":cluster/{compute_environment_prefix}*_Batch_*")
    container_instances = arn(
        "arn:aws:ecs:", region, ":", account, f":container-instance/{compute_environment_prefix}*_Batch_*/*"
    )
    repositories = arn("arn:aws:ecr:", region, ":", account, ":repository/*")
    return [
        {
            "Sid": "EcsAgentCluster",
            "Effect": "Allow",
            "Action": [
                "ecs:RegisterContainerInstance",
                "ecs:DeregisterContainerInstance",
                "ecs:SubmitContainerStateChange",
                "ecs:SubmitTaskStateChange",
                "ecs:SubmitAttachmentStateChanges",
                "ecs:UpdateContainerInstancesState",
            ],
            "Resource": [cluster],
        },
        {
            "Sid": "EcsAgentInstance",
            "Effect": "Allow",
            "Action": ["ecs:Poll", "ecs:StartTelemetrySession", "ecs:PutSystemLogEvents"],
            "Resource": [container_instances],
        },
        {
            # These actions support no resource-level scoping.
            "Sid": "EcsAgentDiscovery",
            "Effect": "Allow",
            "Action": ["ecs:DiscoverPollEndpoint", "ecr:GetAuthorizationToken"],
            "Resource": ["*"],
        },
        {
            "Sid": "PullImages",
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            "Resource": [repositories],
        },
        {
            "Sid": "JobLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [pulumi.Output.concat(log_group_arn, ":*")],
        },
    ]
