"""GCP use case: the platform's customer. Per use case:

- a service account (its one identity) granted only on its own resources: object access in the data and
  artifacts buckets under an IAM condition on its `use-cases/<name>/` prefix, and its feature groups
  (Vertex AI feature group IAM), and invoking its own endpoints only: a custom role holding
  `aiplatform.endpoints.predict` alone, bound on each of its endpoints (Vertex AI endpoint IAM policy,
  cloud.google.com/vertex-ai/docs/general/endpoint-access-control), never at the project;
- with a GPU share: Workload Identity from its namespace's Kubernetes service account on the GKE training
  cluster (whose GPU quota `gpu_shares.py` creates) to its service account, so its pods run as it;
- a Cloud Billing budget filtered on its `use-case` label, when it has a budget.

What GCP lacks or mlplat does not build here (docs/tenancy.md): Cloud Billing has no anomaly-alert
resource in the provider (anomalies show in the console only); Vertex AI Model Registry has no
per-model IAM, so a use case's models are its artifacts prefix.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from ..context import PlatformContext
from ..contract import UseCaseComponent
from ..outputs import UseCaseOutputs, pick
from ..naming import bounded_name, use_case_namespace as namespace_of, use_case_prefix
from ..spec.finops import UseCaseSpec
from .budget import billing_account, billing_budget
from .names import bq_name, use_case_account_id
from .gpu_shares import SERVICE_ACCOUNT

OBJECT_ROLE = "roles/storage.objectUser"
FEATURE_ROLE = "roles/aiplatform.featurestoreUser"
# Online prediction only: no get/list/deploy/update (a predefined role such as aiplatform.user would
# also let it change what the endpoint serves).
INVOKE_PERMISSIONS = ("aiplatform.endpoints.predict",)


class UseCase(UseCaseComponent):
    CLOUD = "gcp"
    COMPONENT = "UseCase"

    def __init__(self, name: str, ctx: PlatformContext, base, use_case: UseCaseSpec,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, opts)
        self.warn_if_budget_notifies_nobody(use_case)
        spec = ctx.spec
        uc = use_case.name
        labels = ctx.tags(use_case=uc)
        project = base.project
        self.account = gcp.serviceaccount.Account(
            ctx.name(uc, "identity"),
            account_id=use_case_account_id(uc),
            display_name=f"mlplat {ctx.prefix}: use case {uc}",
            project=project,
            opts=ctx.child(self),
        )
        member = pulumi.Output.concat("serviceAccount:", self.account.email)
        prefix = use_case_prefix(uc)
        for purpose, bucket in (("artifacts", base.artifacts_bucket), ("data", base.data_bucket)):
            gcp.storage.BucketIAMMember(
                ctx.name(uc, purpose, "prefix"),
                bucket=bucket.name,
                role=OBJECT_ROLE,
                member=member,
                condition={
                    "title": f"{uc} prefix only",
                    "expression": pulumi.Output.concat(
                        'resource.name.startsWith("projects/_/buckets/', bucket.name, f'/objects/{prefix}")'),
                },
                opts=ctx.child(self),
            )
        groups = [g for g in (spec.feature_store.feature_groups if spec.feature_store else []) if g.use_case == uc]
        for group in groups:
            gcp.vertex.AiFeatureGroupIamMember(
                ctx.name(uc, "features", group.name),
                feature_group=bq_name(group.name),
                region=spec.region,
                project=project,
                role=FEATURE_ROLE,
                member=member,
                opts=ctx.child(self),
            )
        self._endpoint_grants(ctx, uc, project, member)
        if use_case.gpu_share is not None:
            gcp.serviceaccount.IAMMember(
                ctx.name(uc, "workload-identity"),
                service_account_id=self.account.name,
                role="roles/iam.workloadIdentityUser",
                member=f"serviceAccount:{project}.svc.id.goog[{namespace_of(uc)}/{SERVICE_ACCOUNT}]",
                opts=ctx.child(self),
            )
        self.budget = None
        if use_case.budget is not None:
            self.budget = billing_budget(self, ctx, project, billing_account(ctx), use_case.budget, [uc],
                                         {"use-case": uc}, labels)
        self.finish(UseCaseOutputs(
            identity=self.account.email,
            data_prefix=pulumi.Output.concat("gs://", base.data_bucket.name, f"/{prefix}"),
            artifacts_prefix=pulumi.Output.concat("gs://", base.artifacts_bucket.name, f"/{prefix}"),
            model_group=pulumi.Output.concat("gs://", base.artifacts_bucket.name, f"/{prefix}models/"),
            budget=ctx.name(uc, "budget") if self.budget else None,
            gpu_share=namespace_of(uc) if use_case.gpu_share is not None else None,
        ))

    def _endpoint_grants(self, ctx: PlatformContext, uc: str, project, member) -> None:
        """Its own role (predict only) bound on each of its endpoints, from the endpoints' outputs."""
        own = [e.name for e in ctx.spec.endpoints if e.use_case == uc]
        if not own:
            return
        role = gcp.projects.IAMCustomRole(
            ctx.name(uc, "invoke"),
            project=project,
            role_id=bounded_name(ctx.name(uc, "invoke"), 64).replace("-", "_"),
            title=f"mlplat {ctx.prefix}: use case {uc} invokes its endpoints"[:100],
            description=f"mlplat {ctx.prefix}: online prediction on the endpoints of use case {uc} (bound per endpoint)",
            permissions=list(INVOKE_PERMISSIONS),
            stage="GA",
            opts=ctx.child(self),
        )
        for endpoint in own:
            gcp.vertex.AiEndpointIamMember(
                ctx.name(uc, "invoke", endpoint),
                endpoint=pick(ctx.built["endpoints"][endpoint], "endpoint_name"),
                location=ctx.spec.region,
                project=project,
                role=role.name,
                member=member,
                opts=ctx.child(self),
            )
