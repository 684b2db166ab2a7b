"""Azure inference endpoint: an Azure ML managed online endpoint with one managed deployment per
version, the endpoint's traffic split (applied after the deployments exist, by the `TrafficSplit`
dynamic resource, components/azure/traffic_setter.py), Azure Monitor autoscale settings between min
and max on each deployment (CPU utilisation, or GPU utilisation on GPU compute), Application Insights
and request/response payload collection.

Autoscale owns the instance count: a deployment's `sku.capacity` is set to min_replicas at creation
and then ignored (`ignore_changes`), so an update never resets a scaled-out deployment to the minimum.

Scale to zero: Azure ML managed online endpoints keep at least 1 instance per deployment;
`min_replicas: 0` is a spec validation error on Azure that suggests 1 (components/spec/platform.py).
Rollback: the traffic split is the rollout; see docs/endpoints.md (promote / roll back).
"""

from __future__ import annotations

import hashlib
import json

import pulumi
import pulumi_azure_native as azure
from pulumi_azure_native import machinelearningservices as ml

from ..catalog.gpus import cpu_shape, endpoint_shape
from ..contract import EndpointComponent
from ..context import PlatformContext
from ..spec.endpoints import EndpointSpec
from ..traffic import ServingVersion, split, versions
from .base import Base
from .names import endpoint_name
from .traffic_setter import TrafficSplit
from ..outputs import EndpointOutputs

# Custom images follow one container contract on every cloud: port 8080, GET /ping, POST /invocations.
CONTAINER_PORT = 8080
HEALTH_PATH = "/ping"
PREDICT_PATH = "/invocations"
# Autoscale on the deployment's CPU utilisation, or GPU utilisation on GPU compute (Azure Monitor
# metrics of Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments).
METRIC_NAMESPACE = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments"
CPU_METRIC = "CpuUtilizationPercentage"
GPU_METRIC = "GpuUtilizationPercentage"
SCALE_OUT_CPU_PERCENT = 70.0
SCALE_IN_CPU_PERCENT = 25.0
# Azure ML deployment property autoscale changes: never reset it on update.
AUTOSCALED = ["sku.capacity"]
# Online endpoint properties TrafficSplit (traffic_setter.py) owns (wire names of azure-native's
# OnlineEndpointProperties: `traffic`, `mirrorTraffic`).
LIVE_TRAFFIC = ["properties.traffic", "properties.mirrorTraffic"]
NO_CODE_PRIVATE = (
    "no-code MLflow deployment with egress disabled: Azure ML installs the model's conda/pip dependencies "
    "when the deployment starts, which needs outbound internet; set model.image (a custom environment image "
    "with the dependencies baked in, pushed to the platform's serving registry) (docs/endpoints.md)"
)
COOLDOWN = "PT5M"
REGISTRY_ASSET = "azureml://registries/"  # azureml://registries/<registry>/models/<name>/versions/<version>


def asset_version(*parts: str | None) -> str:
    """Azure ML asset versions are immutable: a new image or artifact gets a new version."""
    return hashlib.sha256("|".join(p or "" for p in parts).encode()).hexdigest()[:10]


def _data_collector(endpoint: EndpointSpec) -> ml.DataCollectorArgs | None:
    """Request/response logging of a deployment at the endpoint's sample rate, or None when it does not log."""
    if not endpoint.logging:
        return None
    rate = endpoint.logging_sample_percent / 100
    return ml.DataCollectorArgs(
        collections={
            "request": ml.CollectionArgs(data_collection_mode="Enabled", sampling_rate=rate),
            "response": ml.CollectionArgs(data_collection_mode="Enabled", sampling_rate=rate),
        },
        rolling_rate="Hour",
    )


