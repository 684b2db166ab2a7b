"""Azure training cluster: an Azure ML compute cluster (AmlCompute) in the platform workspace, low
priority by default, scaling from 0 to `max_nodes` and back after `idle_minutes`, local auth off, the
platform's user-assigned identity, and a checkpoint datastore on the encrypted artifacts container.

Sections (the same order in aws/training.py and gcp/training.py):
  shape -> checkpoint storage -> network -> identities -> compute -> job submission -> outputs
"""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure

from ..catalog.gpus import shape_for
from ..contract import TrainingComponent
from ..context import PlatformContext
from ..spec.training import TrainingSpec
from .base import Base
from .names import compute_name
from ..outputs import TrainingOutputs

CHECKPOINT_PREFIX = "checkpoints"
CHECKPOINT_DATASTORE = "training_checkpoints"  # datastore names: letters, digits and underscores


def idle_duration(minutes: int) -> str:
    """ISO-8601 duration AmlCompute expects for `node_idle_time_before_scale_down` (PT15M)."""
    return f"PT{minutes}M"


def cluster_properties(ctx: PlatformContext, shape, training: TrainingSpec, max_nodes: int, purpose: str = "") -> dict:
    """An AmlCompute cluster of `shape` scaling from 0 to `max_nodes` (the platform's, or a use case's share)."""
    # The base workspace isolates its managed computes in its managed virtual network (outbound only
    # to approved targets when private). Azure ML rejects a customer subnet on a compute in such a
    # workspace, so the cluster joins the managed network; private adds no public IP on the nodes.
    network = {"enable_node_public_ip": False} if ctx.private else {}
    return {
        "compute_type": "AmlCompute",
        "description": f"mlplat {ctx.prefix}: {purpose}{shape.describe()} x up to {max_nodes}",
        "disable_local_auth": True,
        "properties": {
            "vm_size": shape.instance_type,
            "vm_priority": "LowPriority" if training.spot else "Dedicated",
            "os_type": "Linux",
            "scale_settings": {
                "min_node_count": 0,
                "max_node_count": max_nodes,
                "node_idle_time_before_scale_down": idle_duration(training.idle_minutes),
            },
            "remote_login_port_public_access": "Disabled",
            **network,
        },
    }


class TrainingCluster(TrainingComponent):
    CLOUD = "azure"
    COMPONENT = "TrainingCluster"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        training: TrainingSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        self.ctx = ctx
        tags = ctx.tags(use_case=training.use_case)
        rg = base.resource_group.name
        workspace = base.workspace.name

        # -- shape (from the GPU catalog) -------------------------------------------------------------
        shape = shape_for("azure", training.gpu, training.gpus_per_node)

        # -- checkpoint storage: the encrypted artifacts container, as an identity-based datastore -----
        container = "artifacts"  # base names each container after its purpose
        self._checkpoint_datastore(ctx, base, container, tags)

        checkpoint_uri = f"azureml://datastores/{CHECKPOINT_DATASTORE}/paths/{CHECKPOINT_PREFIX}/"
        checkpoint_url = pulumi.Output.concat(
            f"abfss://{container}@", base.storage_account.name, f".dfs.core.windows.net/{CHECKPOINT_PREFIX}/"
        )

        # -- network: the workspace's managed network (cluster_properties) --------------------------------

        # -- identities ------------------------------------------------------------------------------------
        # The platform identity (base): Storage Blob Data Contributor on the account, AcrPull on the
        # registry, and the key (when customer-managed). No SSH users, no keys.
        identity = {"type": "UserAssigned", "user_assigned_identities": [base.identity.id]}

        # -- compute -----------------------------------------------------------------------------------------
        self.compute = azure.machinelearningservices.Compute(
            ctx.name("training-compute"),
            compute_name=compute_name(ctx.prefix),
            resource_group_name=rg,
            workspace_name=workspace,
            location=ctx.spec.region,
            identity=identity,
            properties=cluster_properties(ctx, shape, training, training.max_nodes),
            tags=tags,
            opts=ctx.child(self),
        )

        # -- job submission: `az ml job create --set compute=azureml:<compute_name>` (docs/training.md) ----
        submit_to = self.compute.name

        # -- outputs: what a user needs to submit a job ----------------------------------------------------
        self.finish(
            TrainingOutputs.of(
                training,
                shape,
                submit_to=submit_to,
                checkpoint_uri=checkpoint_uri,
                extras={
                    "compute_id": self.compute.id,
                    "workspace": workspace,
                    "resource_group": rg,
                    "checkpoint_url": checkpoint_url,
                    "checkpoint_datastore": CHECKPOINT_DATASTORE,
                    "identity_client_id": base.identity.client_id,
                },
            )
        )

    def _checkpoint_datastore(self, ctx: PlatformContext, base: Base, container: str, tags: dict) -> None:
        """The encrypted artifacts container as an identity-based datastore: no keys or SAS, jobs reach storage
        with their identity (shared keys are disabled)."""
        rg, workspace = base.resource_group.name, base.workspace.name
        artifacts = base.containers[container]
        self.datastore = azure.machinelearningservices.Datastore(
            ctx.name("training-checkpoints"),
            name=CHECKPOINT_DATASTORE,
            resource_group_name=rg,
            workspace_name=workspace,
            properties={
                "datastore_type": "AzureBlob",
                "account_name": base.storage_account.name,
                "container_name": container,
                "protocol": "https",
                # No keys or SAS: jobs reach storage with their identity (shared keys are disabled).
                "credentials": {"credentials_type": "None"},
                "service_data_access_auth_identity": "WorkspaceUserAssignedIdentity",
                "description": f"mlplat {ctx.prefix}: training checkpoints (prefix {CHECKPOINT_PREFIX}/)",
                "tags": tags,
            },
            opts=ctx.child(self, depends_on=[artifacts]),
        )
