"""Resource types of the monitoring capability, per cloud (added to each cloud's rows in aws.py, azure.py,
gcp.py). Types monitoring shares with another capability (CloudWatch alarms, KMS keys, SNS topics, GCP
notification channels) keep their one row there, with "monitoring" among its capabilities.

Prices (components/catalog/prices.csv, each row with its source): SageMaker processing instance hours
for the Model Monitor job, Azure ML serverless Spark hours for the monitor schedule, CloudWatch dashboards,
Azure Monitor metric alert time series, Cloud Monitoring alert conditions.
"""

from __future__ import annotations

from . import FREE, DynamicProvider, Subject, free, priced, row, usage_only
from .props import get, is_known, plain, plain_list

MONITORING = "monitoring"
DRIFT_MONITOR, HEALTH_ALERT, SUBSCRIBER = {"drift-monitor"}, {"health-alert"}, {"alert-subscriber"}


# -- readers (facts the monitoring policies read; policies/monitoring_policy.py) --------------------------------
def one(s: Subject) -> int:
    """A subscription or notification channel is one subscriber."""
    return 1


def targets(path: str):
    """How many notification targets an alert sends to (unknown targets count: they exist, values pending)."""

    def read(s: Subject) -> int:
        return len(plain_list(s.props, path))

    return read


def action_group_subscribers(s: Subject) -> int:
    return len(plain_list(s.props, "emailReceivers")) + len(plain_list(s.props, "webhookReceivers"))


def sns_topic_encryption(s: Subject):
    key = get(s.props, "kmsMasterKeyId")
    if is_known(key) and not plain(key):
        yield "alert topic is not encrypted: set kms_master_key_id (a customer-managed key CloudWatch may use)"

RUN_HOURS = 0.25  # assumed length of one monitoring run (billed per second of the job's instances)
REQUEST_KB = 1.0  # assumed size of one logged request and response (Vertex AI bills the GB it analyses)

AWS = (
    row("aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition", MONITORING,
        free("a job definition; its runs are priced on the monitoring schedule"), tags="tags"),
    row("aws:sagemaker/monitoringSchedule:MonitoringSchedule", MONITORING,
        priced("monitoring_runs", sku="sagemaker-processing/ml.m5.large", hours_per_run=RUN_HOURS), tags="tags",
        roles=DRIFT_MONITOR),
    row("aws:cloudwatch/dashboard:Dashboard", MONITORING, priced("monthly", sku="cloudwatch/dashboard", what="dashboard")),
)

AZURE = (
    # Also retraining's and batch scoring's schedules: free, their jobs run on the AmlCompute cluster, priced
    # from usage: (retraining runs). The rule prices monitor runs only (mlplat/finops/pricing_rules.py).
    row("azure-native:machinelearningservices:Schedule", (MONITORING, "retraining", "batch_inference"),
        priced("monitoring_runs", sku="aml-serverless-spark/standard_e4s_v3", hours_per_run=RUN_HOURS),
        roles=DRIFT_MONITOR),
    row("azure-native:monitor:ActionGroup", MONITORING,
        usage_only("e-mail and webhook notifications beyond the monthly free grant"), tags="tags",
        roles=SUBSCRIBER, readers={"subscribers": action_group_subscribers}, aliases=("azure-native:insights:ActionGroup",)),
    row("azure-native:monitor:MetricAlert", MONITORING,
        priced("monthly", sku="azure-monitor/metric-alert-series", what="monitored time series"), tags="tags",
        roles=HEALTH_ALERT, readers={"alert_targets": targets("actions")}, aliases=("azure-native:insights:MetricAlert",)),
    row("azure-native:applicationinsights:Workbook", MONITORING, free("workbooks are free"), tags="tags",
        aliases=("azure-native:insights:Workbook",)),
)

GCP = (
    row("gcp:monitoring/alertPolicy:AlertPolicy", MONITORING, priced("alert_conditions"), tags="userLabels",
        roles=HEALTH_ALERT, readers={"alert_targets": targets("notificationChannels")}),
    row("gcp:monitoring/dashboard:Dashboard", MONITORING, FREE),
    # A drift topic carries a few alert messages a month (cloud.google.com/pubsub/pricing: per TiB, 10 GiB free).
    row("gcp:pubsub/topic:Topic", MONITORING, usage_only("per TiB of messages beyond 10 GiB a month free"),
        tags="labels"),
    row("gcp:pubsub/topicIAMMember:TopicIAMMember", MONITORING, FREE),
)

# mlplat's dynamic provider for a Vertex AI model deployment monitoring job (components/gcp/model_monitor.py).
VERTEX_MONITOR = DynamicProvider(
    module="components.gcp.model_monitor",
    inputs=frozenset({"endpoint", "baseline_uri", "features", "feature_drift_thresholds", "interval_hours"}),
    row=row("pulumi-python:dynamic:Resource#components.gcp.model_monitor", MONITORING,
            priced("vertex_monitoring", sku="vertex-model-monitoring/analyzed", kb_per_request=REQUEST_KB),
            tags="labels", roles=DRIFT_MONITOR),
)
