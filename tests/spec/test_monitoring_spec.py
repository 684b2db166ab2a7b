"""The `monitoring:` block per endpoint and the platform's `alerts:`: defaults per environment, thresholds
validated, drift only on captured traffic, prod monitoring notifies someone."""

from __future__ import annotations

import pytest

from components.spec import SpecError, parse_spec
from components.spec.monitoring import monitored_endpoints

SOURCE = "stacks/Pulumi.aws-prod.yaml"
PREFIX = "mlplat:platform"
BASELINE = {"uri": "baselines/scorer/train.csv", "features": ["amount", "country"]}


def spec(environment="prod", endpoints=None, alerts=None, **extra) -> dict:
    raw = {
        "name": "demo",
        "environment": environment,
        "cloud": "aws",
        "region": "us-east-1",
        "finops": {"cost_center": "cc-1", "owner": "owner@example.com", "team": "ml"},
        "endpoints": endpoints if endpoints is not None else [{"name": "scorer"}],
        **extra,
    }
    if alerts is not None:
        raw["alerts"] = alerts
    return raw


def errors(raw: dict) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_spec(raw, SOURCE, PREFIX)
    return caught.value.lines


def parsed(raw: dict):
    return parse_spec(raw, SOURCE, PREFIX)


ONCALL = {"emails": ["oncall@example.com"]}


@pytest.mark.parametrize("environment,on", [("dev", False), ("staging", True), ("prod", True)])
def test_without_a_block_staging_and_prod_get_health_alerts_and_dev_none(environment, on):
    platform = parsed(spec(environment, alerts=ONCALL))
    monitoring = platform.endpoints[0].monitoring
    assert monitoring.enabled is on
    assert monitoring.drift is False  # no baseline, no drift monitor
    assert [e.name for e in monitored_endpoints(platform)] == (["scorer"] if on else [])


def test_writing_the_block_asks_for_monitoring_even_in_dev():
    platform = parsed(spec("dev", endpoints=[{"name": "scorer", "monitoring": {"baseline": BASELINE}}]))
    monitoring = platform.endpoints[0].monitoring
    assert monitoring.enabled and monitoring.drift
    assert monitoring.baseline.format == "csv" and monitoring.interval_hours == 24


def test_defaults_are_the_documented_thresholds():
    monitoring = parsed(spec(alerts=ONCALL, endpoints=[{"name": "scorer", "monitoring": {"baseline": BASELINE}}]))
    monitoring = monitoring.endpoints[0].monitoring
    assert monitoring.data_drift.threshold == 0.3 and monitoring.prediction_drift.threshold == 0.3
    assert monitoring.prediction_drift.outputs == ["prediction"]
    health = monitoring.health
    assert (health.error_rate_5xx, health.error_rate_4xx) == (0.01, 0.05)
    assert (health.latency_p99_ms, health.latency_p95_ms, health.stuck_at_max_replicas) == (1000, 500, True)


def test_rates_take_a_fraction_or_a_percent_string():
    health = {"error_rate_5xx": "2.5%", "error_rate_4xx": 0.2}
    platform = parsed(spec(alerts=ONCALL, endpoints=[{"name": "scorer", "monitoring": {"health": health}}]))
    assert platform.endpoints[0].monitoring.health.error_rate_5xx == pytest.approx(0.025)
    assert platform.endpoints[0].monitoring.health.error_rate_4xx == 0.2


