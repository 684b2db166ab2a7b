"""EventBridge Scheduler pieces shared by the scheduled capabilities (retraining, batch inference).

Universal targets: the target ARN is `arn:aws:scheduler:::aws-sdk:<service>:<apiAction>` and `Input` is
the API's request parameters under the service model's member names; `<aws.scheduler.execution-id>` in
`Input` is replaced by each invocation's id (EventBridge Scheduler "Adding context attributes"), which
keeps names that must be unique per call (transform jobs) unique.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ..context import PlatformContext
from . import iam
from .names import scheduler_role_name

EXECUTION_ID = "<aws.scheduler.execution-id>"


def universal_target(service: str, action: str) -> str:
    return f"arn:aws:scheduler:::aws-sdk:{service}:{action}"


def scheduler_role(ctx: PlatformContext, parent: pulumi.Resource, stem: str, account, statements: list[dict],
                   tags: dict) -> aws.iam.Role:
    """A role only EventBridge Scheduler of this account may assume, allowed `statements` and nothing else."""
    return service_role(ctx, parent, scheduler_role_name(stem), "scheduler.amazonaws.com", account, statements, tags)


def service_role(ctx: PlatformContext, parent: pulumi.Resource, name: str, service: str, account,
                 statements: list[dict], tags: dict) -> aws.iam.Role:
    """A role only `service` acting for this account may assume, allowed `statements` and nothing else."""
    role = aws.iam.Role(
        name,
        assume_role_policy=account.apply(lambda a: json.dumps({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": a}},
            }],
        })),
        tags=tags,
        opts=ctx.child(parent),
    )
    aws.iam.RolePolicy(name, role=role.id, policy=iam.policy_document(statements), opts=ctx.child(role))
    return role


def schedule(ctx: PlatformContext, parent: pulumi.Resource, stem: str, cron: str, target: dict) -> aws.scheduler.Schedule:
    """A UTC schedule with no flexible window and a bounded retry of the target call."""
    return aws.scheduler.Schedule(
        stem,
        name=stem,
        schedule_expression=cron,
        schedule_expression_timezone="UTC",
        flexible_time_window={"mode": "OFF"},
        target={**target, "retry_policy": {"maximum_retry_attempts": 3, "maximum_event_age_in_seconds": 3600}},
        opts=ctx.child(parent),
    )
