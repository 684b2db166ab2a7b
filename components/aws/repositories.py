"""The one way mlplat makes an ECR repository: immutable tags, scan on push, the platform key when
customer-managed keys are on (AES256 otherwise), untagged images expire; protected in prod."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ..context import PlatformContext

UNTAGGED_IMAGE_DAYS = 14


def hardened_repository(
    ctx: PlatformContext, purpose: str, repository_name: str, key_arn, tags: dict, parent: pulumi.Resource
) -> aws.ecr.Repository:
    if key_arn is not None:
        encryption = [{"encryption_type": "KMS", "kms_key": key_arn}]
    else:
        encryption = [{"encryption_type": "AES256"}]
    repository = aws.ecr.Repository(
        ctx.name(purpose),
        name=repository_name,
        image_tag_mutability="IMMUTABLE",
        image_scanning_configuration={"scan_on_push": True},
        encryption_configurations=encryption,
        force_delete=False,
        tags=tags,
        opts=ctx.stateful(parent),
    )
    aws.ecr.LifecyclePolicy(
        ctx.name(purpose, "lifecycle"),
        repository=repository.name,
        policy=json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "description": f"expire untagged images after {UNTAGGED_IMAGE_DAYS} days",
                        "selection": {
                            "tagStatus": "untagged",
                            "countType": "sinceImagePushed",
                            "countUnit": "days",
                            "countNumber": UNTAGGED_IMAGE_DAYS,
                        },
                        "action": {"type": "expire"},
                    }
                ]
            }
        ),
        opts=ctx.child(repository),
    )
    return repository
