"""Promotion on GCP: the next environment's workload service account (in its own project) may read this
project's Vertex AI models (an approved version's image and artifact), pull its serving images, and read its
model artifacts under `models/`; that stack (`promoted_from`) uploads the version as this account.

The downstream account is known before that stack exists: every mlplat stack's workload account is
`workload_account_id(<platform>-<environment>)` in its project. Vertex AI has no per-model
IAM, so model read is a project grant of a two-permission custom role; the bucket grant is conditioned
on the `models/` prefix (IAM conditions on `resource.name`).
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from ..outputs import PromotionOutputs, pick
from ..context import PlatformContext
from ..contract import PromotionComponent
from ..spec.retraining import PromotionSpec
from .base import Base
from .names import workload_account_id
from .custom_roles import grant_custom_role

READ_MODELS = ("aiplatform.models.get", "aiplatform.models.list")


def downstream_workload_account(ctx: PlatformContext, item: PromotionSpec) -> str:
    account_id = workload_account_id(f"{ctx.spec.name}-{item.to}")
    return f"serviceAccount:{account_id}@{item.principal}.iam.gserviceaccount.com"


class Promotion(PromotionComponent):
    CLOUD = "gcp"

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
        project, region = base.project, ctx.spec.region
        member = downstream_workload_account(ctx, item)
        grant_custom_role(ctx, self, ctx.name("promotion-models"), project, READ_MODELS, member,
                          f"Read Vertex AI models: {item.to} deploys an approved version's image and artifact")
        gcp.artifactregistry.RepositoryIamMember(
            ctx.name("promotion-images"),
            project=project,
            location=region,
            repository=pick(registry, "image_repository"),
            role="roles/artifactregistry.reader",
            member=member,
            opts=ctx.child(self),
        )
        gcp.storage.BucketIAMMember(
            ctx.name("promotion-artifacts"),
            bucket=base.artifacts_bucket.name,
            role="roles/storage.objectViewer",
            member=member,
            condition={
                "title": "models only",
                "expression": base.artifacts_bucket.name.apply(
                    lambda b: f'resource.name.startsWith("projects/_/buckets/{b}/objects/models/")'),
            },
            opts=ctx.child(self),
        )
        self.finish(PromotionOutputs.from_dict({"to": item.to, "principal": item.principal, "member": member,
                     "model_registry": pick(registry, "model_registry"), "image_repository_url": pick(registry, "image_repository_url")}))
