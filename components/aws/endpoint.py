"""AWS inference endpoint: SageMaker models, an endpoint configuration with one production variant per
version weighted by the canary share, the endpoint with a blue/green deployment that rolls back on
CloudWatch alarms, Application Auto Scaling between min and max, data capture to the artifacts bucket.

Scale to zero (`min_replicas: 0`), see docs/endpoints.md: a SageMaker serverless endpoint (CPU only,
one production variant, no data capture, no VPC). The spec decides (AwsCloud.scale_to_zero_blockers in components/aws/cloud.py):
min_replicas reaches this component as 0 only when serverless can serve the endpoint; an explicit 0
that it cannot serve is a validation error, and the dev default is then 1 with a gap in the plan.
GPU scale to zero needs inference components, which pulumi-aws 7.x does not provide.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..catalog import serving_images
from ..catalog.gpus import cpu_shape_details, endpoint_shape
from .base import Base
from .cloud import AwsCloud
from ..contract import EndpointComponent
from ..context import PlatformContext
from ..spec.endpoints import EndpointSpec
from ..traffic import ServingVersion, split, versions
from ..outputs import EndpointOutputs

SERVERLESS_MEMORY_MB = 4096  # 1024-6144 in 1 GB steps
SERVERLESS_CONCURRENCY_PER_REPLICA = 10  # max_replicas x 10 concurrent invocations, at most 200
SERVERLESS_MAX_CONCURRENCY = 200
# Target tracking: invocations per instance per minute (SageMakerVariantInvocationsPerInstance).
INVOCATIONS_PER_INSTANCE = 100.0
SCALE_IN_COOLDOWN = 300
SCALE_OUT_COOLDOWN = 60
# Blue/green: bake time of the canary fleet before all traffic shifts; rollback alarms watch it.
BAKE_SECONDS = 600
# The blue/green canary is NOT the spec's traffic split: it is the first batch of the new (green) fleet
# of each variant, which SageMaker requires to be at most 50% of that variant's instance count. One
# instance when the new fleet has two or more; a one-instance fleet shifts all at once (after which the
# rollback alarms still watch the bake period).
BLUE_GREEN_CANARY_INSTANCES = 1
# Stack config (not the spec; AWS only): how `pulumi up` rolls an endpoint change out.
#   guarded (default): blue/green with alarm rollback, autoscaling registered. SageMaker accepts it only
#       when the new endpoint configuration keeps the SAME variant names and instance types.
#   unguarded: no deployment configuration (plain UpdateEndpoint: all at once, no rollback) and no
#       autoscaling registration. Needed to add or remove the canary variant or to change `compute`
#       (docs/endpoints.md, "AWS: adding, promoting or removing a canary").
ROLLOUT_CONFIG_KEY = "awsEndpointRollout"
ROLLOUT_MODES = ("guarded", "unguarded")
ROLLOUT_TIMEOUT_SECONDS = 3600
OLD_FLEET_TERMINATION_WAIT = 300
ERROR_ALARM_THRESHOLD = 5  # 5xx errors per minute, 2 minutes running
LATENCY_ALARM_MICROSECONDS = 1_000_000  # ModelLatency is reported in microseconds


def default_image(region: str, compute: str = "cpu", framework: str | None = None) -> str:
    """The prebuilt serving image (components/catalog/serving_images.py)."""
    return serving_images.require_default_image("aws", region, compute, framework)


class Endpoint(EndpointComponent):
    CLOUD = "aws"
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
        region = ctx.spec.region
        index = ctx.spec.endpoints.index(endpoint)
        field = f"endpoints.{index}"

        # -- versions, traffic split and size ---------------------------------------------------------
        served = versions(endpoint)
        shares = split(endpoint)
        endpoint_name = ctx.name(endpoint.name)  # fixed: alarms and scaling targets name it
        blockers = AwsCloud().scale_to_zero_blockers(endpoint, ctx.private)
        serverless = endpoint.min_replicas == 0  # the spec only lets 0 through when serverless can serve it
        min_replicas = endpoint.min_replicas
        gap = "; ".join(blockers) if ctx.spec.environment.value == "dev" and blockers else None
        if endpoint.compute == "cpu":
            cpu = cpu_shape_details("aws")
            instance_type, instance_storage = cpu.endpoint_instance_type, bool(cpu.instance_storage)
        else:
            gpu = endpoint_shape("aws", endpoint.compute)
            instance_type, instance_storage = gpu.sagemaker_endpoint_instance_type, bool(gpu.instance_storage)
        rollout = pulumi.Config("mlplat").get(ROLLOUT_CONFIG_KEY) or "guarded"
        if rollout not in ROLLOUT_MODES:
            raise pulumi.RunError(f"mlplat:{ROLLOUT_CONFIG_KEY}: {rollout!r} is not one of {', '.join(ROLLOUT_MODES)}")
        guarded = rollout == "guarded"
        if instance_type is None:
            raise pulumi.RunError(f"{field}.compute: the catalog has no SageMaker endpoint type for {endpoint.compute}")

        # -- models (one per version) -------------------------------------------------------------------
        models = {}
        images = {}
        for version in served:
            images[version.name] = version.image or default_image(region, endpoint.compute, version.framework)
            sklearn = not version.image and (version.framework or serving_images.default_framework(endpoint.compute)) == "sklearn"
            models[version.name] = aws.sagemaker.Model(
                ctx.name(endpoint.name, version.name),
                execution_role_arn=base.execution_role.arn,
                primary_container={
                    "image": images[version.name],
                    "model_data_url": self._artifact_url(base, endpoint, version, field),
                    "environment": serving_images.AWS_SKLEARN_ENVIRONMENT if sklearn else None,
                },
                vpc_config={
                    "security_group_ids": [base.security_group_id],
                    "subnets": base.private_subnet_ids,
                }
                if ctx.private
                else None,
                enable_network_isolation=ctx.private,
                tags=tags,
                opts=ctx.child(self),
            )

        # -- request/response logging -----------------------------------------------------------------
        capture_uri = pulumi.Output.concat("s3://", base.artifacts_bucket.bucket, f"/endpoint-capture/{endpoint.name}")
        data_capture = None
        if not serverless:
            data_capture = {
                "enable_capture": endpoint.logging,
                "initial_sampling_percentage": endpoint.logging_sample_percent,
                "destination_s3_uri": capture_uri,
                "capture_options": [{"capture_mode": "Input"}, {"capture_mode": "Output"}],
                "capture_content_type_header": {"json_content_types": ["application/json"], "csv_content_types": ["text/csv"]},
                "kms_key_id": base.key_arn,
            }

        # -- endpoint configuration: one production variant per version, weighted by its share ----------
        variants = []
        for version in served:
            variant = {
                "variant_name": version.name,
                "model_name": models[version.name].name,
                "initial_variant_weight": float(shares[version.name]),
            }
            if serverless:
                variant["serverless_config"] = {
                    "memory_size_in_mb": SERVERLESS_MEMORY_MB,
                    "max_concurrency": min(SERVERLESS_MAX_CONCURRENCY, endpoint.max_replicas * SERVERLESS_CONCURRENCY_PER_REPLICA),
                }
            else:
                variant["instance_type"] = instance_type
                variant["initial_instance_count"] = min_replicas
            variants.append(variant)
        # The platform key encrypts the instances' EBS storage volume. Types with local NVMe instance storage
        # (every GPU type of the catalog) have no such volume: SageMaker encrypts their instance store with
        # a hardware module and refuses a KmsKeyId, so it is left out there (output `volume_encryption`).
        volume_key = base.key_arn if not serverless and not instance_storage else None
        if serverless:
            volume_encryption = "serverless (AWS managed)"
        elif instance_storage:
            volume_encryption = "local NVMe instance store, hardware-encrypted (KMS key not accepted)"
        else:
            volume_encryption = "platform KMS key" if base.key_arn is not None else "AWS managed key"
        # Endpoint configurations are immutable: every change is a new configuration and an UpdateEndpoint
        # (a new fleet, see docs/endpoints.md). The logical name follows the rollout mode, so that switching
        # back to guarded creates a new configuration and the return to guardrails is itself a guarded
        # UpdateEndpoint with a new configuration name (never a deployment-config-only update).
        config = aws.sagemaker.EndpointConfiguration(
            ctx.name(endpoint.name, "config") if guarded else ctx.name(endpoint.name, "config", rollout),
            production_variants=variants,
            data_capture_config=data_capture,
            kms_key_arn=volume_key,
            tags=tags,
            opts=ctx.child(self),
        )

        # -- safe rollout: blue/green with automatic rollback on alarms --------------------------------------
        alarms = []
        for version in served:
            alarms.append(self._alarm(ctx, endpoint, endpoint_name, version, "errors", tags))
            alarms.append(self._alarm(ctx, endpoint, endpoint_name, version, "latency", tags))
        # Each variant's new fleet starts at initial_instance_count (min_replicas): pulumi-aws cannot send
        # RetainAllVariantProperties, so an update does not keep the autoscaled count (docs/endpoints.md).
        green_instances = 0 if serverless else min_replicas
        if green_instances >= 2 * BLUE_GREEN_CANARY_INSTANCES:
            routing = {
                "type": "CANARY",
                "canary_size": {"type": "INSTANCE_COUNT", "value": BLUE_GREEN_CANARY_INSTANCES},
                "wait_interval_in_seconds": BAKE_SECONDS,
            }
        else:
            routing = {"type": "ALL_AT_ONCE", "wait_interval_in_seconds": BAKE_SECONDS}
        deployment_config = None
        if guarded:
            deployment_config = {
                "blue_green_update_policy": {
                    "traffic_routing_configuration": routing,
                    "maximum_execution_timeout_in_seconds": ROLLOUT_TIMEOUT_SECONDS,
                    "termination_wait_in_seconds": OLD_FLEET_TERMINATION_WAIT,
                },
                "auto_rollback_configuration": {"alarms": [{"alarm_name": alarm.name} for alarm in alarms]},
            }
        self.endpoint = aws.sagemaker.Endpoint(
            ctx.name(endpoint.name),
            name=endpoint_name,
            endpoint_config_name=config.name,
            deployment_config=deployment_config,
            tags=tags,
            # Fixed name (alarms and scaling targets name it): a replacement must delete the old one first.
            opts=ctx.child(self, delete_before_replace=True),
        )

        # -- autoscaling between min and max (instance-based variants) --------------------------------------
        # Not registered in the unguarded mode: SageMaker refuses to remove a variant, or change its instance
        # type, while it is registered (and Pulumi deletes the old registration only after the update).
        scaling = {}
        if not serverless and guarded:
            for version in served:
                resource_id = f"endpoint/{endpoint_name}/variant/{version.name}"
                target = aws.appautoscaling.Target(
                    ctx.name(endpoint.name, version.name, "scaling"),
                    service_namespace="sagemaker",
                    scalable_dimension="sagemaker:variant:DesiredInstanceCount",
                    resource_id=resource_id,
                    min_capacity=min_replicas,
                    max_capacity=endpoint.max_replicas,
                    tags=tags,
                    opts=ctx.child(self, depends_on=[self.endpoint]),
                )
                aws.appautoscaling.Policy(
                    ctx.name(endpoint.name, version.name, "invocations"),
                    policy_type="TargetTrackingScaling",
                    service_namespace=target.service_namespace,
                    scalable_dimension=target.scalable_dimension,
                    resource_id=target.resource_id,
                    target_tracking_scaling_policy_configuration={
                        "target_value": INVOCATIONS_PER_INSTANCE,
                        "predefined_metric_specification": {
                            "predefined_metric_type": "SageMakerVariantInvocationsPerInstance"
                        },
                        "scale_in_cooldown": SCALE_IN_COOLDOWN,
                        "scale_out_cooldown": SCALE_OUT_COOLDOWN,
                    },
                    opts=ctx.child(target),
                )
                scaling[version.name] = {"min": min_replicas, "max": endpoint.max_replicas}

        # -- outputs -------------------------------------------------------------------------------------------
        self.finish(
            EndpointOutputs(
                endpoint_name=self.endpoint.name,
                url=pulumi.Output.concat(
                    f"https://runtime.sagemaker.{region}.amazonaws.com/endpoints/", self.endpoint.name, "/invocations"
                ),
                # The runtime's InvokeEndpoint operation (botocore sagemaker-runtime), IAM action of the same name.
                invoke_auth="AWS SigV4 with IAM permission sagemaker:InvokeEndpoint",
                traffic=shares,
                images=images,
                mode="serverless" if serverless else "instances",
                min_replicas=0 if serverless else endpoint.min_replicas,
                max_replicas=endpoint.max_replicas,
                capture=capture_uri if endpoint.logging and not serverless else None,
                scale_to_zero=serverless,
                scale_to_zero_gap=gap,
                extras={
                    "scaling": scaling
                    or (
                        {"serverless_max_concurrency": variants[0]["serverless_config"]["max_concurrency"]}
                        if serverless
                        else {"autoscaling": "not registered (mlplat:awsEndpointRollout unguarded)"}
                    ),
                    "rollout": rollout,
                    "rollout_traffic_routing": routing["type"] if guarded else "unguarded (all at once, no rollback)",
                    "instance_type": None if serverless else instance_type,
                    "volume_encryption": volume_encryption,
                    # The SageMaker model of each version (batch inference reuses the stable one).
                    "model_names": {name: model.name for name, model in models.items()},
                },
            )
        )

    @staticmethod
    def _artifact_url(base, endpoint, version: ServingVersion, field: str):
        artifact = version.artifact
        if artifact is None:
            return pulumi.Output.concat(
                "s3://", base.artifacts_bucket.bucket, "/", version.artifact_key(endpoint.name), "/model.tar.gz"
            )
        if artifact.startswith("s3://"):
            return artifact
        if "://" in artifact:
            where = "model" if version.name == "stable" else "canary.model"
            raise pulumi.RunError(f"{field}.{where}.artifact: SageMaker reads model artifacts from s3:// only")
        return pulumi.Output.concat("s3://", base.artifacts_bucket.bucket, "/", artifact.strip("/"))

    def _alarm(self, ctx, endpoint, endpoint_name: str, version: ServingVersion, kind: str, tags: dict):
        if kind == "errors":
            metric = {
                "metric_name": "Invocation5XXErrors",
                "statistic": "Sum",
                "threshold": ERROR_ALARM_THRESHOLD,
                "alarm_description": f"{endpoint_name}/{version.name}: 5xx errors; rolls back a deployment",
            }
        else:
            metric = {
                "metric_name": "ModelLatency",
                "extended_statistic": "p99",
                "threshold": LATENCY_ALARM_MICROSECONDS,
                "alarm_description": f"{endpoint_name}/{version.name}: p99 model latency; rolls back a deployment",
            }
        return aws.cloudwatch.MetricAlarm(
            ctx.name(endpoint.name, version.name, kind),
            namespace="AWS/SageMaker",
            dimensions={"EndpointName": endpoint_name, "VariantName": version.name},
            comparison_operator="GreaterThanOrEqualToThreshold",
            evaluation_periods=2,
            datapoints_to_alarm=2,
            period=60,
            treat_missing_data="notBreaching",
            tags=tags,
            opts=ctx.child(self),
            **metric,
        )
