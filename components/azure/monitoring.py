"""Azure monitoring: an Azure ML model-monitoring `Schedule` per endpoint with a baseline (data drift and
prediction drift signals on the deployment's data collector outputs, against the baseline in the
platform's data container), Azure Monitor metric alerts on the online endpoint into one action group,
and an Azure Monitor workbook.

Metrics (learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/
microsoft-machinelearningservices-workspaces-onlineendpoints-metrics and ...-onlineendpoints-deployments-metrics):
`RequestLatency_P99`/`RequestLatency_P95` (milliseconds) and `RequestsPerMinute` (dimension
`statusCodeClass`) on the endpoint, `DeploymentCapacity` on each deployment. Metric alerts cannot divide
two metrics, so the error alerts fire on an error count (CloudFeature.ERROR_RATE_ALERTS: a plan gap).
The monitor's own alerts are Azure ML notifications (signal `notification_types: AmlNotification`) to the
`alerts.emails`; Azure ML sends them by e-mail only (no action group): the webhook gets the metric alerts.
A breach also tags the monitor run (`azureml_modelmonitor_threshold_breached`: "The signal '<name>' has
failed ..."), which reaches Event Grid as the run's RunStatusChanged event; the signals are named
`<monitor>-data-drift` and `<monitor>-prediction-drift` so that a subscription can tell the endpoints apart
(learn.microsoft.com "Monitor performance of models deployed to production", "Integrate ... with Azure Event
Grid": "name your signal with both the monitor name and the signal name").
"""

from __future__ import annotations

import json
import uuid

import pulumi
import pulumi_azure_native as azure
import pulumi_azure_native.machinelearningservices as ml

from ..context import PlatformContext
from ..contract import MonitoringComponent
from ..outputs import EndpointMonitoringOutputs, MonitoringOutputs
from ..spec.monitoring import PlatformMonitoringSpec, endpoint_monitoring_gaps
from ..traffic import versions
from .base import Base
from .cloud import AzureCloud

ENDPOINT_METRICS = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
DEPLOYMENT_METRICS = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments"
SPARK_INSTANCE = "standard_e4s_v3"  # serverless Spark pool sizes Azure ML monitoring accepts
SPARK_RUNTIME = "3.4"
FREQUENCY = {"hourly": "Hour", "daily": "Day"}
WINDOW = {"hourly": "PT1H", "daily": "P1D"}


