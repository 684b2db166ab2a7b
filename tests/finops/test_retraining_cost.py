"""Scheduled retraining is priced from its schedule: node-hours per run x runs per month on the training
capacity (spot when training is), as a retraining line of its use case."""

from __future__ import annotations

import pytest

from mlplat.finops.estimate import estimate_plan
from tests.support.plans import plan_of_stack

NIGHTLY = {"name": "nightly", "use_case": "fraud-scoring", "schedule": "0 2 * * *", "endpoint": "fraud-scorer",
           "hours_per_run": 2}


@pytest.mark.parametrize("stack", ["aws-prod", "azure-prod", "gcp-prod"])
def test_nightly_retraining_costs_hours_per_run_times_thirty_runs(tmp_path, stack):
    plan = plan_of_stack(tmp_path, stack, edit=lambda p: p.update(retraining=[NIGHTLY]))
    lines = [line for line in estimate_plan(plan).lines if line.capability == "retraining"]
    assert lines, "no retraining cost line"
    assert sum(line.quantity for line in lines) == pytest.approx(2 * 30)
    assert {line.use_case for line in lines} == {"fraud-scoring"}
    assert all(line.pricing == "spot" for line in lines)
    assert all("retraining[nightly] 2 node-h x 30 runs/month" in line.basis for line in lines)
