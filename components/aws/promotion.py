"""Promotion on AWS: the next environment's account may read this stack's approved models.

- the model package group's resource policy lets that account describe and list the group's versions
  (SageMaker cross-account model package groups: the downstream stack creates a model from a version ARN);
- the serving image repository's policy lets it pull images;
- the artifacts bucket lets it read `models/` (the base bucket policy, `read_prefix_for`);
- with a customer-managed key, a KMS grant lets it decrypt what the key encrypted (artifacts, images).

Grants live on this (upstream) stack only; the downstream stack names the version ARN it deploys.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..outputs import PromotionOutputs, pick
from ..context import PlatformContext
from ..contract import PromotionComponent
from ..spec.retraining import PromotionSpec
from . import iam
from .base import Base

READ_MODEL_PACKAGES = ["sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage",
                       "sagemaker:ListModelPackages"]
PULL_IMAGES = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]


class Promotion(PromotionComponent):
    CLOUD = "aws"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        item: PromotionSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        registry = ctx.built["registry"]["registry"]
        downstream = {"AWS": f"arn:aws:iam::{item.principal}:root"}
        group_arn = pick(registry, "model_package_group_arn")
        aws.sagemaker.ModelPackageGroupPolicy(
            ctx.name("promotion-models"),
            model_package_group_name=pick(registry, "model_registry"),
            resource_policy=iam.policy_document([{
                "Sid": "PromoteTo" + item.to.capitalize(),
                "Effect": "Allow",
                "Principal": downstream,
                "Action": READ_MODEL_PACKAGES,
                "Resource": [group_arn, group_arn.apply(lambda a: a.replace(":model-package-group/", ":model-package/") + "/*")],
            }]),
            opts=ctx.child(self),
        )
        aws.ecr.RepositoryPolicy(
            ctx.name("promotion-images"),
            repository=pick(registry, "image_repository"),
            policy=iam.policy_document([{
                "Sid": "PullFrom" + item.to.capitalize(), "Effect": "Allow", "Principal": downstream, "Action": PULL_IMAGES,
            }]),
            opts=ctx.child(self),
        )
        if base.key_arn is not None:
            aws.kms.Grant(
                ctx.name("promotion-key"),
                key_id=base.key_arn,
                grantee_principal=downstream["AWS"],
                operations=["Decrypt", "DescribeKey"],
                opts=ctx.child(self),
            )
        self.finish(PromotionOutputs.from_dict({
            "to": item.to,
            "principal": item.principal,
            "model_package_group_arn": group_arn,
            "image_repository_url": pick(registry, "image_repository_url"),
            "artifacts_read_prefix": pulumi.Output.concat("s3://", base.artifacts_bucket.bucket, "/models/"),
        }))
