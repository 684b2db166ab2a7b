"""Retraining, batch inference and promotion: bad input fails with the file and the field path, and the
schedules are read the way each cloud will run them."""

from __future__ import annotations

import pytest

from components.spec import SpecError, parse_spec
from components.spec.retraining import aws_cron, cron_error
from tests.support.plans import platform_document

SOURCE = "Pulumi.aws-prod.yaml"


def _with(**sections) -> dict:
    document = platform_document("aws-prod")
    document.update(sections)
    return document


def _error(document: dict) -> str:
    with pytest.raises(SpecError) as error:
        parse_spec(document, SOURCE)
    return str(error.value)


NIGHTLY = {"name": "nightly", "use_case": "fraud-scoring", "schedule": "0 2 * * *", "endpoint": "fraud-scorer",
           "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/train:1"}
BATCH = {"name": "daily-scores", "endpoint": "fraud-scorer", "input": "data/scoring/in/",
         "output": "artifacts/scoring/out/", "schedule": "30 3 * * *"}


def test_a_valid_loop_parses():
    spec = parse_spec(_with(retraining=[NIGHTLY], batch_inference=[BATCH]), SOURCE)
    assert spec.retraining[0].schedule == "0 2 * * *" and spec.retraining[0].monthly_runs() == 30
    assert spec.batch_inference[0].input == "data/scoring/in/"


@pytest.mark.parametrize("schedule", ["0 2 * *", "61 2 * * *", "0 24 * * *", "0 2 32 * *", "0 2 * * MOON", "*/0 * * * *"])
def test_an_invalid_cron_names_the_schedule_field(schedule):
    message = _error(_with(retraining=[{**NIGHTLY, "schedule": schedule}]))
    assert f"{SOURCE}: retraining.0.schedule:" in message, message


def test_an_invalid_batch_schedule_names_its_field():
    message = _error(_with(batch_inference=[{**BATCH, "schedule": "every night"}]))
    assert f"{SOURCE}: batch_inference.0.schedule:" in message, message


@pytest.mark.parametrize("monitoring", [{"enabled": False}, {"schedule": "daily"}], ids=["off", "no-baseline"])
def test_on_drift_needs_a_monitored_endpoint(monitoring):
    document = _with(retraining=[{**NIGHTLY, "on_drift": True}])
    document["endpoints"][0]["monitoring"] = monitoring
    message = _error(document)
    assert f"{SOURCE}: retraining.0.on_drift: needs endpoint monitoring with a drift monitor" in message, message


def test_a_trigger_naming_an_unknown_endpoint_names_the_field():
    message = _error(_with(retraining=[{**NIGHTLY, "endpoint": "nope"}]))
    assert f"{SOURCE}: retraining.0.endpoint: no endpoint named 'nope'" in message, message


@pytest.mark.parametrize("stack", ["aws-prod", "azure-prod", "gcp-prod"])
@pytest.mark.parametrize("trigger", [{"schedule": "0 2 * * *"}, {"on_drift": True}], ids=["scheduled", "on-drift"])
def test_a_retraining_without_an_image_names_the_field_on_every_cloud(stack, trigger):
    # No cloud has a training image to fall back to (AWS's job definition holds a placeholder).
    item = {"name": "nightly", "endpoint": "fraud-scorer", **trigger}
    document = platform_document(stack)
    document["retraining"] = [item]
    with pytest.raises(SpecError) as error:
        parse_spec(document, SOURCE)
    assert f"{SOURCE}: retraining.0.image: required: the training image the job runs 'python train.py' in" \
        in str(error.value), error.value


def test_a_retraining_without_any_trigger_is_refused():
    message = _error(_with(retraining=[{"name": "never"}]))
    assert f"{SOURCE}: retraining.0.schedule:" in message, message


@pytest.mark.parametrize("field", ["input", "output"])
@pytest.mark.parametrize("location", ["s3://someone-elses-bucket/in/", "logs/in/", "data/", "gs://x/y"])
def test_batch_locations_outside_the_platform_buckets_name_the_field(field, location):
    message = _error(_with(batch_inference=[{**BATCH, field: location}]))
    assert f"{SOURCE}: batch_inference.0.{field}: {location!r} is outside the platform's buckets" in message, message


@pytest.mark.parametrize("location", ["data/../../etc/", "artifacts/models/../x", "data/./in/"])
def test_batch_locations_with_dot_segments_are_refused_naming_the_field(location):
    message = _error(_with(batch_inference=[{**BATCH, "input": location}]))
    assert f"{SOURCE}: batch_inference.0.input: {location!r}: '.' and '..' segments are not allowed" in message, message


