"""GCP inference endpoint: a Vertex AI endpoint (private through Private Service Connect when asked,
CMK-encrypted when asked) with request/response logging to a BigQuery table, and the model versions
deployed on it with their min/max replicas and the traffic split by `VertexDeployment` (a Pulumi dynamic
provider on google-cloud-aiplatform, components/gcp/vertex_deployer.py): pulumi-gcp cannot deploy models
onto an endpoint.

Private endpoints: Private Service Connect, not VPC peering. A VPC-peered ("private services access")
Vertex AI endpoint serves one model and cannot split traffic, so it cannot hold a stable and a canary;
a PSC endpoint can. Vertex AI creates the endpoint's forwarding rule in the platform's private subnet
(PSC automation, allowed by the base layer's service connection policy); the deployer reports its IP
and the `url` output is `http://<that IP>/v1/<endpoint>:predict` (docs/endpoints.md).

Scale to zero: Vertex AI endpoints keep at least 1 replica (scale to zero is preview only);
`min_replicas: 0` is a spec validation error on GCP that suggests 1 (components/spec/platform.py).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_gcp as gcp

from ..catalog import serving_images
from ..catalog.gpus import cpu_shape, endpoint_shape
from ..contract import EndpointComponent
from ..context import PlatformContext
from ..spec.endpoints import EndpointSpec
from ..traffic import ServingVersion, split, versions
from .base import Base
from .names import logs_dataset_id
from .vertex_deployer import VertexDeployment
from ..outputs import EndpointOutputs

LOGGING_TABLE = "request_response_logging"
# The table Vertex AI writes request/response logs into (its documented schema).
LOGGING_SCHEMA = [
    {"name": "endpoint", "type": "STRING", "mode": "NULLABLE"},
    {"name": "deployed_model_id", "type": "STRING", "mode": "NULLABLE"},
    {"name": "logging_time", "type": "TIMESTAMP", "mode": "NULLABLE"},
    {"name": "request_id", "type": "NUMERIC", "mode": "NULLABLE"},
    {"name": "request_payload", "type": "STRING", "mode": "REPEATED"},
    {"name": "response_payload", "type": "STRING", "mode": "REPEATED"},
]


def default_image(region: str, compute: str = "cpu", framework: str | None = None) -> str:
    """The prebuilt serving image (components/catalog/serving_images.py)."""
    return serving_images.require_default_image("gcp", region, compute, framework)


def _machine(endpoint: EndpointSpec) -> dict:
    """The machine each deployed model runs on: the CPU shape, or the endpoint's single-GPU shape."""
    if endpoint.compute == "cpu":
        return {"machine_type": cpu_shape("gcp"), "accelerator_type": None, "accelerator_count": None}
    shape = endpoint_shape("gcp", endpoint.compute)
    return {
        "machine_type": shape.instance_type,
        "accelerator_type": shape.vertex_accelerator_type,
        "accelerator_count": shape.accelerator_count,
    }


