"""Scheduled retraining on GCP: a Cloud Scheduler job whose OAuth HTTP target calls Vertex AI
`customJobs.create`, a custom job with `SPOT` scheduling on the training shape from the GPU catalogue,
running as the platform's workload service account (docs/retraining.md argues Vertex over GKE Jobs).

Facts: GAPIC `google.cloud.aiplatform_v1` `CustomJobSpec` (worker_pool_specs, scheduling,
service_account, base_output_directory, ...), `Scheduling.Strategy.SPOT`, `AcceleratorType`
(NVIDIA_TESLA_T4, NVIDIA_L4, NVIDIA_TESLA_A100, NVIDIA_A100_80GB, NVIDIA_H100_80GB); pulumi_gcp
`cloudscheduler.JobHttpTargetArgs(uri, body (base64), headers, http_method, oauth_token)`,
`JobHttpTargetOauthTokenArgs(service_account_email, scope)`.
"""

from __future__ import annotations

import base64
import json

import pulumi
import pulumi_gcp as gcp

from ..outputs import RetrainingOutputs, pick
from ..catalog.gpus import shape_for
from ..context import PlatformContext
from ..contract import RetrainingComponent
from ..naming import bounded_name
from ..spec.retraining import RetrainingSpec
from .base import Base
from .retraining_drift import drift_trigger
from .schedules import starter_identity

# What the scheduler's identity may do: create custom jobs, nothing else in Vertex AI.
SCHEDULER_PERMISSIONS = ("aiplatform.customJobs.create",)
SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def vertex_accelerator(gke_accelerator: str) -> str:
    """The Vertex AI `AcceleratorType` of a GKE accelerator name (`nvidia-tesla-t4` -> `NVIDIA_TESLA_T4`)."""
    return gke_accelerator.upper().replace("-", "_")


class Retraining(RetrainingComponent):
    CLOUD = "gcp"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        item: RetrainingSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        training_spec = ctx.spec.training
        training = ctx.built["training"]["training"]
        registry = ctx.built["registry"]["registry"]
        project, region = base.project, ctx.spec.region
        stem = ctx.name("retrain", item.name)
        shape = shape_for("gcp", training_spec.gpu, training_spec.gpus_per_node)

        environment = pulumi.Output.all(
            CHECKPOINT_URI=pick(training, "checkpoint_uri"),
            MODEL_REGISTRY=pick(registry, "model_registry"),
            IMAGE_REPOSITORY=pick(registry, "image_repository_url"),
            RETRAINING=item.name,
        )
        job = pulumi.Output.all(pick(training, "workload_service_account"), pick(training, "checkpoint_uri"),
                                environment).apply(
            lambda args: _custom_job(stem, item, shape, training_spec.spot, *args)
        )
        outputs = {"custom_job": job.apply(json.loads), "spot": training_spec.spot}
        if item.schedule:
            api = gcp.projects.Service(
                f"{stem}-api", project=project, service="cloudscheduler.googleapis.com",
                disable_on_destroy=False, opts=ctx.child(self),
            )
            caller = self._job_starter(ctx, stem, "scheduler", "sched", base, "scheduled retraining")
            self.schedule = gcp.cloudscheduler.Job(
                stem,
                name=stem,
                project=project,
                region=region,
                schedule=item.schedule,
                time_zone="Etc/UTC",
                description=f"mlplat {ctx.prefix}: retrain {item.name}",
                http_target={
                    "uri": f"https://{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}/customJobs",
                    "http_method": "POST",
                    "headers": {"Content-Type": "application/json"},
                    "body": job.apply(lambda text: base64.b64encode(text.encode()).decode()),
                    "oauth_token": {"service_account_email": caller.email, "scope": SCOPE},
                },
                retry_config={"retry_count": 3},
                opts=ctx.child(self, depends_on=[api]),
            )
            outputs.update(schedule=self.schedule.name, schedule_expression=item.schedule)
        if item.on_drift:
            topic = pick(ctx.built["monitoring"]["monitoring"], "endpoints")[item.endpoint]["drift_events"]
            starter = self._job_starter(ctx, stem, "drift", "drift", base, "drift-triggered retraining")
            trigger = drift_trigger(ctx, self, stem, project, region, topic, job, starter, ctx.tags(item.use_case))
            outputs.update(drift_trigger=trigger.id)
        self.finish(RetrainingOutputs.from_dict(outputs))

    def _job_starter(self, ctx: PlatformContext, stem: str, role: str, short: str, base: Base,
                     why: str) -> gcp.serviceaccount.Account:
        """A service account that may create custom jobs (a one-permission custom role) and run them as
        the workload account (Service Account User on that account only)."""
        display = f"mlplat {ctx.prefix}: starts retraining {stem}" + ("" if role == "scheduler" else " on drift")
        return starter_identity(ctx, self, f"{stem}-{role}", bounded_name(f"{stem}-{short}", 30), base,
                                SCHEDULER_PERMISSIONS, f"Create Vertex AI custom jobs ({why})", display)


def _custom_job(stem: str, item: RetrainingSpec, shape, spot: bool, service_account: str, checkpoint_uri: str,
                environment: dict) -> str:
    """The `CustomJob` request body (REST JSON names); spot capacity unless training says `spot: false`.
    `environment` tells the job where to register its model (docs/retraining.md, "What the job is told")."""
    machine = {"machineType": shape.instance_type}
    if shape.accelerator:
        machine.update(acceleratorType=vertex_accelerator(shape.accelerator), acceleratorCount=shape.gpus)
    return json.dumps({
        "displayName": stem,
        "jobSpec": {
            "workerPoolSpecs": [{
                "machineSpec": machine,
                "replicaCount": "1",
                "containerSpec": {
                    "imageUri": item.image,
                    "command": item.command,
                    "args": item.arguments,
                    "env": [{"name": name, "value": value} for name, value in environment.items()],
                },
            }],
            "scheduling": {"strategy": "SPOT" if spot else "ON_DEMAND"},
            "serviceAccount": service_account,
            "baseOutputDirectory": {"outputUriPrefix": f"{checkpoint_uri}{item.name}/"},
        },
    })
