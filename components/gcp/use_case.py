"""GCP use case: the platform's customer. Per use case:

- a service account (its one identity) granted only on its own resources: object access in the data and
  artifacts buckets under an IAM condition on its `use-cases/<name>/` prefix, and its feature groups
  (Vertex AI feature group IAM);
- a Cloud Billing budget filtered on its `use-case` label, when it has a budget.

What GCP lacks or mlplat does not build here (docs/tenancy.md): Cloud Billing has no anomaly-alert
resource in the provider (anomalies show in the console only); Vertex AI Model Registry has no
per-model IAM, so a use case's models are its artifacts prefix; Vertex endpoint ids are generated
by Vertex, so invoking its endpoints is granted by the operator (`gcloud ai endpoints add-iam-policy-binding`
with the stack output `identity`), not by this component.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from ..context import PlatformContext
from ..contract import UseCaseComponent
from ..outputs import UseCaseOutputs
from ..naming import bounded_name
from ..spec.finops import UseCaseSpec
from ..spec.tenancy import use_case_prefix
from .budget import billing_account, billing_budget
from .feature_store import bq_name

ACCOUNT_ID_MAX = 30  # service account ids: 6-30 lower-case letters, digits and hyphens
OBJECT_ROLE = "roles/storage.objectUser"
FEATURE_ROLE = "roles/aiplatform.featurestoreUser"


def account_id(use_case: str) -> str:
    return bounded_name(f"uc-{use_case}-id", ACCOUNT_ID_MAX)


class UseCase(UseCaseComponent):
    CLOUD = "gcp"
    COMPONENT = "UseCase"

    def __init__(self, name: str, ctx: PlatformContext, base, use_case: UseCaseSpec,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, opts)
        spec = ctx.spec
        uc = use_case.name
        labels = ctx.tags(use_case=uc)
        project = base.project
        self.account = gcp.serviceaccount.Account(
            ctx.name(uc, "identity"),
            account_id=account_id(uc),
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
            gpu_share=None,
        ))