class Endpoint(EndpointComponent):
    CLOUD = "gcp"
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
        labels = ctx.tags(use_case=endpoint.use_case)
        region = ctx.spec.region
        project = base.project
        index = ctx.spec.endpoints.index(endpoint)
        field = f"endpoints.{index}"
        project_number = gcp.organizations.get_project_output(project_id=project).number

        # -- versions, traffic split and size ---------------------------------------------------------
        served = versions(endpoint)
        shares = split(endpoint)
        if endpoint.min_replicas < 1:
            # The spec rejects this on GCP; never silently raised to 1 here.
            raise pulumi.RunError(
                f"{field}.min_replicas: Vertex AI endpoints keep at least 1 replica; set min_replicas: 1"
            )
        machine = _machine(endpoint)

        # -- models (one per version): uploaded and deployed by the deployer below ------------------------
        images = {version.name: version.image or default_image(region, endpoint.compute, version.framework) for version in served}
        logging_config = self._request_logging(ctx, base, endpoint, labels)

        endpoint_resource = self._vertex_endpoint(ctx, base, endpoint, labels, logging_config, project_number)
        self._deployment(ctx, base, endpoint, labels, endpoint_resource, served, shares, images, machine, field)

        # -- safe rollout ------------------------------------------------------------------------------------
        # Vertex AI has no alarm-driven automatic rollback: the canary share is the blast radius, and the
        # deployer moves traffic before it undeploys anything (docs/endpoints.md: promote / roll back).

        # -- autoscaling between min and max ------------------------------------------------------------------
        # Vertex AI autoscales each deployed model between its min and max replica counts (set by the
        # deployer above, default target 60% CPU / GPU duty cycle).
        scaling = {version.name: {"min": endpoint.min_replicas, "max": endpoint.max_replicas} for version in served}

        # -- outputs -------------------------------------------------------------------------------------------
        stable = next(version for version in served if version.name == "stable")
        url = pulumi.Output.concat(f"https://{region}-aiplatform.googleapis.com/v1/", endpoint_resource, ":predict")
        private_access = None
        if ctx.private:
            # The PSC forwarding rule's internal IP (known once Vertex AI created it, reported by the deployer).
            private_access = self.deployment.private_access
            url = pulumi.Output.all(private_access, endpoint_resource).apply(lambda a: _private_url(*a))
        self.finish(
            EndpointOutputs(
                endpoint_name=endpoint_resource,
                url=url,
                # The permission the workload role carries for prediction (components/gcp/registry.py).
                invoke_auth="Google OAuth 2.0 access token with permission aiplatform.endpoints.predict",
                traffic=shares,
                images=images,
                mode="private (Private Service Connect)" if ctx.private else "public",
                min_replicas=endpoint.min_replicas,
                max_replicas=endpoint.max_replicas,
                capture=logging_config["bigquery_destination"]["output_uri"] if logging_config else None,
                scale_to_zero=False,
                scale_to_zero_gap="Vertex AI endpoints keep at least 1 replica per deployed model",
                extras={
                    "scaling": scaling,
                    "private_access": private_access,
                    "deployed_models": self.deployment.deployed,  # changes when the deployed models change (monitoring)
                    # What batch prediction runs: the stable version's image, artifact and machine.
                    "batch_model": {"image": images["stable"], "default_image": stable.image is None,
                                    "artifact_uri": self._artifact_uri(base, endpoint, stable, field), **machine},
                },
            )
        )

    def _request_logging(self, ctx: PlatformContext, base: Base, endpoint: EndpointSpec, labels: dict) -> dict | None:
        """Request/response logging into a day-partitioned BigQuery table, or None when the endpoint does not log."""
        if not endpoint.logging:
            return None
        project, region = base.project, ctx.spec.region
        dataset = gcp.bigquery.Dataset(
            ctx.name(endpoint.name, "logs"),
            project=project,
            dataset_id=logs_dataset_id(ctx.prefix, endpoint.name),
            location=region,
            description=f"mlplat {ctx.prefix}: request/response logs of endpoint {endpoint.name}",
            default_encryption_configuration={"kms_key_name": base.key_id} if ctx.customer_managed_keys else None,
            labels=labels,
            opts=ctx.stateful(self, depends_on=[*base.services, *base.key_access("bigquery")]),
        )
        table = gcp.bigquery.Table(
            ctx.name(endpoint.name, "logs-table"),
            project=project,
            dataset_id=dataset.dataset_id,
            table_id=LOGGING_TABLE,
            schema=json.dumps(LOGGING_SCHEMA),
            time_partitioning={"type": "DAY", "field": "logging_time"},
            encryption_configuration={"kms_key_name": base.key_id} if ctx.customer_managed_keys else None,
            deletion_protection=ctx.protect,
            labels=labels,
            opts=ctx.stateful(dataset),
        )
        return {
            "enabled": True,
            "sampling_rate": endpoint.logging_sample_percent / 100,
            "bigquery_destination": {
                "output_uri": pulumi.Output.concat("bq://", project, ".", dataset.dataset_id, ".", table.table_id)
            },
        }

    def _vertex_endpoint(self, ctx: PlatformContext, base: Base, endpoint: EndpointSpec, labels: dict, logging_config,
                         project_number) -> pulumi.Output:
        """The Vertex AI endpoint (behind Private Service Connect when private); returns its resource name."""
        project, region = base.project, ctx.spec.region
        depends = [*base.services, *base.key_access("aiplatform")]
        psc = None
        if ctx.private:
            network = pulumi.Output.concat("projects/", project_number, "/global/networks/", base.network.name)
            psc = {
                "enable_private_service_connect": True,
                "project_allowlists": [project],
                # Vertex AI creates the forwarding rule in this network (the base layer's policy allows it).
                "psc_automation_configs": [{"project_id": project, "network": network}],
            }
            depends += base.vertex_psc_policy()
        self.endpoint = gcp.vertex.AiEndpoint(
            ctx.name(endpoint.name),
            project=project,
            location=region,
            region=region,
            display_name=ctx.name(endpoint.name),
            description=f"mlplat {ctx.prefix}: {endpoint.name}",
            private_service_connect_config=psc,
            encryption_spec={"kms_key_name": base.key_id} if ctx.customer_managed_keys else None,
            predict_request_response_logging_config=logging_config,
            labels=labels,
            opts=ctx.child(self, depends_on=depends),
        )
        endpoint_resource = pulumi.Output.concat(
            "projects/", project, "/locations/", region, "/endpoints/", self.endpoint.name
        )
        return endpoint_resource

    def _deployment(self, ctx: PlatformContext, base: Base, endpoint: EndpointSpec, labels: dict, endpoint_resource,
                    served: list[ServingVersion], shares: dict, images: dict, machine: dict, field: str) -> None:
        """The `VertexDeployment` dynamic resource: uploads each version's model, deploys it on `machine` and
        applies the traffic split. It authenticates on its own (ADC): it gets the impersonation the gcp
        provider uses."""
        project, region = base.project, ctx.spec.region
        gcp_config = pulumi.Config("gcp")
        self.deployment = VertexDeployment(
            ctx.name(endpoint.name, "deployment"),
            {
                "impersonate_service_account": gcp_config.get("impersonateServiceAccount"),
                "impersonate_delegates": _delegates(gcp_config.get("impersonateServiceAccountDelegates")),
                "project": project,
                "location": region,
                "endpoint": endpoint_resource,
                "display_name": ctx.name(endpoint.name),
                "labels": labels,
                "kms_key": base.key_id if ctx.customer_managed_keys else None,
                "service_account": base.workload_account.email,
                # A promoted-to stack uploads as the workload account, which the previous environment's stack
                # grants read on its model artifacts and images (docs/retraining.md, "Promotion").
                **({"upload_service_account": base.workload_account.email} if ctx.spec.promoted_from else {}),
                "private": ctx.private,
                "versions": [
                    {
                        "name": version.name,
                        "weight": shares[version.name],
                        "image": images[version.name],
                        "default_image": version.image is None,
                        "artifact_uri": self._artifact_uri(base, endpoint, version, field),
                        **machine,
                        "min_replicas": endpoint.min_replicas,
                        "max_replicas": endpoint.max_replicas,
                    }
                    for version in served
                ],
            },
            opts=ctx.child(self, depends_on=[self.endpoint]),
        )

    @staticmethod
    def _artifact_uri(base, endpoint, version: ServingVersion, field: str):
        artifact = version.artifact
        if artifact is None:
            return pulumi.Output.concat(base.artifacts_bucket.url, "/", version.artifact_key(endpoint.name), "/")
        if artifact.startswith("gs://"):
            return artifact
        if "://" in artifact:
            where = "model" if version.name == "stable" else "canary.model"
            raise pulumi.RunError(f"{field}.{where}.artifact: Vertex AI reads model artifacts from gs:// only")
        return pulumi.Output.concat(base.artifacts_bucket.url, "/", artifact.strip("/"), "/")


def _delegates(raw: str | None) -> list[str] | None:
    """`gcp:impersonateServiceAccountDelegates` as the engine hands config to the program: a JSON list
    (set as a YAML list) or a comma-separated string."""
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw.split(",")
    if isinstance(value, str):
        value = [value]
    return [str(item).strip() for item in value if str(item).strip()] or None


def _private_url(access: dict | None, endpoint_resource: str) -> str | None:
    """The predict URL of a PSC endpoint: its forwarding rule's internal IP (None until Vertex AI created it;
    `private_access.psc_error` then says why)."""
    ip = (access or {}).get("ip_address")
    return f"http://{ip}/v1/{endpoint_resource}:predict" if ip else None
