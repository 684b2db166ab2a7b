"""`retraining[].pipeline` (a SageMaker pipeline, AWS only) and `promoted_from` (the downstream half of
promotion, AWS and GCP): bad input names the file and the field."""

from __future__ import annotations

import pytest

from components.spec import SpecError, parse_spec
from tests.support.plans import platform_document

SOURCE = "Pulumi.x.yaml"
PIPELINE = {"name": "weekly", "schedule": "0 3 * * 0", "pipeline": {"name": "FraudTrain", "parameters": {"Epochs": "3"}}}


def _error(document: dict) -> str:
    with pytest.raises(SpecError) as error:
        parse_spec(document, SOURCE)
    return str(error.value)


def _with(stack: str, **sections) -> dict:
    document = platform_document(stack)
    document.update(sections)
    return document


def test_a_pipeline_parses_on_aws():
    spec = parse_spec(_with("aws-prod", retraining=[PIPELINE]), SOURCE)
    assert spec.retraining[0].pipeline.parameters == {"Epochs": "3"}


@pytest.mark.parametrize("stack, reason", [("azure-prod", "SageMaker pipelines are an AWS service; on Azure"),
                                           ("gcp-prod", "the GCP equivalent, a Vertex AI pipeline job")])
def test_a_pipeline_elsewhere_is_refused_naming_the_field(stack, reason):
    message = _error(_with(stack, retraining=[PIPELINE]))
    assert f"{SOURCE}: retraining.0.pipeline: not on {stack.split('-')[0]}: " in message and reason in message, message


@pytest.mark.parametrize("field, value", [("image", "x/train:1"), ("command", ["python", "t.py"]), ("arguments", ["-v"])])
def test_job_fields_beside_a_pipeline_are_refused(field, value):
    message = _error(_with("aws-prod", retraining=[{**PIPELINE, field: value}]))
    assert f"retraining.0.{field}: not used with pipeline" in message, message


def test_a_bad_pipeline_name_or_parameter_names_the_field():
    message = _error(_with("aws-prod", retraining=[{**PIPELINE, "pipeline": {"name": "bad name"}}]))
    assert "retraining.0.pipeline.name:" in message, message
    message = _error(_with("aws-prod", retraining=[{**PIPELINE, "pipeline": {"name": "p", "parameters": {"a b": "1"}}}]))
    assert "retraining.0.pipeline.parameters:" in message and "'a b'" in message, message


@pytest.mark.parametrize("stack, principal", [("aws-prod", "111122223333"), ("gcp-prod", "fraud-staging-123")])
def test_promoted_from_an_earlier_environment_parses(stack, principal):
    spec = parse_spec(_with(stack, promoted_from={"environment": "staging", "principal": principal}), SOURCE)
    assert spec.promoted_from.environment == "staging"


@pytest.mark.parametrize("environment", ["prod", "qa"])
def test_promoted_from_a_later_or_unknown_environment_names_the_field(environment):
    message = _error(_with("aws-prod", promoted_from={"environment": environment, "principal": "111122223333"}))
    assert f"{SOURCE}: promoted_from.environment: environment {environment!r} does not come before prod" in message


def test_promoted_from_in_dev_has_nothing_before_it():
    message = _error(_with("aws-dev", promoted_from={"environment": "dev", "principal": "111122223333"}))
    assert "promoted_from.environment:" in message and "dev is the first environment" in message, message


@pytest.mark.parametrize("stack, principal", [("aws-prod", "not-an-account"), ("gcp-prod", "X")])
def test_promoted_from_a_principal_the_cloud_cannot_name_is_refused(stack, principal):
    message = _error(_with(stack, promoted_from={"environment": "staging", "principal": principal}))
    assert f"{SOURCE}: promoted_from.principal:" in message, message


def test_promoted_from_on_azure_is_refused_with_the_reason():
    document = _with("azure-prod", promoted_from={"environment": "staging",
                                                 "principal": "00000000-0000-0000-0000-000000000001"})
    message = _error(document)
    assert f"{SOURCE}: promoted_from: not on azure: on Azure the previous environment's stack grants" in message, message