class Monitoring(MonitoringComponent):
    CLOUD = "azure"
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
        rg = base.resource_group.name
        self.group = azure.monitor.ActionGroup(
            ctx.name("alerts"),
            resource_group_name=rg,
            location="global",
            enabled=True,
            group_short_name=f"mlplat-{ctx.spec.environment.value}"[:12],
            email_receivers=[{"name": f"mail-{i}", "email_address": a, "use_common_alert_schema": True}
                             for i, a in enumerate(item.emails)],
            webhook_receivers=[{"name": "webhook", "service_uri": item.webhook, "use_common_alert_schema": True}]
            if item.webhook else None,
            tags=tags,
            opts=ctx.child(self),
        )
        built = ctx.built.get("endpoints", {})
        endpoints, names = {}, []
        for endpoint in item.endpoints:
            online = built[endpoint.name]["endpoint_name"]
            endpoint_id = pulumi.Output.concat(base.workspace.id, "/onlineEndpoints/", online)
            schedule = self._schedule(ctx, base, item, endpoint, online, tags) if endpoint.monitoring.drift else None
            signals = signal_names(ctx.name(endpoint.name, "monitor"))
            health = self._health(ctx, rg, endpoint, endpoint_id, tags)
            endpoints[endpoint.name] = EndpointMonitoringOutputs(
                monitor=schedule.name if schedule else None,
                drift_alerts=[pulumi.Output.concat(schedule.id, "/signals/", s) for s in signals.values()]
                if schedule else [],
                health_alerts=[alert.id for alert in health],
                reports=pulumi.Output.concat(base.workspace.id, "/monitoring") if schedule else None,
                gaps=endpoint_monitoring_gaps(AzureCloud(), endpoint),
            ).to_dict()
            names.append(endpoint_id)
        workbook = azure.applicationinsights.Workbook(
            ctx.name("models"),
            resource_name_=str(uuid.uuid5(uuid.NAMESPACE_URL, f"mlplat/{ctx.prefix}/models")),  # workbook names are GUIDs
            resource_group_name=rg,
            location=ctx.spec.region,
            kind="shared",
            category="workbook",
            display_name=f"mlplat {ctx.prefix}: models",
            serialized_data=pulumi.Output.all(*names).apply(lambda ids: json.dumps(_workbook(ids))),
            source_id="azure monitor",
            tags=tags,
            opts=ctx.child(self),
        )
        self.finish(
            MonitoringOutputs(
                notify=[self.group.id],
                dashboard_url=pulumi.Output.concat(
                    "https://portal.azure.com/#resource", workbook.id, "/workbook"
                ),
                endpoints=endpoints,
            )
        )

    def _schedule(self, ctx, base, item, endpoint, online, tags):
        monitoring = endpoint.monitoring
        account = base.storage_account.name
        # Union-typed inputs (signals, input data, thresholds, triggers) take the SDK's Args classes: the SDK
        # cannot tell which member a plain dict is, and would send its keys untranslated.
        reference = ml.FixedInputDataArgs(
            input_data_type="Fixed",
            job_input_type="uri_file",
            uri=pulumi.Output.concat("abfss://", base.data_store, "@", account, ".dfs.core.windows.net/", monitoring.baseline.key),
        )

        def collected(collection: str) -> ml.RollingInputDataArgs:
            # The data collector registers `<endpoint>-<deployment>-<collection>` data assets (stable deployment).
            return ml.RollingInputDataArgs(
                input_data_type="Rolling",
                job_input_type="uri_folder",
                uri=pulumi.Output.concat("azureml:", online, f"-stable-{collection}@latest"),
                window_offset="P0D",
                window_size=WINDOW[monitoring.schedule],
            )

        def thresholds(value: float, numerical, categorical) -> list:
            return [kind(data_type=name, metric="JensenShannonDistance", threshold=ml.MonitoringThresholdArgs(value=value))
                    for name, kind in (("Numerical", numerical), ("Categorical", categorical))]

        names = signal_names(ctx.name(endpoint.name, "monitor"))
        signals = {
            names["data"]: ml.DataDriftMonitoringSignalArgs(
                signal_type="DataDrift",
                production_data=collected("request"),
                reference_data=reference,
                features=ml.FeatureSubsetArgs(filter_type="FeatureSubset", features=list(monitoring.baseline.features)),
                metric_thresholds=thresholds(monitoring.data_drift.threshold, ml.NumericalDataDriftMetricThresholdArgs,
                                             ml.CategoricalDataDriftMetricThresholdArgs),
                notification_types=["AmlNotification"],
            ),
            names["prediction"]: ml.PredictionDriftMonitoringSignalArgs(
                signal_type="PredictionDrift",
                production_data=collected("response"),
                reference_data=reference,
                metric_thresholds=thresholds(monitoring.prediction_drift.threshold,
                                             ml.NumericalPredictionDriftMetricThresholdArgs,
                                             ml.CategoricalPredictionDriftMetricThresholdArgs),
                notification_types=["AmlNotification"],
            ),
        }
        definition = ml.MonitorDefinitionArgs(
            compute_configuration=ml.MonitorServerlessSparkComputeArgs(
                compute_type="ServerlessSpark",
                instance_type=SPARK_INSTANCE,
                runtime_version=SPARK_RUNTIME,
                compute_identity=ml.ManagedComputeIdentityArgs(
                    compute_identity_type="ManagedIdentity",
                    identity=ml.ManagedServiceIdentityArgs(type="UserAssigned", user_assigned_identities=[base.identity.id]),
                ),
            ),
            signals=signals,
            alert_notification_settings=ml.MonitorNotificationSettingsArgs(
                email_notification_settings=ml.MonitorEmailNotificationSettingsArgs(emails=item.emails)),
        )
        return azure.machinelearningservices.Schedule(
            ctx.name(endpoint.name, "monitor"),
            name=ctx.name(endpoint.name, "monitor"),
            resource_group_name=base.resource_group.name,
            workspace_name=base.workspace.name,
            properties=ml.SchedulePropertiesArgs(
                action=ml.CreateMonitorActionArgs(action_type="CreateMonitor", monitor_definition=definition),
                trigger=ml.RecurrenceTriggerArgs(trigger_type="Recurrence", frequency=FREQUENCY[monitoring.schedule], interval=1),
                display_name=f"{endpoint.name} drift",
                is_enabled=True,
                tags=tags,
            ),
            opts=ctx.child(self),
        )

    def _health(self, ctx, rg, endpoint, endpoint_id, tags) -> list:
        health = endpoint.monitoring.health
        rps = (ctx.spec.usage.endpoint_requests_per_second.get(endpoint.name) if ctx.spec.usage else None) or 1
        per_minute = rps * 60
        rules = [
            (f"{code}xx", f"{code}xx errors above {rate:.2%} of {per_minute:g} requests/min", endpoint_id, ENDPOINT_METRICS,
             "RequestsPerMinute", "Total", round(rate * per_minute, 3), [{"name": "statusCodeClass", "operator": "Include", "values": [f"{code}xx"]}])
            for code, rate in (("5", health.error_rate_5xx), ("4", health.error_rate_4xx))
        ]
        rules += [
            (f"p{pct}", f"request latency p{pct} above {ms} ms", endpoint_id, ENDPOINT_METRICS,
             f"RequestLatency_P{pct}", "Average", ms, None)
            for pct, ms in (("99", health.latency_p99_ms), ("95", health.latency_p95_ms))
        ]
        if health.stuck_at_max_replicas and endpoint.min_replicas < endpoint.max_replicas:
            rules += [
                (f"{v.name}-at-max", f"{v.name} at max_replicas ({endpoint.max_replicas})",
                 pulumi.Output.concat(endpoint_id, f"/deployments/{v.name}"), DEPLOYMENT_METRICS,
                 "DeploymentCapacity", "Minimum", endpoint.max_replicas - 0.5, None)
                for v in versions(endpoint)
            ]
        return [
            azure.monitor.MetricAlert(
                ctx.name(endpoint.name, kind),
                resource_group_name=rg,
                location="global",
                description=f"{endpoint.name}: {title} (docs/monitoring.md)",
                enabled=True,
                severity=2,
                scopes=[scope],
                evaluation_frequency="PT5M",
                window_size="PT30M" if kind.endswith("at-max") else "PT5M",
                criteria=azure.monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs(
                    odata_type="Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                    all_of=[azure.monitor.MetricCriteriaArgs(
                        criterion_type="StaticThresholdCriterion",
                        name=kind,
                        metric_name=metric,
                        metric_namespace=namespace,
                        operator="GreaterThan",
                        threshold=threshold,
                        time_aggregation=aggregation,
                        dimensions=[azure.monitor.MetricDimensionArgs(**d) for d in dimensions] if dimensions else None,
                    )],
                ),
                actions=[{"action_group_id": self.group.id}],
                auto_mitigate=True,
                tags=tags,
                opts=ctx.child(self),
            )
            for kind, title, scope, namespace, metric, aggregation, threshold, dimensions in rules
        ]