class Endpoint(EndpointComponent):
    CLOUD = "azure"
    COMPONENT = "Endpoint"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        endpoint: EndpointSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        tags = ctx.tags(use_case=endpoint.use_case)
        field = f"endpoints.{ctx.spec.endpoints.index(endpoint)}"

        # -- versions, traffic split and size ---------------------------------------------------------
        served = versions(endpoint)
        shares = split(endpoint)
        if endpoint.min_replicas < 1:
            # The spec rejects this on Azure; never silently raised to 1 here.
            raise pulumi.RunError(
                f"{field}.min_replicas: Azure ML managed online endpoints cannot scale to zero; set min_replicas: 1"
            )
        instance_type = (
            cpu_shape("azure") if endpoint.compute == "cpu" else endpoint_shape("azure", endpoint.compute).instance_type
        )
        online_name = endpoint_name(ctx.prefix, endpoint.name)

        # -- models (one per version) -------------------------------------------------------------------
        model_ids = {}
        environment_ids = {}
        images = {}
        for version in served:
            model_ids[version.name] = self._model(ctx, base, endpoint, version, field, tags)
            if version.image:
                environment_ids[version.name] = self._environment(ctx, base, endpoint, version, tags)
            images[version.name] = version.image or "mlflow no-code (Azure ML managed serving image)"

        endpoint_properties = self._online_endpoint(ctx, base, endpoint, online_name, tags)

        no_code = [v.name for v in served if not v.image]
        if ctx.private and no_code:
            # Not refused here (the spec layer owns validation): stated on the plan and on `pulumi up`.
            pulumi.log.warn(f"{field}: versions {', '.join(no_code)}: {NO_CODE_PRIVATE}", self)
        deployments = self._deployments(ctx, base, endpoint, served, model_ids, environment_ids, instance_type, tags)
        self._traffic_split(ctx, base, endpoint, online_name, endpoint_properties, shares, deployments, tags)

        # -- safe rollout ------------------------------------------------------------------------------------
        # Azure ML has no alarm-driven automatic rollback: the canary share is the blast radius, and
        # rolling back is setting its traffic to 0 (docs/endpoints.md). Application Insights carries
        # the per-deployment errors and latency to alert on.

        scaling = self._autoscaling(ctx, base, endpoint, served, deployments, tags)

        # -- outputs -------------------------------------------------------------------------------------------
        self.finish(
            EndpointOutputs(
                endpoint_name=self.endpoint.name,
                url=self.endpoint.properties.scoring_uri,
                # The endpoint's auth_mode above: callers present an Entra ID token, keys are off.
                invoke_auth="Microsoft Entra token (auth_mode AADToken)",
                traffic=shares,  # applied by `TrafficSplit` (which fails the update if Azure refuses it)
                images=images,
                mode="managed-online",
                min_replicas=endpoint.min_replicas,
                max_replicas=endpoint.max_replicas,
                # The data collector writes to the workspace's default blob datastore.
                capture="azureml://datastores/workspaceblobstore" if endpoint.logging else None,
                scale_to_zero=False,
                scale_to_zero_gap="Azure ML managed online endpoints keep at least 1 instance per deployment",
                extras={
                    "scaling": scaling,
                    # Model version ARM ids by version ("stable", "canary"): what batch deployments score with.
                    "model_ids": model_ids,
                    "mlflow_versions": [name for name in model_ids if name not in environment_ids],
                    "request_logs": "application-insights" if endpoint.logging else None,
                    "dependency_install": (
                        {name: NO_CODE_PRIVATE for name in no_code} if ctx.private and no_code else None
                    ),
                },
            )
        )

    def _online_endpoint(self, ctx: PlatformContext, base: Base, endpoint: EndpointSpec, online_name: str, tags: dict) -> dict:
        """The online endpoint, with no traffic yet (Azure routes only to deployments that exist); returns its
        properties (part of the traffic split's fingerprint)."""
        rg, workspace, region = base.resource_group.name, base.workspace.name, ctx.spec.region
        endpoint_properties = {
            "auth_mode": "AADToken",
            "public_network_access": "Disabled" if ctx.private else "Enabled",
            "description": f"mlplat {ctx.prefix}: {endpoint.name}",
        }
        self.endpoint = azure.machinelearningservices.OnlineEndpoint(
            ctx.name(endpoint.name),
            endpoint_name=online_name,
            resource_group_name=rg,
            workspace_name=workspace,
            location=region,
            identity={"type": "UserAssigned", "user_assigned_identities": [base.identity.id]},
            properties=endpoint_properties,
            tags=tags,
            # The split is TrafficSplit's. After `pulumi refresh` azure-native copies the live traffic
            # into the endpoint's inputs; without this the next `up` would PUT the endpoint without
            # traffic (and TrafficSplit, seeing no change of its own, would leave it serving nothing).
            opts=ctx.child(self, ignore_changes=LIVE_TRAFFIC),
        )
        return endpoint_properties

    def _deployments(self, ctx: PlatformContext, base: Base, endpoint: EndpointSpec, served: list[ServingVersion],
                     model_ids: dict, environment_ids: dict, instance_type: str, tags: dict) -> dict:
        """One managed online deployment per served version, at min_replicas instances (autoscaled after)."""
        data_collector = _data_collector(endpoint)
        rg, workspace, region = base.resource_group.name, base.workspace.name, ctx.spec.region
        deployments = {}
        for version in served:
            # Typed args: `properties` is a union (managed | kubernetes), so plain dicts would reach
            # the provider with snake_case keys.
            properties = ml.ManagedOnlineDeploymentArgs(
                endpoint_compute_type="Managed",
                model=model_ids[version.name],
                environment_id=environment_ids.get(version.name),
                instance_type=instance_type,
                scale_settings=ml.DefaultScaleSettingsArgs(scale_type="Default"),
                app_insights_enabled=endpoint.logging,
                data_collector=data_collector,
                egress_public_network_access="Disabled" if ctx.private else "Enabled",
                request_settings=ml.OnlineRequestSettingsArgs(request_timeout="PT5S", max_concurrent_requests_per_instance=1),
            )
            deployments[version.name] = azure.machinelearningservices.OnlineDeployment(
                ctx.name(endpoint.name, version.name),
                deployment_name=version.name,
                endpoint_name=self.endpoint.name,
                resource_group_name=rg,
                workspace_name=workspace,
                location=region,
                sku={"name": "Default", "capacity": endpoint.min_replicas},
                properties=properties,
                tags=tags,
                opts=ctx.child(self.endpoint, ignore_changes=AUTOSCALED),
            )
        return deployments

    def _traffic_split(self, ctx: PlatformContext, base: Base, endpoint: EndpointSpec, online_name: str, endpoint_properties: dict, shares: dict,
                       deployments: dict, tags: dict) -> None:
        """The traffic split, applied by `TrafficSplit` once every deployment exists. The fingerprint of the
        endpoint's own inputs: an endpoint update (a PUT without traffic) is followed by the split being
        applied again."""
        rg, workspace, region = base.resource_group.name, base.workspace.name, ctx.spec.region
        revision = pulumi.Output.from_input(base.identity.id).apply(
            lambda identity_id: hashlib.sha256(
                json.dumps(
                    {
                        "name": online_name,
                        "location": region,
                        "identity": identity_id,
                        "properties": endpoint_properties,
                        "tags": tags,
                    },
                    sort_keys=True,
                ).encode()
            ).hexdigest()[:12]
        )
        self.traffic = TrafficSplit(
            ctx.name(endpoint.name, "traffic"),
            {
                "subscription_id": base.subscription_id,
                "resource_group": rg,
                "workspace": workspace,
                "endpoint": self.endpoint.name,
                "traffic": shares,
                "endpoint_revision": revision,
            },
            opts=ctx.child(self.endpoint, depends_on=list(deployments.values())),
        )

    def _autoscaling(self, ctx: PlatformContext, base: Base, endpoint: EndpointSpec, served: list[ServingVersion],
                     deployments: dict, tags: dict) -> dict:
        """Autoscaling of each deployment between min and max on CPU (or GPU) utilisation."""
        rg, region = base.resource_group.name, ctx.spec.region
        scaling = {}
        metric = CPU_METRIC if endpoint.compute == "cpu" else GPU_METRIC
        for version in served:
            deployment = deployments[version.name]
            azure.monitor.AutoscaleSetting(
                ctx.name(endpoint.name, version.name, "autoscale"),
                resource_group_name=rg,
                location=region,
                enabled=True,
                target_resource_uri=deployment.id,
                profiles=[
                    {
                        "name": "default",
                        "capacity": {
                            "minimum": str(endpoint.min_replicas),
                            "maximum": str(endpoint.max_replicas),
                            "default": str(endpoint.min_replicas),
                        },
                        "rules": [
                            self._rule(deployment.id, metric, "GreaterThan", SCALE_OUT_CPU_PERCENT, "Increase"),
                            self._rule(deployment.id, metric, "LessThan", SCALE_IN_CPU_PERCENT, "Decrease"),
                        ],
                    }
                ],
                tags=tags,
                opts=ctx.child(deployment),
            )
            scaling[version.name] = {"min": endpoint.min_replicas, "max": endpoint.max_replicas, "metric": metric}
        return scaling

    @staticmethod
    def _rule(deployment_id, metric: str, operator: str, threshold: float, direction: str) -> dict:
        return {
            "metric_trigger": {
                "metric_name": metric,
                "metric_namespace": METRIC_NAMESPACE,
                "metric_resource_uri": deployment_id,
                "operator": operator,
                "statistic": "Average",
                "threshold": threshold,
                "time_aggregation": "Average",
                "time_grain": "PT1M",
                "time_window": "PT5M",
            },
            "scale_action": {"direction": direction, "type": "ChangeCount", "value": "1", "cooldown": COOLDOWN},
        }

    def _artifact_uri(self, base, endpoint, version: ServingVersion, field: str):
        artifact = version.artifact
        blob = pulumi.Output.concat("https://", base.storage_account.name, ".blob.core.windows.net/artifacts/")
        if artifact is None:
            return pulumi.Output.concat(blob, version.artifact_key(endpoint.name))
        if artifact.startswith(("azureml://", "https://")):
            return artifact
        if "://" in artifact:
            where = "model" if version.name == "stable" else "canary.model"
            raise pulumi.RunError(f"{field}.{where}.artifact: Azure ML reads models from azureml:// or https:// only")
        return pulumi.Output.concat(blob, artifact.strip("/"))

    def _model(self, ctx, base, endpoint, version: ServingVersion, field: str, tags: dict):
        if (version.artifact or "").startswith(REGISTRY_ASSET):
            # A version promoted into a shared Azure ML registry: deployments reference the registry asset
            # id itself ("Share models across workspaces with registries"), nothing is registered here.
            return version.artifact
        container_name = ctx.name(endpoint.name, version.name)
        container = azure.machinelearningservices.ModelContainer(
            ctx.name(endpoint.name, version.name, "model"),
            name=container_name,
            resource_group_name=base.resource_group.name,
            workspace_name=base.workspace.name,
            properties={"description": f"{endpoint.name} {version.name}", "tags": tags},
            opts=ctx.child(self),
        )
        model = azure.machinelearningservices.ModelVersion(
            ctx.name(endpoint.name, version.name, "model-version"),
            name=container.name,
            version=asset_version(version.artifact, version.image, version.name),
            resource_group_name=base.resource_group.name,
            workspace_name=base.workspace.name,
            properties={
                "model_type": "custom_model" if version.image else "mlflow_model",
                "model_uri": self._artifact_uri(base, endpoint, version, field),
                "description": f"{endpoint.name} {version.name}",
                "tags": tags,
            },
            opts=ctx.child(container),
        )
        return model.id

    def _environment(self, ctx, base, endpoint, version: ServingVersion, tags: dict):
        container = azure.machinelearningservices.EnvironmentContainer(
            ctx.name(endpoint.name, version.name, "env"),
            name=ctx.name(endpoint.name, version.name),
            resource_group_name=base.resource_group.name,
            workspace_name=base.workspace.name,
            properties={"description": f"{endpoint.name} {version.name} serving image", "tags": tags},
            opts=ctx.child(self),
        )
        route = lambda path: {"path": path, "port": CONTAINER_PORT}  # noqa: E731
        environment = azure.machinelearningservices.EnvironmentVersion(
            ctx.name(endpoint.name, version.name, "env-version"),
            name=container.name,
            version=asset_version(version.image),
            resource_group_name=base.resource_group.name,
            workspace_name=base.workspace.name,
            properties={
                "image": version.image,
                "os_type": "Linux",
                "inference_config": {
                    "liveness_route": route(HEALTH_PATH),
                    "readiness_route": route(HEALTH_PATH),
                    "scoring_route": route(PREDICT_PATH),
                },
                "tags": tags,
            },
            opts=ctx.child(container),
        )
        return environment.id