@pytest.mark.parametrize(
    "monitoring,field,words",
    [
        ({"health": {"error_rate_5xx": 1.5}}, "health.error_rate_5xx", "less than or equal to 1"),
        ({"health": {"error_rate_5xx": "150%"}}, "health.error_rate_5xx", "less than or equal to 1"),
        ({"health": {"error_rate_4xx": "lots"}}, "health.error_rate_4xx", "percent string"),
        ({"health": {"latency_p99_ms": 0}}, "health.latency_p99_ms", "greater than 0"),
        ({"health": {"latency_p95_ms": 900, "latency_p99_ms": 800}}, "health.latency_p95_ms", "exceeds"),
        ({"baseline": BASELINE, "data_drift": {"threshold": 0}}, "data_drift.threshold", "greater than 0"),
        ({"baseline": BASELINE, "prediction_drift": {"threshold": 2}}, "prediction_drift.threshold", "less than"),
        ({"data_drift": {"threshold": 0.2}}, "data_drift", "add monitoring.baseline"),
        ({"baseline": {**BASELINE, "uri": "s3://elsewhere/train.csv"}}, "baseline.uri", "platform's data store"),
        ({"baseline": {**BASELINE, "uri": "baselines/train.parquet"}}, "baseline.uri", ".csv or .jsonl"),
        ({"baseline": {**BASELINE, "features": []}}, "baseline.features", "at least 1"),
        ({"schedule": "weekly"}, "schedule", "'hourly' or 'daily'"),
    ],
)
def test_bad_thresholds_name_file_and_field(monitoring, field, words):
    lines = errors(spec(alerts=ONCALL, endpoints=[{"name": "scorer", "monitoring": monitoring}]))
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{SOURCE}: {PREFIX}.endpoints.0.monitoring.{field}: "), lines
    assert words in lines[0]


def test_a_drift_monitor_on_an_endpoint_without_capture_is_an_error_that_says_so():
    endpoint = {"name": "scorer", "logging": False, "monitoring": {"baseline": BASELINE}}
    (line,) = errors(spec(alerts=ONCALL, endpoints=[endpoint]))
    assert line.startswith(f"{SOURCE}: {PREFIX}.endpoints.0.monitoring.baseline: ")
    assert "captures no traffic (logging: false)" in line


def test_health_alerts_alone_need_no_capture():
    endpoint = {"name": "scorer", "logging": False, "monitoring": {"health": {"latency_p99_ms": 300}}}
    assert parsed(spec(alerts=ONCALL, endpoints=[endpoint])).endpoints[0].monitoring.enabled


@pytest.mark.parametrize("alerts,field", [(None, "alerts"), ({"emails": []}, "alerts.emails")])
def test_monitoring_in_prod_without_a_recipient_is_an_error(alerts, field):
    (line,) = errors(spec(alerts=alerts))
    assert line.startswith(f"{SOURCE}: {PREFIX}.{field}: monitoring in prod (scorer) must notify someone")


def test_a_webhook_alone_is_a_recipient_and_must_be_https():
    assert parsed(spec(alerts={"webhook": "https://hooks.example.com/ml"})).alerts.recipients == 1
    (line,) = errors(spec(alerts={"webhook": "http://hooks.example.com/ml"}))
    assert line.startswith(f"{SOURCE}: {PREFIX}.alerts.webhook: ")


def test_switching_monitoring_off_in_prod_needs_no_recipient():
    raw = spec(endpoints=[{"name": "scorer", "monitoring": {"enabled": False}}])
    assert parsed(raw).endpoints[0].monitoring.enabled is False


def test_staging_without_recipients_is_allowed():
    assert parsed(spec("staging")).alerts is None


def test_a_drift_monitor_where_aws_publishes_no_analyzer_image_is_an_error_naming_the_baseline():
    raw = spec(endpoints=[{"name": "scorer", "monitoring": {"baseline": BASELINE}}], alerts=ONCALL,
               region="ap-southeast-3")
    lines = errors(raw)
    assert any("endpoints.0.monitoring.baseline" in line and "no analyzer image in ap-southeast-3" in line
               for line in lines), lines


def test_the_analyzer_image_is_the_region_s_published_registry():
    from components.catalog.monitor_images import analyzer_image

    assert analyzer_image("eu-south-1") == "933208885752.dkr.ecr.eu-south-1.amazonaws.com/sagemaker-model-monitor-analyzer"
    assert analyzer_image("ap-southeast-3") is None
