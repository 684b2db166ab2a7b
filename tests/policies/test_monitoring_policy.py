"""The monitoring policies through the real Analyzer protocol: a prod endpoint without a drift monitor, health
alerts or subscribers is flagged (mandatory); the monitored reference stacks comply; alert topics are encrypted."""

from __future__ import annotations

import pytest

from mlplat.policy_run import run_policies
from tests.support.plans import plan_of_stack, reference_plan

POLICY = "prod-endpoint-monitoring"


def violations(report, policy: str = POLICY) -> list:
    return [(v.resource_name, v.message) for v in report.mandatory if v.policy == policy]


@pytest.mark.parametrize("stack", ["aws-prod", "azure-prod", "gcp-prod"])
def test_monitored_prod_stacks_comply(pack, stack):
    report = run_policies(reference_plan(stack), pack)
    assert violations(report) == [] and violations(report, "alert-topic-encryption") == []


@pytest.mark.parametrize("stack", ["aws-prod", "azure-prod", "gcp-prod"])
def test_a_prod_endpoint_with_monitoring_switched_off_is_flagged(pack, tmp_path, stack):
    def switch_off(platform):
        platform["endpoints"][0]["monitoring"] = {"enabled": False}

    (found,) = violations(run_policies(plan_of_stack(tmp_path, stack, switch_off), pack))
    assert found[0] == "fraud-scorer"
    assert "no drift monitor" in found[1] and "no health alert" in found[1] and "no alert subscriber" in found[1]


def test_a_prod_endpoint_without_a_baseline_is_flagged_for_drift_only(pack, tmp_path):
    def no_baseline(platform):
        platform["endpoints"][0]["monitoring"] = {"schedule": "daily"}

    (found,) = violations(run_policies(plan_of_stack(tmp_path, "aws-prod", no_baseline), pack))
    assert "no drift monitor" in found[1] and "health alert" not in found[1] and "subscriber" not in found[1]


def test_dev_endpoints_are_not_required_to_be_monitored(pack):
    assert violations(run_policies(reference_plan("aws-dev"), pack)) == []


def test_an_sns_alert_topic_without_a_key_is_a_finding():
    from components.catalog import resources as catalogue

    topic = "aws:sns/topic:Topic"
    assert catalogue.findings(catalogue.Subject(type=topic, props={"name": "alerts"}), "alert_encryption")
    assert not catalogue.findings(catalogue.Subject(type=topic, props={"kmsMasterKeyId": "arn:aws:kms:k"}), "alert_encryption")
