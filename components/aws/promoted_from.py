"""The downstream half of promotion on AWS: the execution role's own permission to use what the previous
environment's stack shares with this account (its `promotion` section makes the resource-side grants,
components/aws/promotion.py). Cross-account access needs both sides: the resource's policy naming this
account, and an identity policy in this account allowing the role.

The upstream resources are named from `promoted_from` alone, as every mlplat stack names them
(`<platform>-<environment>` = the upstream prefix, in the same region: SageMaker reads model data and
images from its own region):
- model package group `<prefix>-models` and its versions (`model-package/<group>/*`);
- ECR repository `<prefix>/serving` (+ `ecr:GetAuthorizationToken`, which has no resource);
- the artifacts bucket's `models/` prefix: the bucket's physical name is Pulumi's auto-name
  `<prefix>-artifacts-<random>`, so the statement matches `<prefix>-artifacts-*` and is pinned to the upstream
  account with `s3:ResourceAccount`;
- the platform key: its ARN holds a random key id, so the statement names the account's keys in the region and
  is pinned to the key's alias `alias/mlplat/<prefix>` with `kms:ResourceAliases` (KMS "Use aliases to control
  access to KMS keys"); a key without that alias (upstream without customer-managed keys) matches nothing.

Actions checked against the botocore service models in the venv: sagemaker DescribeModelPackage,
DescribeModelPackageGroup; ecr BatchGetImage, GetDownloadUrlForLayer, BatchCheckLayerAvailability,
GetAuthorizationToken; s3 GetObject, ListObjectsV2 (IAM action s3:ListBucket); kms Decrypt, DescribeKey.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..context import PlatformContext
from ..spec.promotion import PromotedFromSpec
from . import iam
from .base import MODELS_PREFIX
from .names import kms_alias

READ_MODEL_PACKAGES = ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup"]
PULL_IMAGES = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]


def upstream_prefix(ctx: PlatformContext, source: PromotedFromSpec) -> str:
    return f"{ctx.spec.name}-{source.environment}"


def promoted_from_statements(ctx: PlatformContext, source: PromotedFromSpec) -> list[dict]:
    """Identity-policy statements that let this stack's execution role read the upstream stack's approved
    model versions, serving images, model artifacts and key, each pinned to the upstream account."""
    prefix, account, region = upstream_prefix(ctx, source), source.principal, ctx.spec.region
    sagemaker = f"arn:aws:sagemaker:{region}:{account}"
    bucket = f"arn:aws:s3:::{prefix}-artifacts-*"
    in_upstream = {"StringEquals": {"s3:ResourceAccount": account}}
    return [
        {"Sid": "PromotedModelPackages", "Effect": "Allow", "Action": READ_MODEL_PACKAGES,
         "Resource": [f"{sagemaker}:model-package-group/{prefix}-models", f"{sagemaker}:model-package/{prefix}-models/*"]},
        {"Sid": "PromotedImages", "Effect": "Allow", "Action": PULL_IMAGES,
         "Resource": [f"arn:aws:ecr:{region}:{account}:repository/{prefix}/serving"]},
        {"Sid": "RegistryLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]},
        {"Sid": "PromotedArtifacts", "Effect": "Allow", "Action": ["s3:GetObject"],
         "Resource": [f"{bucket}/{MODELS_PREFIX}*"], "Condition": in_upstream},
        {"Sid": "PromotedArtifactsList", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [bucket],
         "Condition": {**in_upstream, "StringLike": {"s3:prefix": [f"{MODELS_PREFIX}*"]}}},
        {"Sid": "PromotedKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"],
         "Resource": [f"arn:aws:kms:{region}:{account}:key/*"],
         "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": [kms_alias(prefix)]}}},
    ]


def grant_promoted_reads(ctx: PlatformContext, role: aws.iam.Role, parent: pulumi.Resource) -> aws.iam.RolePolicy | None:
    """The execution role's policy on the upstream stack's shared resources, when the spec has `promoted_from`."""
    source = ctx.spec.promoted_from
    if source is None:
        return None
    return aws.iam.RolePolicy(
        ctx.name("execution-role-promoted-from"),
        role=role.id,
        policy=iam.policy_document(promoted_from_statements(ctx, source)),
        opts=ctx.child(parent),
    )
