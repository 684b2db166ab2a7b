"""Azure inference endpoint: an Azure ML managed online endpoint with one managed deployment per
version, the endpoint's traffic split, Azure Monitor autoscale settings between min and max on each
deployment, Application Insights and request/response payload collection.

Scale to zero: Azure ML managed online endpoints keep at least 1 instance per deployment;
`min_replicas: 0` is a spec validation error on Azure that suggests 1 (components/spec/platform.py).
Rollback: the traffic split is the rollout; see docs/endpoints.md (promote / roll back).
"""

from __future__ import annotations

import hashlib

import pulumi
import pulumi_azure_native as azure
from pulumi_azure_native import machinelearningservices as ml

from ..catalog.gpus import cpu_shape, endpoint_shape
from ..component import PlatformComponent
from ..context import PlatformContext
from ..traffic import ServingVersion, split, versions

ENDPOINT_NAME_MAX = 32  # Azure ML online endpoint names: 3-32 characters, unique per region
# Custom images follow one container contract on every cloud: port 8080, GET /ping, POST /invocations.
CONTAINER_PORT = 8080
HEALTH_PATH = "/ping"
PREDICT_PATH = "/invocations"
# Autoscale on the deployment's CPU utilisation (Azure ML deployment metric).
METRIC_NAMESPACE = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments"
SCALE_OUT_CPU_PERCENT = 70.0
SCALE_IN_CPU_PERCENT = 25.0
COOLDOWN = "PT5M"


def endpoint_name(ctx: PlatformContext, name: str) -> str:
    full = ctx.name(name)
    if len(full) <= ENDPOINT_NAME_MAX:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:6]
    return f"{full[: ENDPOINT_NAME_MAX - 7].rstrip('-')}-{digest}"


def asset_version(*parts: str | None) -> str:
    """Azure ML asset versions are immutable: a new image or artifact gets a new version."""
    return hashlib.sha256("|".join(p or "" for p in parts).encode()).hexdigest()[:10]


class Endpoint(PlatformComponent):
    CLOUD = "azure"
    COMPONENT = "Endpoint"

    def __init__(self, name: str, ctx: PlatformContext, base, endpoint, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, opts)
        tags = ctx.tags(use_case=endpoint.use_case)
        region = ctx.spec.region
        rg = base.resource_group.name
        workspace = base.workspace.name
        index = ctx.spec.endpoints.index(endpoint)
        field = f"endpoints.{index}"

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
        online_name = endpoint_name(ctx, endpoint.name)

        # -- models (one per version) -------------------------------------------------------------------
        model_ids = {}
        environment_ids = {}
        images = {}
        for version in served:
            model_ids[version.name] = self._model(ctx, base, endpoint, version, field, tags)
            if version.image:
                environment_ids[version.name] = self._environment(ctx, base, endpoint, version, tags)
            images[version.name] = version.image or "mlflow no-code (Azure ML managed serving image)"

        # -- request/response logging -----------------------------------------------------------------
        data_collector = None
        if endpoint.logging:
            rate = endpoint.logging_sample_percent / 100
            data_collector = ml.DataCollectorArgs(
                collections={
                    "request": ml.CollectionArgs(data_collection_mode="Enabled", sampling_rate=rate),
                    "response": ml.CollectionArgs(data_collection_mode="Enabled", sampling_rate=rate),
                },
                rolling_rate="Hour",
            )

        # -- endpoint and traffic split -------------------------------------------------------------------
        self.endpoint = azure.machinelearningservices.OnlineEndpoint(
            ctx.name(endpoint.name),
            endpoint_name=online_name,
            resource_group_name=rg,
            workspace_name=workspace,
            location=region,
            identity={"type": "UserAssigned", "user_assigned_identities": [base.identity.id]},
            properties={
                "auth_mode": "AADToken",
                "public_network_access": "Disabled" if ctx.private else "Enabled",
                "traffic": shares,
                "description": f"mlplat {ctx.prefix}: {endpoint.name}",
            },
            tags=tags,
            opts=ctx.child(self),
        )
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
                opts=ctx.child(self.endpoint),
            )

        # -- safe rollout ------------------------------------------------------------------------------------
        # Azure ML has no alarm-driven automatic rollback: the canary share is the blast radius, and
        # rolling back is setting its traffic to 0 (docs/endpoints.md). Application Insights carries
        # the per-deployment errors and latency to alert on.

        # -- autoscaling between min and max ------------------------------------------------------------------
        scaling = {}
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
                            self._rule(deployment.id, "GreaterThan", SCALE_OUT_CPU_PERCENT, "Increase"),
                            self._rule(deployment.id, "LessThan", SCALE_IN_CPU_PERCENT, "Decrease"),
                        ],
                    }
                ],
                tags=tags,
                opts=ctx.child(deployment),
            )
            scaling[version.name] = {"min": endpoint.min_replicas, "max": endpoint.max_replicas}

        # -- outputs -------------------------------------------------------------------------------------------
        self.finish(
            {
                "endpoint_name": self.endpoint.name,
                "url": self.endpoint.properties.scoring_uri,
                "traffic": shares,
                "images": images,
                "mode": "managed-online",
                "scaling": scaling,
                "logging": "application-insights+data-collector" if endpoint.logging else None,
                "scale_to_zero": False,
                "scale_to_zero_gap": "Azure ML managed online endpoints keep at least 1 instance per deployment",
            }
        )

    @staticmethod
    def _rule(deployment_id, operator: str, threshold: float, direction: str) -> dict:
        return {
            "metric_trigger": {
                "metric_name": "CpuUtilizationPercentage",
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
