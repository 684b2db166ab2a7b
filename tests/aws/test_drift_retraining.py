"""AWS drift-triggered retraining: an EventBridge rule on the endpoint's drift alarms entering ALARM submits
the retraining's job definition to the training spot queue, through a role only EventBridge may assume."""

from __future__ import annotations

import json

import pytest

from tests.support.plans import one_resource, plan_of_stack, resources_of

ON_DRIFT = {"name": "on-drift", "use_case": "fraud-scoring", "on_drift": True, "endpoint": "fraud-scorer",
            "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/train:1"}


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return plan_of_stack(tmp_path_factory.mktemp("drift"), "aws-prod", edit=lambda p: p.update(retraining=[ON_DRIFT]))


def test_the_rule_matches_the_endpoints_drift_alarms_going_to_alarm(plan):
    pattern = json.loads(one_resource(plan, "aws:cloudwatch/eventRule:EventRule", "retraining").inputs["eventPattern"])
    drift_alarms = plan.outputs["monitoring"]["monitoring"]["endpoints"]["fraud-scorer"]["drift_alerts"]
    assert drift_alarms and pattern["resources"] == drift_alarms
    assert pattern["source"] == ["aws.cloudwatch"] and pattern["detail-type"] == ["CloudWatch Alarm State Change"]
    assert pattern["detail"] == {"state": {"value": ["ALARM"]}}
    assert len(drift_alarms) == 3  # one alarm per baseline feature


def test_the_target_submits_the_retraining_job_to_the_training_queue(plan):
    target = one_resource(plan, "aws:cloudwatch/eventTarget:EventTarget", "retraining").inputs
    assert target["arn"] == plan.outputs["training"]["training"]["submit_to"]
    assert target["batchTarget"]["jobDefinition"] == plan.outputs["retraining"]["on-drift"]["extras"]["job_definition_arn"]
    assert plan.outputs["retraining"]["on-drift"]["drift_trigger"]
    assert plan.outputs["retraining"]["on-drift"]["schedule"] is None  # no schedule asked for
    assert not resources_of(plan, "aws:scheduler/schedule:Schedule", "retraining")


def test_the_rule_role_is_least_privilege(plan):
    (role,) = resources_of(plan, "aws:iam/role:Role", "retraining")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "events.amazonaws.com"}]
    assert "aws:SourceAccount" in trust[0]["Condition"]["StringEquals"]
    (policy,) = [p for p in resources_of(plan, "aws:iam/rolePolicy:RolePolicy", "retraining")
                 if not p.name.endswith("-register")]  # the other one lets the job register its model
    statements = json.loads(policy.inputs["policy"])["Statement"]
    assert [s["Action"] for s in statements] == [["batch:SubmitJob"]]
    queue = plan.outputs["training"]["training"]["submit_to"]
    assert statements[0]["Resource"][0] == queue and statements[0]["Resource"][1].endswith("retrain-on-drift:*")
    target = one_resource(plan, "aws:cloudwatch/eventTarget:EventTarget", "retraining").inputs
    assert target["roleArn"]
