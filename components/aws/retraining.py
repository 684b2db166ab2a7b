"""Scheduled retraining on AWS: an EventBridge Scheduler schedule whose universal target calls Batch
`SubmitJob` on the training component's spot job queue, with a job definition revision of its own
(the retraining's image and command on the training container's GPU shape, role and logs).

Facts (botocore service models in the venv): scheduler 2021-06-30 `Target` = Arn, RoleArn, Input,
RetryPolicy, ...; `FlexibleTimeWindow` = Mode, MaximumWindowInMinutes; batch 2016-08-10 `SubmitJob`
takes jobName, jobQueue, jobDefinition, containerOverrides (command, environment, ...). The universal
target ARN is `arn:aws:scheduler:::aws-sdk:<service>:<apiAction>` and `Input` is the API's request
parameters under the service model's member names (EventBridge Scheduler "Using universal targets").
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ..context import PlatformContext
from ..contract import RetrainingComponent
from ..spec.retraining import RetrainingSpec, aws_cron
from . import iam
from .base import Base

SUBMIT_JOB_TARGET = "arn:aws:scheduler:::aws-sdk:batch:submitJob"


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
        stem = ctx.name("retrain", item.name)
        region = ctx.spec.region
        sagemaker = pulumi.Output.concat("arn:aws:sagemaker:", region, ":", account)
        group = registry["model_package_group"]

        container = pulumi.Output.all(training["job_container_properties"], registry["model_package_group"]).apply(
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
            role=training["job_role_name"],
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

        outputs = {"job_definition_arn": self.job_definition.arn, "job_queue_arn": training["job_queue_arn"]}
        if item.schedule:
            # Every revision of this job definition, and only it (SubmitJob authorises on both ARNs).
            revisions = pulumi.Output.concat("arn:aws:batch:", region, ":", account, f":job-definition/{stem}:*")
            self.scheduler_role = self._scheduler_role(ctx, stem, account, [training["job_queue_arn"], revisions], tags)
            self.schedule = aws.scheduler.Schedule(
                stem,
                name=stem,
                schedule_expression=aws_cron(item.schedule),
                schedule_expression_timezone="UTC",
                flexible_time_window={"mode": "OFF"},
                target={
                    "arn": SUBMIT_JOB_TARGET,
                    "role_arn": self.scheduler_role.arn,
                    "input": pulumi.Output.json_dumps({
                        "jobName": stem,
                        "jobQueue": training["job_queue_arn"],
                        "jobDefinition": self.job_definition.arn,
                    }),
                    "retry_policy": {"maximum_retry_attempts": 3, "maximum_event_age_in_seconds": 3600},
                },
                opts=ctx.child(self),
            )
            outputs.update(schedule=self.schedule.name, schedule_expression=aws_cron(item.schedule))
        self.finish(outputs)

    def _scheduler_role(self, ctx: PlatformContext, stem: str, account, resources: list, tags: dict) -> aws.iam.Role:
        """Assumable by EventBridge Scheduler for this account only; may call `batch:SubmitJob` on
        `resources` (the queue and the job definition's revisions) and nothing else."""
        role = aws.iam.Role(
            f"{stem}-scheduler",
            assume_role_policy=account.apply(lambda a: json.dumps({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "scheduler.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": a}},
                }],
            })),
            tags=tags,
            opts=ctx.child(self),
        )
        aws.iam.RolePolicy(
            f"{stem}-scheduler",
            role=role.id,
            policy=iam.policy_document([{
                "Effect": "Allow",
                "Action": ["batch:SubmitJob"],
                "Resource": resources,
            }]),
            opts=ctx.child(role),
        )
        return role


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
