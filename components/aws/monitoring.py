"""AWS monitoring: SageMaker Model Monitor data-quality drift on each endpoint's data capture, CloudWatch
alarms on drift and endpoint health into one KMS-encrypted SNS topic, and a CloudWatch dashboard.

- Drift: a `DataQualityJobDefinition` (the Model Monitor analyzer container, the platform key on the
  volume and the reports, network isolation and the platform VPC when private) and a
  `MonitoringSchedule` (hourly or daily) per endpoint with a baseline. The job publishes
  `feature_baseline_drift_<feature>` to CloudWatch (namespace `aws/sagemaker/Endpoints/data-metrics`,
  dimensions Endpoint + MonitoringSchedule); one alarm per baseline feature above `data_drift.threshold`.
  The baseline statistics/constraints are computed by a data-plane job (plan gap, docs/monitoring.md).
- Health: per variant, the metrics of the rollback alarms (namespace `AWS/SageMaker`, EndpointName +
  VariantName): 5xx and 4xx rates (metric math over `Invocations`), `ModelLatency` p99/p95 (microseconds),
  and "stuck at max replicas" as `InvocationsPerInstance` above the autoscaling target for 30 minutes
  (SageMaker publishes no instance-count metric; above target means scaling cannot add instances).
Sources: docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-interpreting-cloudwatch.html,
docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html,
docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html (encrypted topics need a
customer managed key whose policy lets CloudWatch use it).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ..catalog.monitor_images import analyzer_image as catalogue_analyzer_image, monitor_image_problem
from ..context import PlatformContext
from ..contract import MonitoringComponent
from ..outputs import EndpointMonitoringOutputs, MonitoringOutputs
from ..spec.monitoring import PlatformMonitoringSpec, endpoint_monitoring_gaps
from ..traffic import versions
from .base import Base
from .cloud import AwsCloud
from .endpoint import INVOCATIONS_PER_INSTANCE
from .names import data_quality_name, monitor_schedule_name

MONITOR_INSTANCE_TYPE = "ml.m5.large"
MONITOR_VOLUME_GB = 20
MONITOR_MAX_RUNTIME_SECONDS = 1800  # an hourly schedule's job must end within the hour
SCHEDULES = {"hourly": "cron(0 * ? * * *)", "daily": "cron(0 0 ? * * *)"}
DRIFT_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
STUCK_MINUTES = 30


def analyzer_image(region: str) -> str:
    image = catalogue_analyzer_image(region)
    if image is None:  # the spec refuses a drift monitor there (catalog/monitor_images.py); a caller bug
        raise pulumi.RunError(f"region: {monitor_image_problem('aws', region)}")
    return image


class Monitoring(MonitoringComponent):
    CLOUD = "aws"
    COMPONENT = "Monitoring"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        item: PlatformMonitoringSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        tags = ctx.tags()
        self.topic = self._topic(ctx, item, tags)
        built = ctx.built.get("endpoints", {})
        endpoints, widgets = {}, []
        for endpoint in item.endpoints:
            endpoint_name = built[endpoint.name]["endpoint_name"]  # an Output: the monitor waits for the endpoint
            monitor, drift = self._drift(ctx, base, endpoint, endpoint_name, tags) if endpoint.monitoring.drift else (None, [])
            health = self._health(ctx, endpoint, endpoint_name, tags)
            endpoints[endpoint.name] = EndpointMonitoringOutputs(
                monitor=monitor.name if monitor else None,
                drift_alerts=[alarm.arn for alarm in drift],
                health_alerts=[alarm.arn for alarm in health],
                baseline=self._baseline_step(ctx, base, endpoint) if monitor else None,
                reports=self._reports_uri(base, endpoint) if monitor else None,
                gaps=endpoint_monitoring_gaps(AwsCloud(), endpoint),
            ).to_dict()
            widgets += _widgets(ctx, endpoint, endpoint_name, monitor)
        region = ctx.spec.region
        dashboard = aws.cloudwatch.Dashboard(
            ctx.name("models"),
            dashboard_name=ctx.name("models"),
            dashboard_body=pulumi.Output.json_dumps({"widgets": [{**w, "properties": {**w["properties"], "region": region}} for w in widgets]}),
            opts=ctx.child(self),
        )
        self.finish(
            MonitoringOutputs(
                notify=[self.topic.arn],
                dashboard_url=pulumi.Output.concat(
                    f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#dashboards:name=",
                    dashboard.dashboard_name,
                ),
                endpoints=endpoints,
            )
        )

    # -- notification target --------------------------------------------------------------------------------
    def _topic(self, ctx, item: PlatformMonitoringSpec, tags: dict) -> aws.sns.Topic:
        # CloudWatch cannot publish to a topic under the AWS managed SNS key: the topic gets its own key whose
        # policy lets CloudWatch alarms (and the account) use it.
        account = aws.get_caller_identity_output().account_id
        key = aws.kms.Key(
            ctx.name("alerts-key"),
            description=f"mlplat {ctx.prefix}: monitoring alerts topic",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=account.apply(_alerts_key_policy),
            tags=tags,
            opts=ctx.stateful(self),  # a key row is stateful: protected in prod like the platform key
        )
        topic = aws.sns.Topic(
            ctx.name("alerts"),
            name=ctx.name("alerts"),
            kms_master_key_id=key.arn,
            tags=tags,
            opts=ctx.child(self),
        )
        for address in item.emails:
            aws.sns.TopicSubscription(
                ctx.name("alerts", address.replace("@", "-at-")), topic=topic.arn, protocol="email", endpoint=address, opts=ctx.child(topic)
            )
        if item.webhook:
            aws.sns.TopicSubscription(
                ctx.name("alerts", "webhook"), topic=topic.arn, protocol="https", endpoint=item.webhook,
                opts=ctx.child(topic),
            )
        return topic

    # -- drift --------------------------------------------------------------------------------------------------
    @staticmethod
    def _baseline_uri(base, endpoint) -> pulumi.Output:
        return pulumi.Output.concat("s3://", base.data_bucket.bucket, f"/monitoring/{endpoint.name}/baseline")

    @staticmethod
    def _reports_uri(base, endpoint) -> pulumi.Output:
        return pulumi.Output.concat("s3://", base.artifacts_bucket.bucket, f"/monitoring/{endpoint.name}/reports")

    def _baseline_step(self, ctx, base, endpoint) -> pulumi.Output:
        """The exact data-plane command that writes the statistics/constraints the monitor reads."""
        baseline = endpoint.monitoring.baseline
        header = "True" if baseline.format == "csv" else "False"
        fmt = f"DatasetFormat.csv(header={header})" if baseline.format == "csv" else "DatasetFormat.json(lines=True)"
        key = pulumi.Output.concat("'", base.key_arn, "'") if base.key_arn is not None else "None"
        return pulumi.Output.concat(
            "python -c \"from sagemaker.model_monitor import DefaultModelMonitor; ",
            "from sagemaker.model_monitor.dataset_format import DatasetFormat; ",
            "DefaultModelMonitor(role='", base.execution_role.arn, f"', instance_count=1, instance_type='{MONITOR_INSTANCE_TYPE}'",
            ", volume_kms_key=", key, ", output_kms_key=", key,
            ").suggest_baseline(baseline_dataset='s3://", base.data_bucket.bucket, f"/{baseline.key}', ",
            f"dataset_format={fmt}, output_s3_uri='", self._baseline_uri(base, endpoint), "', wait=True)\"",
        )

    def _drift(self, ctx, base, endpoint, endpoint_name, tags):
        monitoring = endpoint.monitoring
        baseline = self._baseline_uri(base, endpoint)
        network = {"enable_inter_container_traffic_encryption": True, "enable_network_isolation": ctx.spec.environment.value == "prod"}
        if ctx.private:
            network["vpc_config"] = {"security_group_ids": [base.security_group_id], "subnets": base.private_subnet_ids}
        definition = aws.sagemaker.DataQualityJobDefinition(
            ctx.name(endpoint.name, "data-quality"),
            name=data_quality_name(ctx.prefix, endpoint.name),
            role_arn=base.execution_role.arn,
            data_quality_app_specification={
                "image_uri": analyzer_image(ctx.spec.region),
                "environment": {"publish_cloudwatch_metrics": "Enabled"},
            },
            data_quality_baseline_config={
                "constraints_resource": {"s3_uri": pulumi.Output.concat(baseline, "/constraints.json")},
                "statistics_resource": {"s3_uri": pulumi.Output.concat(baseline, "/statistics.json")},
            },
            data_quality_job_input={"endpoint_input": {"endpoint_name": endpoint_name, "local_path": "/opt/ml/processing/input/endpoint"}},
            data_quality_job_output_config={
                "kms_key_id": base.key_arn,
                "monitoring_outputs": {"s3_output": {"s3_uri": self._reports_uri(base, endpoint), "local_path": "/opt/ml/processing/output"}},
            },
            job_resources={"cluster_config": {
                "instance_count": 1, "instance_type": MONITOR_INSTANCE_TYPE, "volume_size_in_gb": MONITOR_VOLUME_GB,
                "volume_kms_key_id": base.key_arn,
            }},
            network_config=network,
            stopping_condition={"max_runtime_in_seconds": MONITOR_MAX_RUNTIME_SECONDS},
            tags=tags,
            opts=ctx.child(self),
        )
        schedule = aws.sagemaker.MonitoringSchedule(
            ctx.name(endpoint.name, "monitor"),
            name=monitor_schedule_name(ctx.prefix, endpoint.name),
            monitoring_schedule_config={
                "monitoring_type": "DataQuality",
                "monitoring_job_definition_name": definition.name,
                "schedule_config": {"schedule_expression": SCHEDULES[monitoring.schedule]},
            },
            tags=tags,
            opts=ctx.child(self),
        )
        period = monitoring.interval_hours * 3600
        alarms = [
            self._alarm(
                ctx, (endpoint.name, "drift", feature), tags,
                f"{endpoint.name}: drift of {feature} above {monitoring.data_drift.threshold} (Model Monitor)",
                threshold=monitoring.data_drift.threshold, period=period, evaluation_periods=1,
                namespace=DRIFT_NAMESPACE, metric_name=f"feature_baseline_drift_{feature}", statistic="Maximum",
                dimensions={"Endpoint": endpoint_name, "MonitoringSchedule": schedule.name},
            )
            for feature in monitoring.baseline.features
        ]
        return schedule, alarms

    # -- health -------------------------------------------------------------------------------------------------
    def _health(self, ctx, endpoint, endpoint_name, tags) -> list[aws.cloudwatch.MetricAlarm]:
        health, alarms = endpoint.monitoring.health, []
        serverless = endpoint.min_replicas == 0
        for version in versions(endpoint):
            dims = {"EndpointName": endpoint_name, "VariantName": version.name}
            where = f"{endpoint.name}/{version.name}"
            for code, rate in (("5XX", health.error_rate_5xx), ("4XX", health.error_rate_4xx)):
                alarms.append(self._alarm(
                    ctx, (endpoint.name, version.name, code.lower(), "rate"), tags,
                    f"{where}: {code} error rate above {rate:.2%}", threshold=rate, period=300, evaluation_periods=1,
                    metric_queries=_rate_queries(dims, f"Invocation{code}Errors"),
                ))
            for pct, ms in (("p99", health.latency_p99_ms), ("p95", health.latency_p95_ms)):
                alarms.append(self._alarm(
                    ctx, (endpoint.name, version.name, pct), tags, f"{where}: model latency {pct} above {ms} ms",
                    threshold=ms * 1000, period=300, evaluation_periods=1, namespace="AWS/SageMaker",
                    metric_name="ModelLatency", extended_statistic=pct, dimensions=dims,
                ))
            if health.stuck_at_max_replicas and not serverless and endpoint.min_replicas < endpoint.max_replicas:
                alarms.append(self._alarm(
                    ctx, (endpoint.name, version.name, "at-max"), tags,
                    f"{where}: invocations per instance above the scaling target for {STUCK_MINUTES} min "
                    f"(stuck at max_replicas {endpoint.max_replicas})",
                    threshold=INVOCATIONS_PER_INSTANCE, period=300, evaluation_periods=STUCK_MINUTES // 5,
                    namespace="AWS/SageMaker", metric_name="InvocationsPerInstance", statistic="Average",
                    dimensions=dims,
                ))
        return alarms

    def _alarm(self, ctx, parts: tuple, tags: dict, description: str, **metric) -> aws.cloudwatch.MetricAlarm:
        return aws.cloudwatch.MetricAlarm(
            ctx.name(*parts),
            name=ctx.name(*parts),
            alarm_description=description,
            comparison_operator="GreaterThanThreshold",
            datapoints_to_alarm=metric.get("evaluation_periods", 1),
            treat_missing_data="notBreaching",
            alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn],
            tags=tags,
            opts=ctx.child(self),
            **metric,
        )


def _rate_queries(dims: dict, errors_metric: str) -> list[dict]:
    def metric(query_id: str, name: str) -> dict:
        return {"id": query_id, "return_data": False, "metric": {
            "namespace": "AWS/SageMaker", "metric_name": name, "dimensions": dims, "period": 300, "stat": "Sum"}}

    return [
        metric("errors", errors_metric),
        metric("invocations", "Invocations"),
        {"id": "rate", "expression": "IF(invocations > 0, errors / invocations, 0)", "label": "error rate", "return_data": True},
    ]


def _alerts_key_policy(account: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "CloudWatchAlarmsPublish", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
             "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"},
        ],
    })


def _widgets(ctx, endpoint, endpoint_name, monitor) -> list[dict]:
    """Invocations, errors, latency, instance load and (with a monitor) drift per feature for one endpoint."""
    def metric_widget(title: str, metrics: list, stat: str = "Sum") -> dict:
        return {"type": "metric", "width": 12, "height": 6, "properties": {"title": f"{endpoint.name}: {title}", "metrics": metrics, "stat": stat, "period": 300}}

    series = lambda name, stat=None: [  # noqa: E731
        ["AWS/SageMaker", name, "EndpointName", endpoint_name, "VariantName", v.name, *([{"stat": stat}] if stat else [])]
        for v in versions(endpoint)
    ]
    widgets = [
        metric_widget("invocations", series("Invocations")),
        metric_widget("errors", series("Invocation5XXErrors") + series("Invocation4XXErrors")),
        metric_widget("model latency (us)", series("ModelLatency", "p99") + series("ModelLatency", "p95"), "p99"),
        metric_widget("invocations per instance (replica load)", series("InvocationsPerInstance"), "Average"),
    ]
    if monitor is not None:
        drift = [[DRIFT_NAMESPACE, f"feature_baseline_drift_{f}", "Endpoint", endpoint_name, "MonitoringSchedule", monitor.name]
                 for f in endpoint.monitoring.baseline.features]
        widgets.append(metric_widget("feature drift", drift, "Maximum"))
    return widgets
