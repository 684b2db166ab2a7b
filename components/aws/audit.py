"""Audit trail of the AWS platform: the access-log bucket, VPC flow logs, the locked-down default security
group, and the platform key's explicit key policy (which lets CloudWatch Logs use the key for the platform's
own log groups only)."""

from __future__ import annotations


import pulumi
import pulumi_aws as aws

from ..context import PlatformContext, config_choice
from .buckets import hardened_bucket

ACCESS_LOG_PREFIX = "access-logs/"
FLOW_LOG_PREFIX = "flow-logs/"
# Bedrock model invocation logging is one setting per account and region: stack config
# `mlplat:bedrockInvocationLogging` is `manage` (the default, like GCP's Vertex AI audit config: the
# mandatory logging policy passes without it) on the one stack that owns it, `shared` on the others.
BEDROCK_LOGGING_KEY = "bedrockInvocationLogging"
BEDROCK_LOGGING_MODES = ("manage", "shared")
BEDROCK_LOGGING_DEFAULT = "manage"


def bedrock_invocation_log_group(region: str) -> str:
    """The account's Bedrock invocation log group in `region`: a fixed name, so that every stack of the
    account knows where its model calls are logged whichever stack manages it."""
    return f"/mlplat/bedrock/{region}/invocations"


def manages_bedrock_invocation_logging(ctx: PlatformContext) -> bool:
    """Whether this stack creates the account's Bedrock invocation logging (and its log group)."""
    if ctx.spec.rag is None:
        return False
    return config_choice(BEDROCK_LOGGING_KEY, BEDROCK_LOGGING_MODES, BEDROCK_LOGGING_DEFAULT) == "manage"


def log_group_arn(region: str, account, prefix: str) -> pulumi.Output[str]:
    """The platform's own CloudWatch log groups: `/mlplat/<prefix>/...`."""
    return pulumi.Output.concat("arn:aws:logs:", region, ":", account, ":log-group:/mlplat/", prefix, "/*")


def key_policy(region: str, account, prefix: str, bedrock_logs: bool = False) -> pulumi.Output[str]:
    """The account administers the key through IAM (the default key policy, written out), and CloudWatch Logs
    in this region may use it only for the platform's log groups (and, with `bedrock_logs`, the account's
    Bedrock invocation log group this stack manages): the encryption-context condition the CloudWatch Logs
    guide prescribes ("Encrypt log data in CloudWatch Logs using AWS KMS", step 2)."""
    log_groups = log_group_arn(region, account, prefix)
    if bedrock_logs:
        bedrock = pulumi.Output.concat("arn:aws:logs:", region, ":", account, ":log-group:",
                                       bedrock_invocation_log_group(region))
        log_groups = pulumi.Output.all(log_groups, bedrock)
    root = pulumi.Output.concat("arn:aws:iam::", account, ":root")
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "AccountAdministersThroughIam", "Effect": "Allow", "Principal": {"AWS": root},
                 "Action": "kms:*", "Resource": "*"},
                {"Sid": "CloudWatchLogsForPlatformLogGroups", "Effect": "Allow",
                 "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                 "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                 "Resource": "*",
                 "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}}},
            ],
        }
    )


def access_log_bucket(ctx: PlatformContext, account, tags: dict, parent: pulumi.Resource) -> aws.s3.Bucket | None:
    """The dedicated target of S3 server access logs and VPC flow logs (environments with access logging).
    SSE-S3: server access logging cannot deliver to a bucket whose default encryption is SSE-KMS (S3 User
    Guide, "Enabling Amazon S3 server access logging": destination bucket encryption)."""
    if not ctx.access_logging:
        return None

    def delivery(bucket: aws.s3.Bucket) -> list[dict]:
        same_account = {"StringEquals": {"aws:SourceAccount": account}}
        return [
            {"Sid": "S3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": pulumi.Output.concat(bucket.arn, "/", ACCESS_LOG_PREFIX, "*"),
             "Condition": same_account},
            {"Sid": "FlowLogsWrite", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": pulumi.Output.concat(bucket.arn, "/", FLOW_LOG_PREFIX, "*"),
             "Condition": same_account},
            {"Sid": "FlowLogsCheck", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
             "Action": ["s3:GetBucketAcl", "s3:ListBucket"], "Resource": bucket.arn, "Condition": same_account},
        ]

    return hardened_bucket(ctx, "access-logs", None, tags, parent=parent, sse_algorithm="AES256",
                           extra_statements=delivery)


def lock_down_vpc(ctx: PlatformContext, name: str, vpc: aws.ec2.Vpc, log_bucket: aws.s3.Bucket | None,
                  tags: dict) -> None:
    """No rule on the VPC's default security group (nothing may use it by accident), and flow logs of all
    traffic to the access-log bucket where the environment keeps access logs."""
    aws.ec2.DefaultSecurityGroup(ctx.name(name, "default-sg"), vpc_id=vpc.id, tags=tags, opts=ctx.child(vpc))
    if log_bucket is None:
        return
    aws.ec2.FlowLog(
        ctx.name(name, "flow-logs"),
        vpc_id=vpc.id,
        traffic_type="ALL",
        log_destination_type="s3",
        log_destination=pulumi.Output.concat(log_bucket.arn, "/", FLOW_LOG_PREFIX),
        tags=tags,
        opts=ctx.child(vpc),
    )


__all__ = ["access_log_bucket", "bedrock_invocation_log_group", "key_policy", "lock_down_vpc", "log_group_arn",
           "manages_bedrock_invocation_logging"]
