"""The one way mlplat makes an S3 bucket: SSE-KMS (the platform key when customer-managed keys are on),
public access blocked, versioning, owner-enforced objects, TLS-only policy; protected in prod."""

from __future__ import annotations

from typing import Callable

import pulumi
import pulumi_aws as aws

from ..context import PlatformContext
from . import iam


def hardened_bucket(ctx: PlatformContext, purpose: str, key_arn, tags: dict, parent: pulumi.Resource,
                    read_prefix_for: tuple[str, str] | None = None, log_bucket: aws.s3.Bucket | None = None,
                    sse_algorithm: str = "aws:kms",
                    extra_statements: Callable[[aws.s3.Bucket], list[dict]] | None = None) -> aws.s3.Bucket:
    """An encrypted, private, TLS-only bucket. `read_prefix_for` = (account id, key prefix) lets that
    account read the prefix (promotion: the next environment's stack reads approved model artifacts);
    `log_bucket`: where S3 server access logs of this bucket go (under `access-logs/<bucket>/`);
    `extra_statements`: more bucket-policy statements (one policy per bucket: a second would replace it)."""
    bucket = aws.s3.Bucket(ctx.name(purpose), force_destroy=False, tags=tags, opts=ctx.stateful(parent))
    child = ctx.child(bucket)
    default = {"sse_algorithm": sse_algorithm}
    if key_arn is not None:
        default["kms_master_key_id"] = key_arn
    aws.s3.BucketServerSideEncryptionConfiguration(
        ctx.name(purpose, "encryption"),
        bucket=bucket.id,
        rules=[{"apply_server_side_encryption_by_default": default, "bucket_key_enabled": True}],
        opts=child,
    )
    aws.s3.BucketPublicAccessBlock(
        ctx.name(purpose, "public-access-block"),
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    aws.s3.BucketVersioning(
        ctx.name(purpose, "versioning"),
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        opts=child,
    )
    aws.s3.BucketOwnershipControls(
        ctx.name(purpose, "ownership"),
        bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced"},
        opts=child,
    )
    aws.s3.BucketPolicy(
        ctx.name(purpose, "tls-only"),
        bucket=bucket.id,
        policy=iam.policy_document(
            [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
                *_reader_statements(bucket, read_prefix_for),
            ]
            + (extra_statements(bucket) if extra_statements else [])
        ),
        opts=child,
    )
    if log_bucket is not None:
        aws.s3.BucketLogging(
            ctx.name(purpose, "access-logging"),
            bucket=bucket.id,
            target_bucket=log_bucket.id,
            target_prefix=pulumi.Output.concat("access-logs/", bucket.id, "/"),
            opts=child,
        )
    return bucket


def _reader_statements(bucket: aws.s3.Bucket, read_prefix_for: tuple[str, str] | None) -> list[dict]:
    if read_prefix_for is None:
        return []
    account, prefix = read_prefix_for
    principal = {"AWS": f"arn:aws:iam::{account}:root"}
    return [
        {"Sid": "PromotionRead", "Effect": "Allow", "Principal": principal, "Action": ["s3:GetObject"],
         "Resource": [pulumi.Output.concat(bucket.arn, f"/{prefix}*")]},
        {"Sid": "PromotionList", "Effect": "Allow", "Principal": principal, "Action": ["s3:ListBucket"],
         "Resource": [bucket.arn], "Condition": {"StringLike": {"s3:prefix": [f"{prefix}*"]}}},
    ]
