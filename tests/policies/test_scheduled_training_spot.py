"""The training-spot-capacity policy covers scheduled training: a Cloud Scheduler job that creates Vertex AI
custom jobs must ask for SPOT (AWS and Azure schedules target the training capacity the policy already
checks: the Batch SPOT compute environment, the LowPriority AmlCompute cluster)."""

from __future__ import annotations

import base64
import json

from components.catalog import resources as catalogue
from tests.support.plans import one_resource, plan_of_stack

JOB = "gcp:cloudscheduler/job:Job"


def _job(strategy: str | None, uri: str = "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/customJobs") -> dict:
    scheduling = {"strategy": strategy} if strategy else {}
    body = base64.b64encode(json.dumps({"jobSpec": {"scheduling": scheduling}}).encode()).decode()
    return {"httpTarget": {"uri": uri, "body": body}}


def _findings(props: dict) -> list[str]:
    return [message for message, _ in catalogue.findings(catalogue.Subject(type=JOB, props=props, urn="u"), "training_spot")]


def test_spot_custom_jobs_pass_and_on_demand_ones_are_reported():
    assert _findings(_job("SPOT")) == []
    assert _findings(_job("ON_DEMAND")) and "use SPOT" in _findings(_job("ON_DEMAND"))[0]
    assert _findings(_job(None))


def test_other_scheduler_jobs_are_not_training():
    assert _findings(_job("ON_DEMAND", uri="https://example.com/hook")) == []


def test_on_demand_training_gives_an_on_demand_scheduled_job(tmp_path):
    def edit(platform):
        platform["training"]["spot"] = False
        platform["retraining"] = [{"name": "nightly", "schedule": "0 2 * * *", "endpoint": "fraud-scorer",
                                   "image": "example.com/fraud/train:1"}]
    plan = plan_of_stack(tmp_path, "gcp-prod", edit=edit)
    assert _findings(one_resource(plan, JOB, "retraining").inputs)
