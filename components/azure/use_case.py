"""Azure use case: the platform's customer. Per use case:

- a user-assigned managed identity (its one identity) with role assignments scoped to its own resources
  only: Storage Blob Data Contributor on the data and artifacts containers narrowed by an ABAC
  condition to its `use-cases/<name>/` path, and its own custom role (invoke endpoints, read and write
  feature sets and models) on each of its online endpoints, its feature sets and its own model container;
- its own model container in the platform workspace (when the platform has a registry);
- a consumption budget on the platform's resource group filtered on its `use-case` tag;
- with a GPU share, its own AmlCompute cluster of the training shape capped at its share (max nodes).

Cost anomaly alerts on Azure (Cost Management scheduled actions of kind InsightAlert) are scoped to a
subscription and take no tag filter, so there is no per-use-case anomaly alert: the budget's forecast
notification at 100% is the per-use-case early warning (docs/tenancy.md).
"""

from __future__ import annotations

import math

import pulumi
import pulumi_azure_native as azure

from ..catalog.gpus import shape_for
from ..contract import UseCaseComponent
from ..outputs import UseCaseOutputs
from ..context import PlatformContext
from ..naming import use_case_prefix
from ..spec.finops import UseCaseSpec
from . import roles
from .budget import IGNORED, budget_notifications, budget_start
from .names import endpoint_name, use_case_compute_name, workspace_name
from .training import cluster_properties

ML = "Microsoft.MachineLearningServices/workspaces"
# Its own custom role: what a use case does on the resources it is assigned at (never a wildcard).
OWN_ACTIONS = [
    f"{ML}/read",
    f"{ML}/onlineEndpoints/read",
    f"{ML}/onlineEndpoints/score/action",
    f"{ML}/featuresets/read",
    f"{ML}/featuresets/write",
    f"{ML}/models/read",
    f"{ML}/models/write",
]
BLOB_ACTIONS = ("read", "write", "delete", "add/action", "move/action")


def path_condition(prefix: str) -> str:
    """ABAC: blob reads and writes only under `prefix` (Azure's condition format 2.0)."""
    actions = " AND ".join(
        f"!(ActionMatches{{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/{a}'}})" for a in BLOB_ACTIONS)
    return (f"(({actions}) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] "
            f"StringStartsWith '{prefix}'))")


