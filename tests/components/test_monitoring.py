"""Monitoring in the offline plans of the reference stacks: prod (and staging) endpoints get a drift monitor bound
to their captured traffic, health alerts with the spec's thresholds into the platform's recipients, and a
dashboard; dev gets none unless asked; the outputs have the same keys on every cloud."""

from __future__ import annotations

import pytest

from components.cloud import CloudFeature
from components.gcp.cloud import GcpCloud
from components.outputs import EndpointMonitoringOutputs, MonitoringOutputs, output_keys
from tests.support.plans import CLOUDS, one_resource, plan_of_stack, reference_plan, resources_of

PROD = {cloud: f"{cloud}-prod" for cloud in CLOUDS}
ENDPOINT = "fraud-scorer"
FEATURES = ["amount_30d", "txn_count_7d", "merchant_category"]


def monitoring(plan):
    return [r for r in plan.resources if r.capability == "monitoring"]


@pytest.mark.parametrize("stack", ["aws-dev", "azure-dev", "gcp-dev"])
@pytest.mark.parametrize("cloud", CLOUDS)
def test_dev_gets_no_monitoring_unless_asked(stack, cloud):
    plan = reference_plan(stack, cloud)
    assert monitoring(plan) == [] and "monitoring" not in plan.outputs
    assert not [g for g in plan.gaps if g["capability"] == "monitoring"]


@pytest.mark.parametrize("cloud", CLOUDS)
def test_prod_outputs_have_the_same_keys_on_every_cloud(cloud):
    outputs = reference_plan("aws-prod", cloud).outputs["monitoring"]["monitoring"]
    assert list(outputs) == output_keys(MonitoringOutputs)
    assert outputs["notify"] and outputs["dashboard_url"].startswith("https://")
    assert set(outputs["endpoints"][ENDPOINT]) == set(EndpointMonitoringOutputs.__dataclass_fields__)
    assert len(outputs["endpoints"][ENDPOINT]["health_alerts"]) >= 4


def test_aws_prod_drift_monitor_reads_the_endpoints_capture_with_the_platform_key():
    plan = reference_plan("aws-prod")
    endpoint = one_resource(plan, "aws:sagemaker/endpoint:Endpoint")
    definition = one_resource(plan, "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition")
    inputs = definition.inputs
    assert inputs["dataQualityJobInput"]["endpointInput"]["endpointName"] == endpoint.inputs["name"]
    assert endpoint.urn in definition.dependencies  # created after the endpoint (and its capture)
    key = one_resource(plan, "aws:kms/key:Key", "base").name
    assert key in inputs["jobResources"]["clusterConfig"]["volumeKmsKeyId"]
    assert key in inputs["dataQualityJobOutputConfig"]["kmsKeyId"]
    assert inputs["networkConfig"]["enableNetworkIsolation"] is True and inputs["networkConfig"]["vpcConfig"]
    assert inputs["dataQualityAppSpecification"]["environment"] == {"publish_cloudwatch_metrics": "Enabled"}
    assert inputs["dataQualityBaselineConfig"]["statisticsResource"]["s3Uri"].endswith(
        f"/monitoring/{ENDPOINT}/baseline/statistics.json")
    schedule = one_resource(plan, "aws:sagemaker/monitoringSchedule:MonitoringSchedule")
    config = schedule.inputs["monitoringScheduleConfig"]
    assert config["monitoringType"] == "DataQuality" and config["scheduleConfig"]["scheduleExpression"] == "cron(0 * ? * * *)"


