"""Scheduled retraining on AWS: an EventBridge Scheduler schedule whose universal target calls Batch
`SubmitJob` on the training component's spot job queue, with a job definition revision of its own
(the retraining's image and command on the training container's GPU shape, role and logs).

Facts (botocore service models in the venv): scheduler 2021-06-30 `Target` = Arn, RoleArn, Input,
RetryPolicy, ...; `FlexibleTimeWindow` = Mode, MaximumWindowInMinutes; batch 2016-08-10 `SubmitJob`
takes jobName, jobQueue, jobDefinition, containerOverrides (command, environment, ...). The universal
target and the scheduler role are `schedules.py`'s.

With `pipeline`, the run is a SageMaker pipeline execution instead (its steps train and register): the
schedule and the drift rule target the pipeline ARN with its parameters, and their roles may
`sagemaker:StartPipelineExecution` on that pipeline only; no job definition is made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..outputs import RetrainingOutputs, pick
from ..context import PlatformContext
from ..contract import RetrainingComponent
from ..spec.retraining import RetrainingSpec, aws_cron
from . import iam
from .base import Base
from .names import drift_name, retraining_stem
from .schedules import schedule, scheduler_role, service_role, universal_target

class Retraining(RetrainingComponent):
    CLOUD = "aws"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        item: RetrainingSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        tags = ctx.tags(item.use_case)
        account = aws.get_caller_identity_output().account_id
        stem = retraining_stem(ctx.prefix, item.name)
        sagemaker = pulumi.Output.concat("arn:aws:sagemaker:", ctx.spec.region, ":", account)
        if item.pipeline is None:
            run = self._training_job(ctx, stem, item, tags, account, sagemaker)
        else:
            run = _pipeline_run(item, sagemaker)
        outputs = dict(run.outputs)
        if item.schedule:
            self.scheduler_role = scheduler_role(ctx, self, stem, account, run.start, tags)
            self.schedule = schedule(ctx, self, stem, aws_cron(item.schedule),
                                     {**run.schedule_target, "role_arn": self.scheduler_role.arn})
            outputs.update(schedule=self.schedule.name, schedule_expression=aws_cron(item.schedule))
        if item.on_drift:
            alarms = pick(ctx.built["monitoring"]["monitoring"], "endpoints")[item.endpoint]["drift_alerts"]
            self.drift_rule = self._on_drift(ctx, stem, item, alarms, run, account, tags)
            outputs.update(drift_trigger=self.drift_rule.arn)
        self.finish(RetrainingOutputs.from_dict(outputs))

    def _training_job(self, ctx, stem, item, tags, account, sagemaker) -> "_Run":
        """The retraining's Batch job definition on the training container's shape and role, the job role's
        right to register its model version, and how a schedule or rule submits it to the spot queue."""
        training = ctx.built["training"]["training"]
        registry = ctx.built["registry"]["registry"]
        group = pick(registry, "model_registry")
        container = pulumi.Output.all(pick(training, "job_container_properties"), group,
                                      pick(registry, "image_repository_url")).apply(
            lambda args: _container(json.loads(args[0]), item, args[1], args[2])
        )
        self.job_definition = aws.batch.JobDefinition(
            stem,
            name=stem,
            type="container",
            platform_capabilities=["EC2"],
            container_properties=container,
            # Spot reclaim ("Host EC2 (instance i-...) terminated.") retries; other failures do not.
            retry_strategy={
                "attempts": 3,
                "evaluate_on_exits": [
                    {"on_status_reason": "Host EC2*", "action": "retry"},
                    {"on_reason": "*", "action": "exit"},
                ],
            },
            propagate_tags=True,
            tags=tags,
            opts=ctx.child(self),
        )
        # The job registers its model version in the platform's group, and nothing else in SageMaker.
        aws.iam.RolePolicy(
            f"{stem}-register",
            role=pick(training, "job_role_name"),
            policy=iam.policy_document(
                [{
                    "Effect": "Allow",
                    "Action": ["sagemaker:CreateModelPackage", "sagemaker:DescribeModelPackageGroup"],
                    # Versions are `model-package/<group>/<version>` (SageMaker IAM resource types).
                    "Resource": [
                        pulumi.Output.concat(sagemaker, ":model-package-group/", group),
                        pulumi.Output.concat(sagemaker, ":model-package/", group, "/*"),
                    ],
                }]
            ),
            opts=ctx.child(self),
        )
        queue = pick(training, "submit_to")
        # Every revision of this job definition on the training queue, and only them (SubmitJob authorises
        # on both ARNs): what the schedule and the drift rule may start.
        revisions = pulumi.Output.concat("arn:aws:batch:", ctx.spec.region, ":", account, f":job-definition/{stem}:*")
        return _Run(
            outputs={"job_definition_arn": self.job_definition.arn, "submit_to": queue},
            start=[{"Effect": "Allow", "Action": ["batch:SubmitJob"], "Resource": [queue, revisions]}],
            schedule_target={
                "arn": universal_target("batch", "submitJob"),
                "input": pulumi.Output.json_dumps({
                    "jobName": stem, "jobQueue": queue, "jobDefinition": self.job_definition.arn,
                }),
            },
            rule_target={"arn": queue, "batch_target": {"job_definition": self.job_definition.arn, "job_name": stem}},
        )

    def _on_drift(self, ctx, stem, item, alarms, run: "_Run", account, tags) -> aws.cloudwatch.EventRule:
        """An EventBridge rule on the endpoint's drift alarms entering ALARM, starting the run (the Batch job on
        the training queue, or the pipeline) through a role only EventBridge may assume, allowed that start only.

        CloudWatch sends "CloudWatch Alarm State Change" events (source aws.cloudwatch, the alarm ARN in
        `resources`, the new state in detail.state.value) to the default bus (CloudWatch User Guide,
        "Alarm events and EventBridge"); a Batch job queue is an EventBridge target whose role needs
        batch:SubmitJob (pulumi_aws EventTargetBatchTargetArgs: job_definition, job_name), a SageMaker pipeline
        one whose role needs sagemaker:StartPipelineExecution (EventTargetSagemakerPipelineTargetArgs)."""
        rule = aws.cloudwatch.EventRule(
            f"{stem}-drift",
            name=drift_name(stem),
            description=f"retrain {item.name} when endpoint {item.endpoint}'s drift alarms go to ALARM",
            event_pattern=pulumi.Output.json_dumps({
                "source": ["aws.cloudwatch"],
                "detail-type": ["CloudWatch Alarm State Change"],
                "resources": alarms,
                "detail": {"state": {"value": ["ALARM"]}},
            }),
            tags=tags,
            opts=ctx.child(self),
        )
        role = service_role(ctx, rule, drift_name(stem), "events.amazonaws.com", account, run.start, tags)
        aws.cloudwatch.EventTarget(
            f"{stem}-drift",
            rule=rule.name,
            role_arn=role.arn,
            retry_policy={"maximum_retry_attempts": 3, "maximum_event_age_in_seconds": 3600},
            opts=ctx.child(rule),
            **run.rule_target,
        )
        return rule


@dataclass(frozen=True)
class _Run:
    """What one retraining run is, as each trigger starts it."""

    outputs: dict  # stack output keys of the run's target
    start: list[dict]  # the IAM statements a trigger's role needs to start it, and nothing more
    schedule_target: dict  # the EventBridge Scheduler target, without its role
    rule_target: dict  # the EventBridge rule target's arn and target parameters, without its role


def _pipeline_run(item: RetrainingSpec, sagemaker: pulumi.Output) -> _Run:
    """A SageMaker pipeline execution with the spec's parameters: EventBridge Scheduler's templated pipeline
    target (botocore scheduler `SageMakerPipelineParameters`) and the rule's pipeline target. SageMaker writes a
    pipeline's ARN with its name in lower case (`list-pipelines`: `AbalonePipeline` -> `pipeline/abalonepipeline`)."""
    arn = pulumi.Output.concat(sagemaker, ":pipeline/", item.pipeline.name.lower())
    parameters = [{"name": name, "value": value} for name, value in item.pipeline.parameters.items()]
    schedule_target: dict = {"arn": arn}
    rule_target: dict = {"arn": arn}
    if parameters:
        schedule_target["sagemaker_pipeline_parameters"] = {"pipeline_parameters": parameters}
        rule_target["sagemaker_pipeline_target"] = {"pipeline_parameter_lists": parameters}
    return _Run(
        outputs={"submit_to": arn, "pipeline": item.pipeline.name},
        start=[{"Effect": "Allow", "Action": ["sagemaker:StartPipelineExecution"], "Resource": [arn]}],
        schedule_target=schedule_target,
        rule_target=rule_target,
    )


def _container(training: dict, item: RetrainingSpec, model_package_group: str, image_repository: str) -> str:
    """The training container (shape, role, logs, CHECKPOINT_URI) with the retraining's image and command, told
    where to register its model (docs/retraining.md, "What the job is told")."""
    container = dict(training)
    container["command"] = [*item.command, *item.arguments]
    container["image"] = item.image
    container["environment"] = [
        *container.get("environment", []),
        {"name": "MODEL_REGISTRY", "value": model_package_group},
        {"name": "MODEL_PACKAGE_GROUP", "value": model_package_group},
        {"name": "IMAGE_REPOSITORY", "value": image_repository},
        {"name": "RETRAINING", "value": item.name},
    ]
    return json.dumps(container)