def signal_names(monitor: str) -> dict[str, str]:
    """The drift signals of the monitor schedule `monitor`, named after it (the breach tag quotes the signal name)."""
    return {"data": f"{monitor}-data-drift", "prediction": f"{monitor}-prediction-drift"}


def _workbook(endpoint_ids: list[str]) -> dict:
    """Requests, errors, latency and capacity charts per endpoint (Azure Monitor metrics items)."""
    items = []
    for endpoint_id in endpoint_ids:
        for metric, aggregation in (("RequestsPerMinute", 1), ("RequestLatency_P99", 4), ("RequestLatency_P95", 4)):
            items.append({
                "type": 10,  # metrics item
                "content": {
                    "chartId": f"{endpoint_id.rsplit('/', 1)[-1]}-{metric}",
                    "version": "MetricsItem/2.0",
                    "size": 0,
                    "chartType": 2,
                    "resourceType": ENDPOINT_METRICS.lower(),
                    "resourceIds": [endpoint_id],
                    "timeContext": {"durationMs": 86400000},
                    "metrics": [{"namespace": ENDPOINT_METRICS.lower(), "metric": f"{ENDPOINT_METRICS.lower()}--{metric}",
                                 "aggregation": aggregation}],
                    "title": f"{endpoint_id.rsplit('/', 1)[-1]}: {metric}",
                },
            })
    return {"version": "Notebook/1.0", "items": items, "isLocked": False}
