"""GCP monitoring: a Vertex AI model deployment monitoring job per endpoint with a baseline (the
`VertexModelMonitor` dynamic provider: feature drift against the baseline and prediction drift, alerting the
notification channels), Cloud Monitoring notification channels (the `alerts:` recipients), one alert policy
per health signal of each monitored Vertex AI endpoint, and a Cloud Monitoring dashboard.

Metrics of the monitored resource `aiplatform.googleapis.com/Endpoint` (label `endpoint_id`):
`prediction/online/response_count` (label `response_code`) for the 5xx/4xx rates (a ratio condition:
filter over denominator filter), `prediction/online/prediction_latencies` (milliseconds, a distribution
aligned to its 99th/95th percentile) and `prediction/online/replicas` for "stuck at max replicas".
Source: cloud.google.com/monitoring/api/metrics_gcp_a_b (aiplatform), cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies.
Notification channels hold no data of their own and take no customer-managed key.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_gcp as gcp

from ..context import PlatformContext
from ..contract import MonitoringComponent
from ..outputs import EndpointMonitoringOutputs, MonitoringOutputs, pick
from ..spec.monitoring import PlatformMonitoringSpec, endpoint_monitoring_gaps
from .base import Base
from .cloud import GcpCloud
from .drift_events import drift_channel
from .endpoint import _delegates
from .model_monitor import VertexModelMonitor, VertexModelMonitorArgs

METRIC = "aiplatform.googleapis.com/prediction/online/"
RESOURCE = 'resource.type = "aiplatform.googleapis.com/Endpoint"'
WINDOW = "300s"
STUCK_WINDOW = "1800s"


class Monitoring(MonitoringComponent):
    CLOUD = "gcp"
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
        labels = ctx.tags()
        project = base.project
        self.channels = self._channels(ctx, project, item, labels)
        built = ctx.built.get("endpoints", {})
        endpoints, tiles = {}, []
        for endpoint in item.endpoints:
            endpoint_id = built[endpoint.name]["endpoint_name"].apply(lambda resource: resource.rsplit("/", 1)[-1])
            topic = channel = None
            if endpoint.monitoring.drift and endpoint.name in item.drift_triggers:
                topic, channel = drift_channel(ctx, self, base, endpoint.name, labels)
            monitor = self._monitor(ctx, base, endpoint, built[endpoint.name], labels, channel) if endpoint.monitoring.drift else None
            health = self._health(ctx, project, endpoint, endpoint_id, labels)
            endpoints[endpoint.name] = EndpointMonitoringOutputs(
                monitor=monitor.job_name if monitor else None,
                # Vertex AI alerts the channels itself when a feature crosses its threshold: the job is the alert.
                drift_alerts=[monitor.job_name] if monitor else [],
                health_alerts=[policy.name for policy in health],
                baseline=self._baseline(base, endpoint) if monitor else None,
                reports=monitor.bigquery_tables if monitor else None,
                gaps=endpoint_monitoring_gaps(GcpCloud(), endpoint),
                drift_events=topic.id if topic else None,
            ).to_dict()
            tiles += _tiles(endpoint, endpoint_id)
        dashboard = gcp.monitoring.Dashboard(
            ctx.name("models"),
            project=project,
            dashboard_json=pulumi.Output.all(*tiles).apply(lambda resolved: json.dumps(_dashboard(ctx.name("models"), resolved))),
            opts=ctx.child(self),
        )
        self.finish(
            MonitoringOutputs(
                notify=[channel.name for channel in self.channels],
                dashboard_url=pulumi.Output.concat(
                    "https://console.cloud.google.com/monitoring/dashboards/builder/",
                    dashboard.id.apply(lambda i: i.rsplit("/", 1)[-1]), "?project=", project,
                ),
                endpoints=endpoints,
            )
        )

    @staticmethod
    def _baseline(base, endpoint) -> pulumi.Output:
        return pulumi.Output.concat("gs://", base.data_bucket.name, "/", endpoint.monitoring.baseline.key)

    def _monitor(self, ctx, base, endpoint, built: dict, labels: dict, events=None) -> VertexModelMonitor:
        monitoring = endpoint.monitoring
        gcp_config = pulumi.Config("gcp")  # the monitor authenticates on its own, as the Vertex deployer does
        return VertexModelMonitor(
            ctx.name(endpoint.name, "monitor"),
            VertexModelMonitorArgs(
                project=base.project,
                region=ctx.spec.region,
                endpoint=built["endpoint_name"],
                display_name=ctx.name(endpoint.name, "monitor"),
                features=list(monitoring.baseline.features),
                baseline_uri=self._baseline(base, endpoint),
                feature_drift_thresholds={f: monitoring.data_drift.threshold for f in monitoring.baseline.features},
                prediction_drift_thresholds={o: monitoring.prediction_drift.threshold for o in monitoring.prediction_drift.outputs},
                interval_hours=monitoring.interval_hours,
                sampling_rate=endpoint.logging_sample_percent / 100,
                notification_channels=[channel.name for channel in [*self.channels, *([events] if events else [])]],
                kms_key_name=base.key_id if ctx.customer_managed_keys else None,
                labels=labels,
                logging_table=pick(built, "capture"),
                deployed_models=pick(built, "deployed_models"),
                impersonate_service_account=gcp_config.get("impersonateServiceAccount"),
                impersonate_delegates=_delegates(gcp_config.get("impersonateServiceAccountDelegates")),
            ),
            opts=ctx.child(self),
        )

    def _channels(self, ctx, project, item: PlatformMonitoringSpec, labels: dict) -> list:
        channels = [
            gcp.monitoring.NotificationChannel(
                ctx.name("alerts", address.replace("@", "-at-")),
                project=project,
                display_name=f"mlplat {ctx.prefix} alerts: {address}",
                type="email",
                labels={"email_address": address},
                user_labels=labels,
                opts=ctx.child(self),
            )
            for address in item.emails
        ]
        if item.webhook:
            channels.append(gcp.monitoring.NotificationChannel(
                ctx.name("alerts", "webhook"),
                project=project,
                display_name=f"mlplat {ctx.prefix} alerts: webhook",
                type="webhook_tokenauth",
                labels={"url": item.webhook},
                user_labels=labels,
                opts=ctx.child(self),
            ))
        return channels

    def _health(self, ctx, project, endpoint, endpoint_id, labels) -> list:
        health = endpoint.monitoring.health
        on_endpoint = endpoint_id.apply(lambda i: f'{RESOURCE} AND resource.labels.endpoint_id = "{i}"')
        responses = on_endpoint.apply(lambda f: f'{f} AND metric.type = "{METRIC}response_count"')
        rate = [{"alignment_period": WINDOW, "per_series_aligner": "ALIGN_RATE", "cross_series_reducer": "REDUCE_SUM"}]
        conditions = []
        for code, threshold in (("5", health.error_rate_5xx), ("4", health.error_rate_4xx)):
            conditions.append((f"{code}xx-rate", f"{code}xx error rate above {threshold:.2%}", {
                "filter": responses.apply(lambda f, c=code: f'{f} AND metric.labels.response_code = monitoring.regex.full_match("{c}..")'),
                "denominator_filter": responses,
                "aggregations": rate,
                "denominator_aggregations": rate,
                "comparison": "COMPARISON_GT",
                "threshold_value": threshold,
                "duration": WINDOW,
            }))
        for pct, ms in (("99", health.latency_p99_ms), ("95", health.latency_p95_ms)):
            conditions.append((f"p{pct}", f"prediction latency p{pct} above {ms} ms", {
                "filter": on_endpoint.apply(lambda f: f'{f} AND metric.type = "{METRIC}prediction_latencies"'),
                "aggregations": [{"alignment_period": WINDOW, "per_series_aligner": f"ALIGN_PERCENTILE_{pct}"}],
                "comparison": "COMPARISON_GT",
                "threshold_value": ms,
                "duration": WINDOW,
            }))
        if health.stuck_at_max_replicas and endpoint.min_replicas < endpoint.max_replicas:
            conditions.append(("at-max", f"at max_replicas ({endpoint.max_replicas}) for 30 min", {
                "filter": on_endpoint.apply(lambda f: f'{f} AND metric.type = "{METRIC}replicas"'),
                "aggregations": [{"alignment_period": WINDOW, "per_series_aligner": "ALIGN_MAX", "cross_series_reducer": "REDUCE_SUM"}],
                "comparison": "COMPARISON_GT",
                "threshold_value": endpoint.max_replicas - 0.5,  # replicas is an integer gauge: >= max
                "duration": STUCK_WINDOW,
            }))
        return [
            gcp.monitoring.AlertPolicy(
                ctx.name(endpoint.name, kind),
                project=project,
                display_name=f"mlplat {ctx.prefix} {endpoint.name}: {title}",
                combiner="OR",
                conditions=[{"display_name": title, "condition_threshold": condition}],
                notification_channels=[channel.name for channel in self.channels],
                documentation={"content": "Runbook and silencing: docs/monitoring.md", "mime_type": "text/markdown"},
                user_labels=labels,
                opts=ctx.child(self),
            )
            for kind, title, condition in conditions
        ]


def _tiles(endpoint, endpoint_id) -> list:
    """One chart per signal of the endpoint: (title, filter, aligner) with the endpoint id resolved later."""
    charts = (
        ("predictions", "response_count", "ALIGN_RATE"),
        ("latency p99 (ms)", "prediction_latencies", "ALIGN_PERCENTILE_99"),
        ("replicas", "replicas", "ALIGN_MAX"),
    )
    return [
        endpoint_id.apply(lambda i, t=title, m=metric, a=aligner: {
            "title": f"{endpoint.name}: {t}",
            "filter": f'{RESOURCE} AND resource.labels.endpoint_id = "{i}" AND metric.type = "{METRIC}{m}"',
            "aligner": a,
        })
        for title, metric, aligner in charts
    ]


def _dashboard(name: str, charts: list[dict]) -> dict:
    widgets = [
        {
            "title": chart["title"],
            "xyChart": {"dataSets": [{"timeSeriesQuery": {"timeSeriesFilter": {
                "filter": chart["filter"], "aggregation": {"alignmentPeriod": WINDOW, "perSeriesAligner": chart["aligner"]},
            }}}]},
        }
        for chart in charts
    ]
    return {"displayName": name, "gridLayout": {"columns": "2", "widgets": widgets}}
