"""Scheduled batch inference on GCP: pulumi_gcp has no batch-prediction resource, so a Cloud Scheduler
job's OAuth HTTP target calls Vertex AI `batchPredictionJobs.create` on schedule. Each run scores
`gs://<data|artifacts>/<input>` with the endpoint's stable version (its serving image and model artifact,
on its machine shape), writes under `gs://<data|artifacts>/<output>`, runs as the workload service
account and, with customer-managed keys, is encrypted with the platform key.

Which model: the job carries the stable version as an `unmanagedContainerModel` (image + artifact, the
same container contract the endpoint deployer uploads), so the plan shows exactly what will score and
the job does not depend on model ids Vertex AI assigns at upload.

Spot: GAPIC `google.cloud.aiplatform_v1beta1.BatchDedicatedResources.spot` ("schedule the deployment
workload on spot VMs"); the GA `aiplatform_v1.BatchDedicatedResources` has no such field. Spot runs
therefore call the v1beta1 REST surface; `training.spot: false` (on-demand capacity) calls v1.

Facts (GAPIC `google.cloud.aiplatform_v1` / `v1beta1` `BatchPredictionJob`): display_name,
model | unmanaged_container_model (artifact_uri, container_spec), input_config (instances_format,
gcs_source.uris), output_config (predictions_format, gcs_destination.output_uri_prefix),
dedicated_resources (machine_spec, starting_replica_count, max_replica_count), service_account,
encryption_spec.kms_key_name, labels.
"""

from __future__ import annotations

import json

import pulumi

from ..outputs import BatchInferenceOutputs, pick
from ..context import PlatformContext
from ..contract import BatchInferenceComponent
from ..spec.retraining import BatchInferenceSpec, store_path
from .base import Base
from .schedules import scheduler_identity, vertex_call
from .vertex_client import CONTAINER_PORT, HEALTH_ROUTE, PREDICT_ROUTE

# What the scheduler's identity may do: create batch prediction jobs, nothing else in Vertex AI.
SCHEDULER_PERMISSIONS = ("aiplatform.batchPredictionJobs.create",)
INSTANCES_FORMAT = "jsonl"


class BatchInference(BatchInferenceComponent):
    CLOUD = "gcp"

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
        project, region = base.project, ctx.spec.region
        stem = ctx.name("batch", item.name)
        spot = ctx.spec.training.spot if ctx.spec.training else True
        api = "v1beta1" if spot else "v1"
        input_uri, output_uri = (self._uri(base, location) for location in (item.input, item.output))

        request = pulumi.Output.all(
            model=pick(endpoint, "batch_model"), input_uri=input_uri, output_uri=output_uri,
            service_account=base.workload_account.email, key=base.key_id,
        ).apply(lambda args: _batch_prediction_job(stem, item, spot, ctx.tags(item.use_case), **args))
        # Output written under the platform key needs Vertex AI's service agent on that key.
        key_ready = base.key_access("aiplatform")
        caller = scheduler_identity(ctx, self, stem, base, SCHEDULER_PERMISSIONS,
                                    f"starts batch prediction {item.name}")
        self.schedule = vertex_call(
            ctx, self, stem, base, schedule=item.schedule,
            uri=f"https://{region}-aiplatform.googleapis.com/{api}/projects/{project}/locations/{region}/batchPredictionJobs",
            body=request, caller=caller, description=f"batch inference {item.name}", depends_on=key_ready,
        )
        self.finish(BatchInferenceOutputs.from_dict({
            "schedule": self.schedule.name,
            "schedule_expression": item.schedule,
            "input_uri": input_uri,
            "output_uri": output_uri,
            "batch_prediction_job": request.apply(json.loads),
            "spot": spot,
        }))

    @staticmethod
    def _uri(base: Base, location: str) -> pulumi.Output:
        store, key = store_path(location)
        bucket = base.data_bucket if store == "data" else base.artifacts_bucket
        return pulumi.Output.concat(bucket.url, "/", key)


def _container_spec(model: dict) -> dict:
    """The REST `ModelContainerSpec` the endpoint deployer uploads (components/gcp/vertex_client.py):
    custom images follow the platform's container contract, prebuilt images their own."""
    spec = {"imageUri": model["image"]}
    if not model.get("default_image"):
        spec.update(ports=[{"containerPort": CONTAINER_PORT}], predictRoute=PREDICT_ROUTE, healthRoute=HEALTH_ROUTE)
    return spec


def _batch_prediction_job(stem: str, item: BatchInferenceSpec, spot: bool, labels: dict, *, model: dict,
                          input_uri: str, output_uri: str, service_account: str, key: str | None) -> str:
    """The `BatchPredictionJob` request body (REST JSON names)."""
    machine = {"machineType": model["machine_type"]}
    if model.get("accelerator_type"):
        machine.update(acceleratorType=model["accelerator_type"], acceleratorCount=model.get("accelerator_count") or 1)
    resources = {"machineSpec": machine, "startingReplicaCount": item.instance_count,
                 "maxReplicaCount": item.instance_count}
    if spot:
        resources["spot"] = True
    body = {
        "displayName": stem,
        "unmanagedContainerModel": {"artifactUri": model["artifact_uri"], "containerSpec": _container_spec(model)},
        "inputConfig": {"instancesFormat": INSTANCES_FORMAT, "gcsSource": {"uris": [f"{input_uri.rstrip('/')}/*"]}},
        "outputConfig": {"predictionsFormat": INSTANCES_FORMAT, "gcsDestination": {"outputUriPrefix": output_uri}},
        "dedicatedResources": resources,
        "serviceAccount": service_account,
        "labels": labels,
    }
    if key:
        body["encryptionSpec"] = {"kmsKeyName": key}
    return json.dumps(body)