@pytest.mark.parametrize("target", ["qa", "dev", "prod"])
def test_promotion_to_an_environment_that_does_not_exist_names_the_field(target):
    document = platform_document("aws-dev")
    document["promotion"] = {"to": target, "principal": "111122223333"}
    if target == "prod":
        document["environment"] = "prod"
        document["alerts"] = {"emails": ["oncall@example.com"]}  # prod monitoring must notify someone
    message = _error(document)
    assert "promotion.to: environment" in message and "does not exist after" in message, message


def test_promotion_to_the_next_environment_parses():
    document = platform_document("aws-dev")
    document["promotion"] = {"to": "staging", "principal": "111122223333"}
    assert parse_spec(document, SOURCE).promotion.to == "staging"


def test_cron_errors_and_the_eventbridge_form():
    assert cron_error("0 2 * * 1-5") is None and cron_error("*/15 * * * *") is None
    # EventBridge: one of day-of-month/day-of-week is '?', and Sunday is 1 (unix 0).
    assert aws_cron("0 2 * * *") == "cron(0 2 * * ? *)"
    assert aws_cron("0 2 * * 1-5") == "cron(0 2 ? * 2-6 *)"
    assert aws_cron("0 6 * * 0,7") == "cron(0 6 ? * 1,1 *)"
    assert aws_cron("0 2 1 * *") == "cron(0 2 1 * ? *)"


@pytest.mark.parametrize("schedule, field, message", [
    ("0 5-1 * * *", "hour", "range '5-1' runs backwards (5 is above 1); split it, e.g. '5-23,0-1'"),
    ("0 2 * * 7-1", "day of week", "range '7-1' runs backwards (7 is above 1)"),
    ("0 2 * * FRI-MON", "day of week", "range 'FRI-MON' runs backwards (5 is above 1); split it, e.g. 'FRI-6,0-MON'"),
    ("0 2 * DEC-JAN *", "month", "range 'DEC-JAN' runs backwards (12 is above 1)"),
    ("0 2 20-3 * *", "day of month", "range '20-3' runs backwards"),
])
def test_a_reversed_cron_range_is_refused_naming_the_field(schedule, field, message):
    assert f"{field} {message}" in cron_error(schedule)
    error = _error(_with(retraining=[{**NIGHTLY, "schedule": schedule}]))
    assert f"{SOURCE}: retraining.0.schedule: '{schedule}': {field} {message}" in error, error


def test_day_of_week_ranges_up_to_unix_sunday_keep_their_days_on_eventbridge():
    # Unix 7 is Sunday, EventBridge's 1: shifting a range's ends would reverse it, so its days are listed.
    assert aws_cron("0 2 * * 5-7") == "cron(0 2 ? * 1,6,7 *)"  # FRI, SAT, SUN
    assert aws_cron("0 2 * * 0-7") == "cron(0 2 ? * 1,2,3,4,5,6,7 *)"
    assert aws_cron("0 2 * * 1-7/2") == "cron(0 2 ? * 1,2,4,6 *)"  # MON, WED, FRI, SUN
    assert aws_cron("0 2 * * 5-6") == "cron(0 2 ? * 6-7 *)"


@pytest.mark.parametrize("stack, principal", [("aws-dev", "not-an-account"), ("azure-dev", "123"), ("gcp-dev", "X")])
def test_a_principal_the_cloud_cannot_name_is_refused(stack, principal):
    document = platform_document(stack)
    document["promotion"] = {"to": "staging", "principal": principal}
    message = _error(document)
    assert "promotion.principal:" in message, message


def test_an_undeclared_use_case_names_the_field():
    message = _error(_with(batch_inference=[{**BATCH, "use_case": "nobody"}]))
    assert f"{SOURCE}: batch_inference.0.use_case: use case 'nobody' is not declared" in message, message


def test_on_drift_on_a_monitored_endpoint_parses_on_every_cloud():
    for stack in ("aws-prod", "azure-prod", "gcp-prod"):
        document = platform_document(stack)
        document["retraining"] = [{**NIGHTLY, "on_drift": True}]
        assert parse_spec(document, SOURCE).retraining[0].on_drift


@pytest.mark.parametrize("monitoring", [{"enabled": False}, {"schedule": "daily"}], ids=["off", "no-baseline"])
def test_on_drift_on_azure_needs_a_monitored_endpoint(monitoring):
    document = platform_document("azure-prod")
    document["retraining"] = [{**NIGHTLY, "on_drift": True}]
    document["endpoints"][0]["monitoring"] = monitoring
    message = _error(document)
    assert f"{SOURCE}: retraining.0.on_drift: needs endpoint monitoring with a drift monitor" in message, message