def test_aws_prod_alarms_carry_the_thresholds_and_notify_the_topic():
    plan = reference_plan("aws-prod")
    topic = one_resource(plan, "aws:sns/topic:Topic", "monitoring")
    assert topic.inputs["kmsMasterKeyId"]
    subscriptions = resources_of(plan, "aws:sns/topicSubscription:TopicSubscription", "monitoring")
    assert [(s.inputs["protocol"], s.inputs["endpoint"]) for s in subscriptions] == [("email", "ml-oncall@example.com")]
    alarms = {a.name.removeprefix(f"fraud-ml-prod-{ENDPOINT}-"): a.inputs
              for a in resources_of(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "monitoring")}
    assert {f"drift-{f}" for f in FEATURES} | {"stable-5xx-rate", "stable-p99", "canary-at-max"} <= set(alarms)
    drift = alarms["drift-amount_30d"]
    assert (drift["metricName"], drift["threshold"], drift["period"]) == ("feature_baseline_drift_amount_30d", 0.3, 3600)
    assert drift["namespace"] == "aws/sagemaker/Endpoints/data-metrics"
    assert alarms["stable-5xx-rate"]["threshold"] == 0.01 and alarms["stable-4xx-rate"]["threshold"] == 0.05
    assert alarms["stable-p99"]["threshold"] == 1_000_000 and alarms["stable-p95"]["threshold"] == 500_000
    assert all(topic.urn in plan.by_urn(a.urn).dependencies for a in resources_of(
        plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "monitoring")) if hasattr(plan, "by_urn") else True
    assert all(a["alarmActions"] for a in alarms.values())
    dashboard = one_resource(plan, "aws:cloudwatch/dashboard:Dashboard")
    assert "feature_baseline_drift_merchant_category" in dashboard.inputs["dashboardBody"]


def test_azure_prod_schedule_watches_the_data_collector_against_the_baseline():
    plan = reference_plan("azure-prod")
    schedule = one_resource(plan, "azure-native:machinelearningservices:Schedule")
    properties = schedule.inputs["properties"]
    assert properties["trigger"]["frequency"] == "Hour"
    signals = properties["action"]["monitorDefinition"]["signals"]
    # Named after the monitor: the breach event quotes the signal name, which tells the endpoints apart.
    monitor = f"fraud-ml-prod-{ENDPOINT}-monitor"
    assert set(signals) == {f"{monitor}-data-drift", f"{monitor}-prediction-drift"}
    data = signals[f"{monitor}-data-drift"]
    assert data["features"] == {"filterType": "FeatureSubset", "features": FEATURES}
    assert data["productionData"]["uri"].startswith(f"azureml:fraud-ml-prod-{ENDPOINT}")
    assert data["referenceData"]["uri"].endswith(f"/baselines/{ENDPOINT}/train.csv")
    assert {t["threshold"]["value"] for t in data["metricThresholds"]} == {0.3}
    assert properties["action"]["monitorDefinition"]["alertNotificationSettings"] == {
        "emailNotificationSettings": {"emails": ["ml-oncall@example.com"]}}
    group = one_resource(plan, "azure-native:monitor:ActionGroup")
    assert [r["emailAddress"] for r in group.inputs["emailReceivers"]] == ["ml-oncall@example.com"]
    alerts = {a.name: a.inputs for a in resources_of(plan, "azure-native:monitor:MetricAlert")}
    p99 = alerts[f"fraud-ml-prod-{ENDPOINT}-p99"]["criteria"]["allOf"][0]
    assert (p99["metricName"], p99["threshold"]) == ("RequestLatency_P99", 1000)
    assert one_resource(plan, "azure-native:applicationinsights:Workbook")


def test_gcp_prod_vertex_monitor_watches_the_endpoint_with_the_thresholds_and_channels():
    plan = reference_plan("gcp-prod")
    (monitor,) = [r for r in monitoring(plan) if r.type == "pulumi-python:dynamic:Resource"]
    endpoint = one_resource(plan, "gcp:vertex/aiEndpoint:AiEndpoint")
    inputs = monitor.inputs
    assert inputs["endpoint"].endswith("/endpoints/" + endpoint.name) or endpoint.urn in monitor.dependencies
    assert inputs["features"] == FEATURES and inputs["interval_hours"] == 1
    assert inputs["feature_drift_thresholds"] == {f: 0.3 for f in FEATURES}
    assert inputs["prediction_drift_thresholds"] == {"prediction": 0.3}
    assert inputs["baseline_uri"].startswith("gs://") and inputs["baseline_uri"].endswith(f"/baselines/{ENDPOINT}/train.csv")
    assert inputs["kms_key_name"] and inputs["logging_table"].startswith("bq://")
    assert len(inputs["notification_channels"]) == 1
    gaps = [g["gap"] for g in plan.gaps if g["capability"] == "monitoring"]
    assert gaps == [f"endpoint {ENDPOINT}: model quality monitoring: " + GcpCloud().unsupported_features()[CloudFeature.MODEL_QUALITY]]


