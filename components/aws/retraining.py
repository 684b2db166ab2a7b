"""Scheduled retraining on AWS: an EventBridge Scheduler schedule whose universal target calls Batch
`SubmitJob` on the training component's spot job queue, with a job definition revision of its own
(the retraining's image and command on the training container's GPU shape, role and logs).

Facts (botocore service models in the venv): scheduler 2021-06-30 `Target` = Arn, RoleArn, Input,
RetryPolicy, ...; `FlexibleTimeWindow` = Mode, MaximumWindowInMinutes; batch 2016-08-10 `SubmitJob`
takes jobName, jobQueue, jobDefinition, containerOverrides (command, environment, ...). The universal
target and the scheduler role are `schedules.py`'s.
"""

from __future__ import annotations

import json

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
        training = ctx.built["training"]["training"]
        registry = ctx.built["registry"]["registry"]
        tags = ctx.tags(item.use_case)
        account = aws.get_caller_identity_output().account_id
        stem = retraining_stem(ctx.prefix, item.name)
        region = ctx.spec.region
        sagemaker = pulumi.Output.concat("arn:aws:sagemaker:", region, ":", account)
        group = pick(registry, "model_registry")

        container = pulumi.Output.all(pick(training, "job_container_properties"), pick(registry, "model_registry")).apply(
            lambda args: _container(json.loads(args[0]), item, args[1])
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

        outputs = {"job_definition_arn": self.job_definition.arn, "submit_to": pick(training, "submit_to")}
        # Every revision of this job definition on the training queue, and only them (SubmitJob authorises
        # on both ARNs): what the schedule and the drift rule may start.
        revisions = pulumi.Output.concat("arn:aws:batch:", region, ":", account, f":job-definition/{stem}:*")
        submit = [{"Effect": "Allow", "Action": ["batch:SubmitJob"], "Resource": [pick(training, "submit_to"), revisions]}]
        if item.schedule:
            self.scheduler_role = scheduler_role(ctx, self, stem, account, submit, tags)
            self.schedule = schedule(ctx, self, stem, aws_cron(item.schedule), {
                "arn": universal_target("batch", "submitJob"),
                "role_arn": self.scheduler_role.arn,
                "input": pulumi.Output.json_dumps({
                    "jobName": stem,
                    "jobQueue": pick(training, "submit_to"),
                    "jobDefinition": self.job_definition.arn,
                }),
            })
            outputs.update(schedule=self.schedule.name, schedule_expression=aws_cron(item.schedule))
        if item.on_drift:
            alarms = pick(ctx.built["monitoring"]["monitoring"], "endpoints")[item.endpoint]["drift_alerts"]
            self.drift_rule = self._on_drift(ctx, stem, item, alarms, pick(training, "submit_to"), account, submit, tags)
            outputs.update(drift_trigger=self.drift_rule.arn)
        self.finish(RetrainingOutputs.from_dict(outputs))

    def _on_drift(self, ctx, stem, item, alarms, queue, account, submit, tags) -> aws.cloudwatch.EventRule:
        """An EventBridge rule on the endpoint's drift alarms entering ALARM, submitting this job definition
        to the training queue through a role only EventBridge may assume, allowed that SubmitJob only.

        CloudWatch sends "CloudWatch Alarm State Change" events (source aws.cloudwatch, the alarm ARN in
        `resources`, the new state in detail.state.value) to the default bus (CloudWatch User Guide,
        "Alarm events and EventBridge"); a Batch job queue is an EventBridge target whose role needs
        batch:SubmitJob (pulumi_aws EventTargetBatchTargetArgs: job_definition, job_name)."""
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
        role = service_role(ctx, rule, drift_name(stem), "events.amazonaws.com", account, submit, tags)
        aws.cloudwatch.EventTarget(
            f"{stem}-drift",
            rule=rule.name,
            arn=queue,
            role_arn=role.arn,
            batch_target={"job_definition": self.job_definition.arn, "job_name": stem},
            retry_policy={"maximum_retry_attempts": 3, "maximum_event_age_in_seconds": 3600},
            opts=ctx.child(rule),
        )
        return rule


def _container(training: dict, item: RetrainingSpec, model_package_group: str) -> str:
    """The training container with the retraining's image (else the training one) and command."""
    container = dict(training)
    container["command"] = [*item.command, *item.arguments]
    if item.image:
        container["image"] = item.image
    container["environment"] = [
        *container.get("environment", []),
        {"name": "MODEL_PACKAGE_GROUP", "value": model_package_group},
        {"name": "RETRAINING", "value": item.name},
    ]
    return json.dumps(container)