class UseCase(UseCaseComponent):
    CLOUD = "azure"
    COMPONENT = "UseCase"

    def __init__(self, name: str, ctx: PlatformContext, base, use_case: UseCaseSpec,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, opts)
        self.warn_if_budget_notifies_nobody(use_case)
        spec = ctx.spec
        tags = ctx.tags(use_case=use_case.name)
        rg = base.resource_group.name
        uc = use_case.name
        self.identity = azure.managedidentity.UserAssignedIdentity(
            ctx.name(uc, "identity"), resource_group_name=rg, location=spec.region, tags=tags, opts=ctx.child(self))
        principal = self.identity.principal_id

        self.models = None
        if spec.registry is not None:
            self.models = azure.machinelearningservices.ModelContainer(
                ctx.name(uc, "models"), name=ctx.name(uc, "models"), resource_group_name=rg,
                workspace_name=base.workspace.name,
                properties={"description": f"models of use case {uc}", "tags": tags}, opts=ctx.stateful(self))

        self.role = azure.authorization.RoleDefinition(
            ctx.name(uc, "role"),
            role_name=f"mlplat {ctx.prefix} use case {uc}",
            description=f"Use case {uc}: invoke its endpoints, read and write its feature sets and models",
            permissions=[{"actions": OWN_ACTIONS}],
            assignable_scopes=[base.resource_group.id],
            scope=base.resource_group.id,
            opts=ctx.child(self),
        )
        prefix = use_case_prefix(uc)
        for purpose in sorted(base.containers):
            scope = pulumi.Output.concat(base.storage_account.id, f"/blobServices/default/containers/{purpose}")
            roles.assign(ctx.name(uc, f"{purpose}-prefix"), base.subscription_id, principal,
                         roles.STORAGE_BLOB_DATA_CONTRIBUTOR, scope, self, condition=path_condition(prefix),
                         depends_on=[base.containers[purpose]])
        # Scopes spelled as Azure resource ids, so that the pack reads which resource each one names.
        workspace_id = lambda ws: pulumi.Output.concat(base.resource_group.id, f"/providers/{ML}/", ws)  # noqa: E731
        scopes: list[tuple[str, pulumi.Output]] = []
        for endpoint in (e for e in spec.endpoints if e.use_case == uc):
            scopes.append((f"endpoint-{endpoint.name}", pulumi.Output.concat(
                workspace_id(base.workspace.name), "/onlineEndpoints/", endpoint_name(ctx.prefix, endpoint.name))))
        for group in (g for g in (spec.feature_store.feature_groups if spec.feature_store else []) if g.use_case == uc):
            scopes.append((f"featureset-{group.name}", workspace_id(f"{workspace_name(ctx.prefix, 'fs')}/featuresets/{group.name}")))
        if self.models is not None:
            scopes.append(("models", pulumi.Output.concat(workspace_id(base.workspace.name), "/models/", self.models.name)))
        for label, scope in scopes:
            roles.assign(ctx.name(uc, label), base.subscription_id, principal, "", scope, self,
                         role_definition_id=self.role.id)

        self._gpu_share(ctx, base, use_case, tags, principal, workspace_id)

        self.budget = None
        if use_case.budget is not None:
            self.budget = azure.consumption.Budget(
                ctx.name(uc, "budget"), budget_name=ctx.name(uc, "budget"), scope=base.resource_group.id,
                amount=float(use_case.budget.monthly_usd), category="Cost", time_grain="Monthly",
                time_period={"start_date": budget_start()},
                filter={"tags": {"name": "use-case", "operator": "In", "values": [uc]}},
                notifications=budget_notifications(use_case.budget),
                opts=ctx.child(self, ignore_changes=IGNORED),
            )
        self.finish(UseCaseOutputs(
            identity=self.identity.client_id,
            data_prefix=pulumi.Output.concat("abfss://data@", base.storage_account.name, f".dfs.core.windows.net/{prefix}"),
            artifacts_prefix=pulumi.Output.concat(
                "abfss://artifacts@", base.storage_account.name, f".dfs.core.windows.net/{prefix}"),
            model_group=self.models.name if self.models else None,
            budget=ctx.name(uc, "budget") if self.budget else None,
            gpu_share=self.compute.name if self.compute else None,
        ))

    def _gpu_share(self, ctx: PlatformContext, base, use_case: UseCaseSpec, tags: dict, principal, workspace_id) -> None:
        """The use case's own GPU compute cluster, sized to its share of the training GPUs, usable through its role."""
        spec, rg, uc = ctx.spec, base.resource_group.name, use_case.name
        self.compute = None
        share = use_case.gpu_share
        if share is not None:
            training = spec.training
            shape = shape_for("azure", training.gpu, training.gpus_per_node)
            nodes = max(1, math.ceil(share.gpus(training.max_nodes * training.gpus_per_node) / training.gpus_per_node))
            self.compute = azure.machinelearningservices.Compute(
                ctx.name(uc, "training-compute"),
                compute_name=use_case_compute_name(uc),  # AmlCompute clusters: 2-16 characters
                resource_group_name=rg, workspace_name=base.workspace.name, location=spec.region,
                identity={"type": "UserAssigned", "user_assigned_identities": [self.identity.id]},
                properties=cluster_properties(ctx, shape, training, nodes, f"use case {uc}: "),
                tags=tags, opts=ctx.child(self),
            )
            compute_scope = pulumi.Output.concat(workspace_id(base.workspace.name), "/computes/", self.compute.name)
            roles.assign(ctx.name(uc, "compute"), base.subscription_id, principal, "", compute_scope, self,
                         role_definition_id=self.role.id)
