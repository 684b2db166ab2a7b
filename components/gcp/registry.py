"""GCP model registry: an Artifact Registry Docker repository for serving images, the model artifacts
location in the platform's artifacts bucket, and the Vertex AI Model Registry (a built-in of Vertex AI in
every project and region: there is nothing to create, models are registered by uploading them).

Approval: the Vertex AI Model Registry has no approval status. mlplat maps `approval_required` to version
aliases (docs/feature-store-and-registry.md): a new version is uploaded without the serving alias
(`default_approval_status` = "pending"), and an approver adds the alias `approved`; serving deploys that
alias. Without approval, the uploading job sets the alias itself.

The repository: Docker format, immutable tags, untagged images deleted after 14 days, encrypted with the
platform key when customer-managed keys are on (the Artifact Registry service agent is granted the key).
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from ..component import PlatformComponent
from ..context import PlatformContext
from ..spec.registry import Registry as RegistrySpec

UNTAGGED_IMAGE_AGE = f"{14 * 24 * 3600}s"
APPROVED_ALIAS = "approved"


class ModelRegistry(PlatformComponent):
    CLOUD = "gcp"
    COMPONENT = "ModelRegistry"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base,
        registry: RegistrySpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        labels = ctx.tags()
        region = ctx.spec.region
        project = base.project
        approval_required = bool(registry.approval_required)
        depends: list[pulumi.Resource] = list(base.services)

        depends = [*depends, *base.key_access("artifactregistry")]

        self.repository = gcp.artifactregistry.Repository(
            ctx.name("serving-images"),
            project=project,
            location=region,
            repository_id=ctx.name("serving"),
            format="DOCKER",
            description=f"mlplat {ctx.prefix}: serving images (immutable tags)",
            docker_config={"immutable_tags": True},
            kms_key_name=base.key_id,
            cleanup_policy_dry_run=False,
            cleanup_policies=[
                {
                    "id": "delete-untagged",
                    "action": "DELETE",
                    "condition": {"tag_state": "UNTAGGED", "older_than": UNTAGGED_IMAGE_AGE},
                }
            ],
            labels=labels,
            opts=ctx.stateful(self, depends_on=depends),
            **({"deletion_policy": "PREVENT"} if ctx.protect else {}),
        )
        gcp.artifactregistry.RepositoryIamMember(
            ctx.name("serving-images-workloads"),
            project=project,
            location=region,
            repository=self.repository.name,
            role="roles/artifactregistry.reader",
            member=base.workload_account.member,
            opts=ctx.child(self.repository),
        )
        # Upload model versions to the Vertex AI Model Registry (and deploy them) from training jobs.
        gcp.projects.IAMMember(
            ctx.name("registry-workloads-vertex"),
            project=project,
            role="roles/aiplatform.user",
            member=base.workload_account.member,
            opts=ctx.child(self, depends_on=list(base.services)),
        )

        self.finish(
            {
                "image_repository": self.repository.repository_id,
                "image_repository_url": pulumi.Output.format(
                    "{0}-docker.pkg.dev/{1}/{2}", region, project, self.repository.repository_id
                ),
                "model_artifacts_uri": pulumi.Output.concat(base.artifacts_bucket.url, "/models"),
                "model_registry": pulumi.Output.format("projects/{0}/locations/{1}/models", project, region),
                "approval_required": approval_required,
                "default_approval_status": "pending" if approval_required else "approved",
                "approval_alias": APPROVED_ALIAS,
            }
        )
