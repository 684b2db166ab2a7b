"""Scheduled batch inference is priced from its schedule: hours per run (usage.batch_hours_per_run, else
the entry's hours_per_run) x instances x runs per month, on the capacity it runs on (the endpoint's shape
on AWS and GCP, the training cluster on Azure), as a batch_inference line of its use case."""

from __future__ import annotations

import pytest

from mlplat.finops.estimate import EstimateError, estimate_plan
from tests.support.plans import plan_of_stack

DAILY = {"name": "daily-scores", "endpoint": "fraud-scorer", "input": "data/scoring/in/", "use_case": "fraud-scoring",
         "output": "artifacts/scoring/out/", "schedule": "30 3 * * *", "instance_count": 2, "hours_per_run": 1.5}
CAPACITY = {"aws": "aws:sagemaker/endpoint", "azure": "azure-native:machinelearningservices:Compute",
            "gcp": "pulumi-python:dynamic:Resource"}


def _batch_lines(plan, usage=None):
    return [line for line in estimate_plan(plan, usage).lines if line.capability == "batch_inference"]


@pytest.mark.parametrize("stack", ["aws-prod", "azure-prod", "gcp-prod"])
def test_daily_batch_costs_hours_times_instances_times_thirty_runs(tmp_path, stack):
    plan = plan_of_stack(tmp_path, stack, edit=lambda p: p.update(batch_inference=[DAILY]))
    lines = _batch_lines(plan)
    assert lines, "no batch inference cost line"
    assert sum(line.quantity for line in lines) == pytest.approx(1.5 * 2 * 30)
    assert {line.use_case for line in lines} == {"fraud-scoring"}
    assert all("batch_inference[daily-scores] batch_inference[daily-scores].hours_per_run 1.5 h x 2 instance(s) x "
               "30 runs/month" in line.basis for line in lines)
    assert all(line.type.startswith(CAPACITY[plan.cloud]) for line in lines), [line.type for line in lines]
    # Spot only where the job runs on spot capacity: Azure's low-priority training cluster.
    assert {line.pricing for line in lines} == ({"spot"} if plan.cloud == "azure" else {"on-demand"})


def test_usage_states_the_hours_of_one_run(tmp_path):
    plan = plan_of_stack(tmp_path, "aws-prod", edit=lambda p: p.update(batch_inference=[DAILY]))
    lines = _batch_lines(plan, {"batch_hours_per_run": {"daily-scores": 4}})
    assert sum(line.quantity for line in lines) == pytest.approx(4 * 2 * 30)
    assert "usage.batch_hours_per_run.daily-scores 4 h" in lines[0].basis


def test_usage_for_an_unknown_batch_entry_names_the_field(tmp_path):
    plan = plan_of_stack(tmp_path, "aws-prod", edit=lambda p: p.update(batch_inference=[DAILY]))
    with pytest.raises(EstimateError, match="usage.batch_hours_per_run.nightly: no batch_inference entry named 'nightly'"):
        estimate_plan(plan, {"batch_hours_per_run": {"nightly": 1}})


def test_compare_shows_batch_inference_per_cloud_and_use_case():
    from mlplat.finops.compare import compare
    from mlplat.offline_plan import plan_file
    from tests.support.plans import ROOT

    example = ROOT / "examples" / "closing-the-loop.yaml"
    columns = compare(lambda cloud: plan_file(example, cloud))
    for column in columns:
        assert not column.error, column.error
        lines = [line for line in column.estimate.lines if line.capability == "batch_inference"]
        # usage.batch_hours_per_run.daily-scores 0.5 h x 2 instances x 30 runs
        assert sum(line.quantity for line in lines) == pytest.approx(30), column.cloud
        assert column.estimate.group("use_case")["fraud-scoring"]["total"] > 0
        # Only GCP's statement of where the jobs run (beside its GKE cluster): nothing is missing.
        assert not [gap for gap in column.gaps if gap["capability"] in ("batch_inference", "promotion")
                    and "beside the GKE training cluster" not in gap["gap"]], column.cloud