@pytest.mark.parametrize("cloud", CLOUDS)
def test_model_quality_is_a_stated_gap_with_the_command_on_every_cloud(cloud):
    gaps = [g["gap"] for g in reference_plan("aws-prod", cloud).gaps if "model quality" in g["gap"]]
    assert len(gaps) == 1 and "ground truth" in gaps[0]
    assert any(command in gaps[0] for command in ("aws sagemaker create-model-quality-job-definition",
                                                   "az ml schedule create", "bq mk --transfer_config"))


def test_gcp_prod_alert_policies_notify_the_channels():
    plan = reference_plan("gcp-prod")
    channels = resources_of(plan, "gcp:monitoring/notificationChannel:NotificationChannel", "monitoring")
    assert [c.inputs["labels"] for c in channels] == [{"email_address": "ml-oncall@example.com"}]
    policies = {p.name: p.inputs for p in resources_of(plan, "gcp:monitoring/alertPolicy:AlertPolicy")}
    rate = policies[f"fraud-ml-prod-{ENDPOINT}-5xx-rate"]["conditions"][0]["conditionThreshold"]
    assert rate["thresholdValue"] == 0.01 and "response_count" in rate["denominatorFilter"]
    p95 = policies[f"fraud-ml-prod-{ENDPOINT}-p95"]["conditions"][0]["conditionThreshold"]
    assert p95["thresholdValue"] == 500 and p95["aggregations"][0]["perSeriesAligner"] == "ALIGN_PERCENTILE_95"
    assert all(p["notificationChannels"] for p in policies.values())
    assert one_resource(plan, "gcp:monitoring/dashboard:Dashboard")


# Per cloud: (health alert type, drift monitor type, subscriber type) as the components build them.
MONITORING_TYPES = {
    "aws": ("aws:cloudwatch/metricAlarm:MetricAlarm", "aws:sagemaker/monitoringSchedule:MonitoringSchedule",
            "aws:sns/topicSubscription:TopicSubscription"),
    # Azure: the metric alerts need an action group even with nobody to notify: it has no receivers.
    "azure": ("azure-native:monitor:MetricAlert", "azure-native:machinelearningservices:Schedule", None),
    "gcp": ("gcp:monitoring/alertPolicy:AlertPolicy", "pulumi-python:dynamic:Resource",
            "gcp:monitoring/notificationChannel:NotificationChannel"),
}


@pytest.mark.parametrize("cloud", CLOUDS)
def test_staging_endpoints_are_monitored_without_a_block(tmp_path, cloud):
    def staging(platform):
        platform["environment"] = "staging"
        platform["endpoints"][0].pop("monitoring")
        platform.pop("alerts")

    health, drift, subscriber = MONITORING_TYPES[cloud]
    plan = plan_of_stack(tmp_path, f"{cloud}-prod", staging)
    assert resources_of(plan, health, "monitoring")
    assert not resources_of(plan, drift, "monitoring")
    assert any("no baseline: drift is not monitored" in g["gap"] for g in plan.gaps)
    if subscriber:
        assert not resources_of(plan, subscriber, "monitoring")
    else:
        group = one_resource(plan, "azure-native:monitor:ActionGroup", "monitoring")
        assert not group.inputs.get("emailReceivers") and not group.inputs.get("webhookReceivers")


def test_azure_states_that_drift_notices_skip_the_webhook(tmp_path):
    def webhook(platform):
        platform["alerts"]["webhook"] = "https://hooks.example.com/ml"

    plan = plan_of_stack(tmp_path, "azure-prod", webhook)
    assert any(g["gap"].startswith("drift notices to the alerts webhook: ") for g in plan.gaps)
    aws_plan = plan_of_stack(tmp_path, "aws-prod", webhook)
    assert not any("alerts webhook" in g["gap"] for g in aws_plan.gaps)
