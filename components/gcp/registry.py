"""GCP model registry: an Artifact Registry Docker repository for serving images, the model artifacts
location in the platform's artifacts bucket, and the Vertex AI Model Registry (a built-in of Vertex AI in
every project and region: there is nothing to create, models are registered by uploading them).

Approval: the Vertex AI Model Registry has no approval status. mlplat maps `approval_required` to version
aliases (docs/feature-store-and-registry.md): a new version is uploaded without the serving alias
(`default_approval_status` = "pending"), and an approver adds the alias `approved`; serving deploys that
alias. Without approval, the uploading job sets the alias itself.

Who can approve: the workload service account (training jobs, pipelines, endpoints) gets a custom role
(`WORKLOAD_PERMISSIONS`) instead of `roles/aiplatform.user`: it can upload models and run jobs but has
no `aiplatform.models.update` (adding or moving version aliases), no model deletion and no endpoint
deploy/undeploy/update, so a job cannot approve an existing version or change what is served. Limit:
Vertex AI lets an upload set version aliases on the new version itself (`UploadModel` needs only
`aiplatform.models.upload`), so the `approved` alias on a freshly uploaded version is advisory; what is
served is decided by the endpoint spec and applied by the operator's `mlplat up`, which the workload
account cannot do (docs/feature-store-and-registry.md).

The repository: Docker format, immutable tags, untagged images deleted after 14 days, encrypted with the
platform key when customer-managed keys are on (the Artifact Registry service agent is granted the key).
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from ..contract import ModelRegistryComponent
from ..context import PlatformContext
from ..spec.registry import RegistrySpec
from .base import Base
from ..outputs import RegistryOutputs

UNTAGGED_IMAGE_AGE = f"{14 * 24 * 3600}s"
APPROVED_ALIAS = "approved"
# The Vertex AI permissions of the workload service account: roles/aiplatform.user minus whatever
# approves a version (aiplatform.models.update moves aliases), deletes models or changes what endpoints
# serve. Reads, uploads, jobs, predictions, online feature serving and vector queries/upserts only.
WORKLOAD_PERMISSIONS = (
    "aiplatform.locations.get",
    "aiplatform.locations.list",
    "aiplatform.operations.get",
    "aiplatform.operations.list",
    # model registry: upload new versions, read (never update aliases, never delete)
    "aiplatform.models.upload",
    "aiplatform.models.get",
    "aiplatform.models.list",
    # training and pipelines run as the workload account
    "aiplatform.customJobs.create",
    "aiplatform.customJobs.get",
    "aiplatform.customJobs.list",
    "aiplatform.customJobs.cancel",
    "aiplatform.pipelineJobs.create",
    "aiplatform.pipelineJobs.get",
    "aiplatform.pipelineJobs.list",
    "aiplatform.pipelineJobs.cancel",
    # serving: call endpoints (never deploy, undeploy or change the traffic split)
    "aiplatform.endpoints.get",
    "aiplatform.endpoints.list",
    "aiplatform.endpoints.predict",
    # online features
    "aiplatform.featureOnlineStores.get",
    "aiplatform.featureViews.get",
    "aiplatform.featureViews.fetchFeatureValues",
    # vector search: query the deployed index, upsert datapoints (indexes.update)
    "aiplatform.indexes.get",
    "aiplatform.indexes.update",
    "aiplatform.indexEndpoints.get",
    "aiplatform.indexEndpoints.queryVectors",
)
# What the workload account must never hold (checked by tests against WORKLOAD_PERMISSIONS).
APPROVER_PERMISSIONS = (
    "aiplatform.models.update",
    "aiplatform.models.delete",
    "aiplatform.models.setIamPolicy",
    "aiplatform.endpoints.deploy",
    "aiplatform.endpoints.undeploy",
    "aiplatform.endpoints.update",
    "aiplatform.endpoints.create",
    "aiplatform.endpoints.delete",
)


class ModelRegistry(ModelRegistryComponent):
    CLOUD = "gcp"
    COMPONENT = "ModelRegistry"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
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
        # Upload model versions to the Vertex AI Model Registry from jobs, without the power to approve
        # them (no alias updates) or to change what endpoints serve: a custom role, not aiplatform.user.
        self.workload_role = gcp.projects.IAMCustomRole(
            ctx.name("registry-workloads-role"),
            project=project,
            role_id=ctx.name("workloads").replace("-", "_"),
            title=f"mlplat {ctx.prefix} workloads (Vertex AI, no approval)"[:100],
            description=(
                f"mlplat {ctx.prefix}: upload models, run jobs, predict, read features, query vectors; "
                "no alias updates (approval), no deploy"
            ),
            permissions=list(WORKLOAD_PERMISSIONS),
            stage="GA",
            opts=ctx.child(self, depends_on=list(base.services)),
        )
        gcp.projects.IAMMember(
            ctx.name("registry-workloads-vertex"),
            project=project,
            role=self.workload_role.name,
            member=base.workload_account.member,
            opts=ctx.child(self.workload_role),
        )

        self.finish(
            RegistryOutputs(
                model_registry=pulumi.Output.format("projects/{0}/locations/{1}/models", project, region),
                image_repository_url=pulumi.Output.format(
                    "{0}-docker.pkg.dev/{1}/{2}", region, project, self.repository.repository_id
                ),
                approval_required=approval_required,
                default_approval_status="pending" if approval_required else "approved",
                extras={
                    "image_repository": self.repository.repository_id,
                    "model_artifacts_uri": pulumi.Output.concat(base.artifacts_bucket.url, "/models"),
                    "approval_alias": APPROVED_ALIAS,
                    "workload_role": self.workload_role.name,
                    "approval_enforced_at": (
                        "alias updates and deployments (the workload account has neither); an alias set at "
                        "upload is advisory"
                    ),
                },
            )
        )
