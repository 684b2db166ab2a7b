"""Retraining on Azure: an Azure ML `Schedule` whose action creates a command job on the training
component's AmlCompute cluster (low priority when training is spot), running as the platform identity, with
the retraining's image as a workspace environment; with `on_drift`, a Logic App creates the same job when the
endpoint's drift monitor breaches (retraining_drift.py).

The job is written once: the schedule takes it as its job definition (the SDK's snake_case keys), the Logic App
sends it in the REST shape (camelCase, `rest_shape`) as the body of the jobs API call.

Facts (azure-native 3.x input types, machinelearningservices): `SchedulePropertiesArgs(action, trigger,
is_enabled, ...)`; `JobScheduleActionArgs(action_type="CreateJob", job_definition)`;
`CommandJobArgs(command, environment_id, job_type="Command", compute_id, identity, environment_variables,
experiment_name, ...)`; `CronTriggerArgs(expression, trigger_type="Cron", time_zone)` takes NCronTab
five-field expressions; `ManagedIdentityArgs(identity_type="Managed", client_id)`.
"""

from __future__ import annotations

import shlex

import pulumi
import pulumi_azure_native as azure

from ..outputs import RetrainingOutputs, pick
from ..context import PlatformContext
from ..contract import RetrainingComponent
from ..spec.retraining import RetrainingSpec
from .base import Base
from .endpoint import asset_version
from .retraining_drift import drift_trigger


def rest_shape(job: dict) -> dict:
    """A command job definition with the SDK's snake_case keys as the jobs REST API spells it: the keys of the
    job and of its identity in camelCase; environment variable names and tag keys as they are."""

    def camel(key: str) -> str:
        first, *rest = key.split("_")
        return first + "".join(word.capitalize() for word in rest)

    return {camel(k): ({camel(a): b for a, b in v.items()} if k == "identity" else v) for k, v in job.items()}


class Retraining(RetrainingComponent):
    CLOUD = "azure"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        item: RetrainingSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        training = ctx.built["training"]["training"]
        registry = ctx.built["registry"]["registry"]
        tags = ctx.tags(item.use_case)
        stem = ctx.name("retrain", item.name)
        workspace = dict(resource_group_name=base.resource_group.name, workspace_name=base.workspace.name)

        container = azure.machinelearningservices.EnvironmentContainer(
            f"{stem}-env",
            name=stem,
            properties={"description": f"retraining {item.name} image", "tags": tags},
            opts=ctx.child(self),
            **workspace,
        )
        environment = azure.machinelearningservices.EnvironmentVersion(
            f"{stem}-env-version",
            name=container.name,
            version=asset_version(item.image),
            properties={"image": item.image, "os_type": "Linux", "tags": tags},
            opts=ctx.child(container),
            **workspace,
        )

        job = {
            "job_type": "Command",
            "command": shlex.join([*item.command, *item.arguments]),
            "environment_id": environment.id,
            "compute_id": pick(training, "compute_id"),
            "experiment_name": stem,
            "identity": {"identity_type": "Managed", "client_id": pick(training, "identity_client_id")},
            "environment_variables": {
                "MODEL_REGISTRY": pick(registry, "model_registry"),
                "IMAGE_REPOSITORY": pick(registry, "image_repository_url"),
                "REGISTRATION_STAGE": pick(registry, "registration_stage"),
                "CHECKPOINT_URI": pick(training, "checkpoint_uri"),
                "RETRAINING": item.name,
            },
            "tags": tags,
        }
        outputs = {"submit_to": pick(training, "submit_to"), "environment_id": environment.id}
        if item.schedule:
            self.schedule = azure.machinelearningservices.Schedule(
                stem,
                name=stem,
                properties={
                    "display_name": f"retrain {item.name}",
                    "is_enabled": True,
                    "trigger": {"trigger_type": "Cron", "expression": item.schedule, "time_zone": "UTC"},
                    "action": {"action_type": "CreateJob", "job_definition": job},
                    "tags": tags,
                },
                opts=ctx.child(self),
                **workspace,
            )
            outputs.update(schedule=self.schedule.name, schedule_expression=item.schedule)
        if item.on_drift:
            signals = pick(ctx.built["monitoring"]["monitoring"], "endpoints")[item.endpoint]["drift_alerts"]
            subscription, workflow = drift_trigger(ctx, base, self, stem, rest_shape(job), signals, tags)
            outputs.update(drift_trigger=subscription.id, drift_workflow=workflow.name)
        self.finish(RetrainingOutputs.from_dict(outputs))
