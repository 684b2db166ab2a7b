"""AWS retraining that starts a SageMaker pipeline: the schedule and the drift rule target the pipeline with
its parameters, through roles that may start that pipeline and nothing else; no Batch job is made."""

from __future__ import annotations

import json

import pytest

from tests.support.plans import one_resource, plan_of_stack, resources_of

WEEKLY = {"name": "weekly", "use_case": "fraud-scoring", "schedule": "0 3 * * 0", "on_drift": True,
          "endpoint": "fraud-scorer", "pipeline": {"name": "FraudTrain", "parameters": {"Epochs": "3"}}}


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return plan_of_stack(tmp_path_factory.mktemp("pipeline"), "aws-prod", edit=lambda p: p.update(retraining=[WEEKLY]))


def _pipeline_arn(plan) -> str:
    return plan.outputs["retraining"]["weekly"]["submit_to"]


def test_the_schedule_starts_the_pipeline_with_its_parameters(plan):
    target = one_resource(plan, "aws:scheduler/schedule:Schedule", "retraining").inputs["target"]
    assert _pipeline_arn(plan).endswith(":pipeline/fraudtrain")  # SageMaker writes the name in lower case
    assert target["arn"] == _pipeline_arn(plan)
    assert target["sagemakerPipelineParameters"] == {"pipelineParameters": [{"name": "Epochs", "value": "3"}]}
    assert "input" not in target


def test_the_drift_rule_starts_the_same_pipeline(plan):
    target = one_resource(plan, "aws:cloudwatch/eventTarget:EventTarget", "retraining").inputs
    assert target["arn"] == _pipeline_arn(plan)
    assert target["sagemakerPipelineTarget"] == {"pipelineParameterLists": [{"name": "Epochs", "value": "3"}]}
    assert "batchTarget" not in target


def test_both_roles_may_start_that_pipeline_only(plan):
    policies = [json.loads(r.inputs["policy"]) for r in resources_of(plan, "aws:iam/rolePolicy:RolePolicy", "retraining")]
    assert len(policies) == 2  # the scheduler's and the rule's: no job role grant without a job
    for policy in policies:
        assert policy["Statement"] == [{"Effect": "Allow", "Action": ["sagemaker:StartPipelineExecution"],
                                        "Resource": [_pipeline_arn(plan)]}]


def test_no_batch_job_definition_is_made(plan):
    assert not resources_of(plan, "aws:batch/jobDefinition:JobDefinition", "retraining")


def test_the_plan_says_the_pipeline_chooses_its_own_capacity(plan):
    [gap] = [g for g in plan.gaps if g["capability"] == "retraining"]
    assert "retraining weekly starts SageMaker pipeline FraudTrain" in gap["gap"]
    assert "cannot hold them to spot capacity" in gap["gap"]
