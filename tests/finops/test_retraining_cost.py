"""Scheduled retraining is priced from its schedule: node-hours per run x runs per month on the training
capacity (spot when training is), as a retraining line of its use case."""

from __future__ import annotations

import pytest

from mlplat.finops.estimate import estimate_plan
from tests.support.plans import plan_of_stack

NIGHTLY = {"name": "nightly", "use_case": "fraud-scoring", "schedule": "0 2 * * *", "endpoint": "fraud-scorer",
           "image": "example.com/fraud/train:1", "hours_per_run": 2}


@pytest.mark.parametrize("stack", ["aws-prod", "azure-prod", "gcp-prod"])
def test_nightly_retraining_costs_hours_per_run_times_thirty_runs(tmp_path, stack):
    plan = plan_of_stack(tmp_path, stack, edit=lambda p: p.update(retraining=[NIGHTLY]))
    lines = [line for line in estimate_plan(plan).lines if line.capability == "retraining"]
    assert lines, "no retraining cost line"
    assert sum(line.quantity for line in lines) == pytest.approx(2 * 30)
    assert {line.use_case for line in lines} == {"fraud-scoring"}
    assert all(line.pricing == "spot" for line in lines)
    assert all("retraining[nightly] retraining[nightly].hours_per_run 2 node-h x 30 runs/month" in line.basis
               for line in lines)


def _retraining_cost(plan, usage=None):
    lines = [line for line in estimate_plan(plan, usage).lines if line.capability == "retraining"]
    return sum(line.quantity for line in lines), sum(line.monthly_usd for line in lines), lines


@pytest.mark.parametrize("stack", ["aws-prod", "azure-prod", "gcp-prod"])
def test_usage_states_the_hours_of_one_retraining_run(tmp_path, stack):
    plan = plan_of_stack(tmp_path, stack, edit=lambda p: p.update(retraining=[NIGHTLY]))
    hours, usd, _ = _retraining_cost(plan)
    stated_hours, stated_usd, lines = _retraining_cost(plan, {"retraining_hours_per_run": {"nightly": 5}})
    assert stated_hours == pytest.approx(5 * 30) and hours == pytest.approx(2 * 30)
    assert stated_usd == pytest.approx(usd * 5 / 2) and stated_usd > usd
    assert all("usage.retraining_hours_per_run.nightly 5 node-h x 30 runs/month" in line.basis for line in lines)
    assert {line.use_case for line in lines} == {"fraud-scoring"}


def test_usage_for_an_unknown_retraining_entry_names_the_field(tmp_path):
    from mlplat.finops.estimate import EstimateError

    plan = plan_of_stack(tmp_path, "aws-prod", edit=lambda p: p.update(retraining=[NIGHTLY]))
    with pytest.raises(EstimateError, match="usage.retraining_hours_per_run.weekly: no retraining entry named 'weekly'"):
        estimate_plan(plan, {"retraining_hours_per_run": {"weekly": 1}})


def test_a_pipeline_retraining_is_not_priced_on_the_training_capacity(tmp_path):
    pipeline = {"name": "weekly", "schedule": "0 3 * * 0", "pipeline": {"name": "FraudTrain"}}
    plan = plan_of_stack(tmp_path, "aws-prod", edit=lambda p: p.update(retraining=[NIGHTLY, pipeline]))
    hours, _, lines = _retraining_cost(plan)
    assert hours == pytest.approx(2 * 30) and not [line for line in lines if "weekly" in line.basis]


ON_DRIFT_ONLY = {"name": "on-drift", "use_case": "fraud-scoring", "on_drift": True, "endpoint": "fraud-scorer",
                 "image": "example.com/fraud/train:1", "hours_per_run": 2}


@pytest.mark.parametrize("stack", ["aws-prod", "gcp-prod"])
def test_a_drift_only_retraining_is_not_priced_never_zero(tmp_path, stack):
    plan = plan_of_stack(tmp_path, stack, edit=lambda p: p.update(retraining=[NIGHTLY, ON_DRIFT_ONLY]))
    result = estimate_plan(plan)
    assert not [line for line in result.lines if "on-drift" in line.basis]  # no "$0.00" line
    (entry,) = [u for u in result.usage_only if u["resource"] == "retraining[on-drift]"]
    assert entry["capability"] == "retraining"
    assert entry["note"].startswith("not priced: retraining.1.runs_per_month is not stated")
    assert "2 node-h" in entry["note"] and entry in result.to_dict()["usage_only"]


def test_the_text_estimate_names_the_field_to_state(tmp_path):
    from mlplat.finops.render import render_estimate

    plan = plan_of_stack(tmp_path, "aws-prod", edit=lambda p: p.update(retraining=[ON_DRIFT_ONLY]))
    text = " ".join(render_estimate(estimate_plan(plan), plan).split())  # prose lines wrap
    assert "retraining[on-drift] (retraining runs): not priced: retraining.0.runs_per_month is not stated" in text


def test_a_drift_only_retraining_with_stated_runs_is_priced(tmp_path):
    stated = {**ON_DRIFT_ONLY, "runs_per_month": 4}
    plan = plan_of_stack(tmp_path, "aws-prod", edit=lambda p: p.update(retraining=[stated]))
    result = estimate_plan(plan)
    hours, usd, lines = _retraining_cost(plan)
    assert hours == pytest.approx(2 * 4) and usd > 0
    assert all("2 node-h x 4 runs/month" in line.basis for line in lines)
    assert not [u for u in result.usage_only if u["resource"] == "retraining[on-drift]"]
