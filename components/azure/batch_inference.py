"""Scheduled batch inference on Azure: an Azure ML batch endpoint with one batch deployment (`stable`)
of the endpoint's stable model version on the training AmlCompute cluster (low priority when training is
spot), reading and writing the platform's storage through identity-based datastores (the account is
encrypted with the platform key when customer-managed keys are on), invoked on schedule by an Azure ML
`Schedule`.

How the schedule invokes it: the `InvokeBatchEndpoint` schedule action takes an
`endpoint_invocation_definition` typed `Any` in azure-native 3.x, documented only as "see TBD" in the
Azure REST specs (the sole example is a placeholder map, with no field naming the endpoint), so mlplat
cannot state a body the service is known to accept. The schedule's action is therefore `CreateJob`
(typed): a one-step command job on the same cluster, as the platform identity, that POSTs the
documented batch invocation body (`properties.InputData` / `OutputData`, learn.microsoft.com
"Create jobs and input data for batch endpoints", REST tab) to the endpoint's scoring URI with an
Entra token for `https://ml.azure.com` ("Authentication on batch endpoints": managed identity, CLI).

Facts (azure-native 3.x input types): `BatchEndpointPropertiesArgs(auth_mode, defaults, description)`,
`BatchEndpointDefaultsArgs(deployment_name)`, `BatchDeploymentPropertiesArgs(compute, model,
resources, output_action, output_file_name, retry_settings, mini_batch_size,
max_concurrency_per_instance, error_threshold, logging_level)`, `IdAssetReferenceArgs(asset_id,
reference_type="Id")`, `DeploymentResourceConfigurationArgs(instance_count)`,
`BatchRetrySettingsArgs(max_retries, timeout)`; `Schedule` as in components/azure/retraining.py.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_azure_native as azure

from ..outputs import BatchInferenceOutputs, pick
from ..context import PlatformContext
from ..contract import BatchInferenceComponent
from ..spec.retraining import BatchInferenceSpec, store_path
from . import roles
from .base import Base
from .endpoint import asset_version
from .names import endpoint_name

DEPLOYMENT = "stable"
# Runs `az rest` with the cluster's identity; the Azure CLI image carries `az` and nothing else.
# Pinned: this version's `az login --identity --username` takes a user-assigned identity's client id.
INVOKER_IMAGE = "mcr.microsoft.com/azure-cli:2.67.0"
ML_RESOURCE = "https://ml.azure.com"
INVOKE = (
    'az login --identity --username "$AZURE_CLIENT_ID" --allow-no-subscriptions --output none && '
    f'az rest --method post --url "$SCORING_URI" --resource {ML_RESOURCE} '
    '--headers "azureml-model-deployment=$BATCH_DEPLOYMENT" --body "$INVOCATION"'
)
OUTPUT_FILE = "predictions.csv"


class BatchInference(BatchInferenceComponent):
    CLOUD = "azure"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        item: BatchInferenceSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        endpoint = ctx.built["endpoints"][item.endpoint]
        training = ctx.built["training"]["training"]
        tags = ctx.tags(item.use_case)
        stem = ctx.name("batch", item.name)
        workspace = dict(resource_group_name=base.resource_group.name, workspace_name=base.workspace.name)
        self._datastores: dict[str, azure.machinelearningservices.Datastore] = {}
        input_uri, output_uri = (self._datastore_uri(ctx, base, item, location, tags) for location in (item.input, item.output))

        self.endpoint = azure.machinelearningservices.BatchEndpoint(
            stem,
            endpoint_name=endpoint_name(ctx.prefix, f"batch-{item.name}"),
            location=ctx.spec.region,
            properties={"auth_mode": "AADToken", "description": f"mlplat {ctx.prefix}: batch scoring {item.name}",
                        "defaults": {"deployment_name": DEPLOYMENT}},
            tags=tags,
            opts=ctx.child(self),
            **workspace,
        )
        self.deployment = azure.machinelearningservices.BatchDeployment(
            f"{stem}-{DEPLOYMENT}",
            endpoint_name=self.endpoint.name,
            deployment_name=DEPLOYMENT,
            location=ctx.spec.region,
            properties={
                "description": f"{item.endpoint} stable model",
                "compute": pick(training, "compute_id"),
                "model": {"reference_type": "Id", "asset_id": pick(endpoint, "model_ids")["stable"]},
                "resources": {"instance_count": item.instance_count},
                "output_action": "AppendRow",
                "output_file_name": OUTPUT_FILE,
                "mini_batch_size": 10,
                "max_concurrency_per_instance": 1,
                "retry_settings": {"max_retries": 3, "timeout": "PT30M"},
                "logging_level": "Info",
            },
            tags=tags,
            opts=ctx.child(self.endpoint),
            **workspace,
        )
        invocation = pulumi.Output.json_dumps({"properties": {
            "InputData": {"input": {"JobInputType": "UriFolder", "Uri": input_uri}},
            "OutputData": {"score": {"JobOutputType": "UriFolder", "Uri": output_uri}},
        }})
        self.schedule = self._schedule(ctx, base, item, stem, tags, workspace, training, invocation)
        self.finish(BatchInferenceOutputs.from_dict({
            "schedule": self.schedule.name,
            "schedule_expression": item.schedule,
            "input_uri": input_uri,
            "output_uri": output_uri,
            "batch_endpoint": self.endpoint.name,
            "scoring_uri": self.endpoint.properties.scoring_uri,
            "deployment": DEPLOYMENT,
            "spot": bool(ctx.spec.training.spot),
        }))

    def _schedule(self, ctx: PlatformContext, base: Base, item: BatchInferenceSpec, stem: str, tags: dict,
                  workspace: dict, training: dict, invocation) -> azure.machinelearningservices.Schedule:
        """The Azure ML schedule whose command job invokes the batch endpoint as the platform identity."""
        container = azure.machinelearningservices.EnvironmentContainer(
            f"{stem}-invoker", name=f"{stem}-invoker",
            properties={"description": f"invokes batch endpoint {item.name}", "tags": tags},
            opts=ctx.child(self), **workspace,
        )
        environment = azure.machinelearningservices.EnvironmentVersion(
            f"{stem}-invoker-version", name=container.name, version=asset_version(INVOKER_IMAGE),
            properties={"image": INVOKER_IMAGE, "os_type": "Linux", "tags": tags},
            opts=ctx.child(container), **workspace,
        )
        invoker = invoker_grant(ctx, base, self)
        return azure.machinelearningservices.Schedule(
            stem,
            name=stem,
            properties={
                "display_name": f"batch {item.name}",
                "is_enabled": True,
                "trigger": {"trigger_type": "Cron", "expression": item.schedule, "time_zone": "UTC"},
                "action": {
                    "action_type": "CreateJob",
                    "job_definition": {
                        "job_type": "Command",
                        "command": INVOKE,
                        "environment_id": environment.id,
                        "compute_id": pick(training, "compute_id"),
                        "experiment_name": stem,
                        "identity": {"identity_type": "Managed", "client_id": base.identity.client_id},
                        "environment_variables": {
                            "AZURE_CLIENT_ID": base.identity.client_id,
                            "SCORING_URI": self.endpoint.properties.scoring_uri,
                            "BATCH_DEPLOYMENT": DEPLOYMENT,
                            "INVOCATION": invocation,
                        },
                        "tags": tags,
                    },
                },
                "tags": tags,
            },
            opts=ctx.child(self, depends_on=[self.deployment, invoker]),
            **workspace,
        )

    def _datastore_uri(self, ctx: PlatformContext, base: Base, item: BatchInferenceSpec, location: str, tags: dict):
        """`azureml://datastores/<store>/paths/<path>` on an identity-based datastore over the platform
        container (batch endpoints write outputs to blob datastores only)."""
        store, path = store_path(location)
        name = f"batch_{item.name}_{store}".replace("-", "_").lower()
        datastore = self._datastores.get(name)
        if datastore is None:
            datastore = self._datastores[name] = azure.machinelearningservices.Datastore(
                ctx.name("batch", item.name, store),
                name=name,
                resource_group_name=base.resource_group.name,
                workspace_name=base.workspace.name,
                properties={
                    "datastore_type": "AzureBlob",
                    "account_name": base.storage_account.name,
                    "container_name": store,
                    "protocol": "https",
                    "credentials": {"credentials_type": "None"},
                    "service_data_access_auth_identity": "WorkspaceUserAssignedIdentity",
                    "description": f"mlplat {ctx.prefix}: batch scoring {item.name} ({store})",
                    "tags": tags,
                },
                opts=ctx.child(self, depends_on=[base.containers[store]]),
            )
        return pulumi.Output.concat("azureml://datastores/", datastore.name, "/paths/", path)


def invoker_grant(ctx: PlatformContext, base: Base, parent: pulumi.Resource) -> azure.authorization.RoleAssignment:
    """AzureML Data Scientist on the workspace for the platform identity, once per platform (Azure refuses
    a second identical assignment; the first batch inference entry holds it): invoking a batch endpoint
    creates a job as the caller, who must read endpoints and deployments, create jobs, experiments and
    runs, and use datastores ("Authentication on batch endpoints")."""
    grants = base.__dict__.setdefault("_batch_invoker", [])
    if not grants:
        grants.append(roles.assign(ctx.name("identity-batch-invoker"), base.subscription_id, base.identity.principal_id,
                                   roles.AZUREML_DATA_SCIENTIST, base.workspace.id, parent))
    return grants[0]
