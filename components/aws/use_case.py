"""AWS use case: the platform's customer. Per use case:

- an IAM role (its one identity) whose inline policy names only its own resources: its feature groups,
  its `use-cases/<name>/` prefix of the data and artifacts buckets, its own model package group, its
  endpoints (invoke), and Batch job submission only under its own fair-share identifier;
- its own SageMaker model package group (when the platform has a registry);
- an AWS Budgets cost budget filtered on its `use-case` tag (and the platform's), when it has a budget;
- a Cost Anomaly Detection monitor on its `use-case` tag with a daily e-mail subscription, when its
  budget has recipients (a CUSTOM monitor with a Tags specification: botocore ce AnomalyMonitor).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ..contract import UseCaseComponent
from ..outputs import UseCaseOutputs
from ..context import PlatformContext
from ..naming import share_identifier, use_case_prefix
from ..spec.finops import UseCaseSpec
from . import iam
from .budget import budget_notifications, cost_filter
from .names import feature_group_name, use_case_identity

FEATURE_ACTIONS = ["sagemaker:PutRecord", "sagemaker:GetRecord", "sagemaker:BatchGetRecord",
                   "sagemaker:DeleteRecord", "sagemaker:DescribeFeatureGroup"]
OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
MODEL_ACTIONS = ["sagemaker:CreateModelPackage", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages",
                 "sagemaker:DescribeModelPackageGroup"]
# An anomaly is reported when its impact reaches this share of the use case's monthly budget.
ANOMALY_IMPACT_PERCENT_OF_BUDGET = 5


class UseCase(UseCaseComponent):
    CLOUD = "aws"
    COMPONENT = "UseCase"

    def __init__(self, name: str, ctx: PlatformContext, base, use_case: UseCaseSpec,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, opts)
        self.warn_if_budget_notifies_nobody(use_case)
        spec = ctx.spec
        tags = ctx.tags(use_case=use_case.name)
        account = aws.get_caller_identity_output().account_id
        arn = lambda service, rest: pulumi.Output.concat(f"arn:aws:{service}:", spec.region, ":", account, ":", rest)  # noqa: E731

        self.model_group = None
        if spec.registry is not None:
            self.model_group = aws.sagemaker.ModelPackageGroup(
                ctx.name(use_case.name, "models"),
                model_package_group_name=ctx.name(use_case.name, "models"),
                model_package_group_description=f"mlplat {ctx.prefix}: models of use case {use_case.name}",
                tags=tags,
                opts=ctx.stateful(self),
            )

        prefix = use_case_prefix(use_case.name)
        statements: list[dict] = []
        groups = [g for g in (spec.feature_store.feature_groups if spec.feature_store else []) if g.use_case == use_case.name]
        if groups:
            names = [feature_group_name(ctx.prefix, g, spec.feature_store.online) for g in groups]
            statements.append({"Sid": "OwnFeatureGroups", "Effect": "Allow", "Action": FEATURE_ACTIONS,
                               "Resource": [arn("sagemaker", f"feature-group/{n}") for n in names]})
        buckets = [base.data_bucket.arn, base.artifacts_bucket.arn]
        statements.append({"Sid": "OwnPrefix", "Effect": "Allow", "Action": OBJECT_ACTIONS,
                           "Resource": [pulumi.Output.concat(b, f"/{prefix}*") for b in buckets]})
        statements.append({"Sid": "ListOwnPrefix", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": buckets,
                           "Condition": {"StringLike": {"s3:prefix": [f"{prefix}*"]}}})
        if self.model_group is not None:
            group = self.model_group.model_package_group_name
            statements.append({"Sid": "OwnModelGroup", "Effect": "Allow", "Action": MODEL_ACTIONS, "Resource": [
                arn("sagemaker", pulumi.Output.concat("model-package-group/", group)),
                arn("sagemaker", pulumi.Output.concat("model-package/", group, "/*"))]})
        endpoints = [e.name for e in spec.endpoints if e.use_case == use_case.name]
        if endpoints:
            statements.append({"Sid": "InvokeOwnEndpoints", "Effect": "Allow", "Action": ["sagemaker:InvokeEndpoint"],
                               "Resource": [arn("sagemaker", f"endpoint/{ctx.name(e)}") for e in endpoints]})
        if use_case.gpu_share is not None:
            # Jobs only under its own fair-share identifier (Batch condition key batch:ShareIdentifier).
            statements.append({"Sid": "SubmitUnderOwnShare", "Effect": "Allow", "Action": ["batch:SubmitJob"],
                               "Resource": [arn("batch", f"job-queue/{ctx.name('training-shared')}"),
                                            arn("batch", f"job-definition/{ctx.name('training')}*")],
                               "Condition": {"StringEquals": {"batch:ShareIdentifier": share_identifier(use_case.name)}}})
        statements += iam.kms_statements(base.key_arn)[:1]  # its objects are encrypted with the platform key

        self.role = aws.iam.Role(
            use_case_identity(ctx.prefix, use_case.name),
            assume_role_policy=iam.assume_role_policy("sagemaker.amazonaws.com", "ecs-tasks.amazonaws.com"),
            description=f"mlplat {ctx.prefix}: use case {use_case.name}, its own resources only",
            tags=tags,
            opts=ctx.child(self),
        )
        aws.iam.RolePolicy(ctx.name(use_case.name, "identity-own"), role=self.role.id,
                           policy=iam.policy_document(statements), opts=ctx.child(self.role))

        self.budget = self.anomaly_subscription = None
        budget = use_case.budget
        if budget is not None:
            self.budget = aws.budgets.Budget(
                ctx.name(use_case.name, "budget"),
                name=ctx.name(use_case.name, "budget"),
                budget_type="COST", limit_amount=f"{budget.monthly_usd:.2f}", limit_unit="USD", time_unit="MONTHLY",
                filter_expression=cost_filter(tags, use_case.name),
                notifications=budget_notifications(budget),
                tags=tags, opts=ctx.child(self),
            )
            if budget.notify:
                self._anomaly_alerts(ctx, use_case, tags)
        self.finish(UseCaseOutputs(
            identity=self.role.arn,
            data_prefix=pulumi.Output.concat("s3://", base.data_bucket.bucket, f"/{prefix}"),
            artifacts_prefix=pulumi.Output.concat("s3://", base.artifacts_bucket.bucket, f"/{prefix}"),
            model_group=self.model_group.model_package_group_name if self.model_group else None,
            budget=self.budget.name if self.budget else None,
            gpu_share=share_identifier(use_case.name) if use_case.gpu_share else None,
        ))

    def _anomaly_alerts(self, ctx: PlatformContext, use_case: UseCaseSpec, tags: dict) -> None:
        monitor = aws.costexplorer.AnomalyMonitor(
            ctx.name(use_case.name, "anomalies"),
            name=ctx.name(use_case.name, "anomalies"),
            monitor_type="CUSTOM",
            monitor_specification=json.dumps(
                {"Tags": {"Key": "use-case", "Values": [use_case.name], "MatchOptions": ["EQUALS"]}}),
            tags=tags, opts=ctx.child(self),
        )
        impact = round(use_case.budget.monthly_usd * ANOMALY_IMPACT_PERCENT_OF_BUDGET / 100, 2)
        self.anomaly_subscription = aws.costexplorer.AnomalySubscription(
            ctx.name(use_case.name, "anomaly-alerts"),
            name=ctx.name(use_case.name, "anomaly-alerts"),
            frequency="DAILY",
            monitor_arn_lists=[monitor.arn],
            subscribers=[{"type": "EMAIL", "address": a} for a in use_case.budget.notify],
            threshold_expression={"dimension": {"key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE", "values": [f"{impact:g}"],
                                                "match_options": ["GREATER_THAN_OR_EQUAL"]}},
            tags=tags, opts=ctx.child(self),
        )
