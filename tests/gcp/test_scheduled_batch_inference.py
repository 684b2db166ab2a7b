"""GCP batch inference: a Cloud Scheduler OAuth target creates a Vertex AI batch prediction job with the
endpoint's stable version, from and to the platform's buckets, under the platform key, on spot capacity,
called by an identity that may only create batch prediction jobs."""

from __future__ import annotations

import base64
import json

import pytest

from tests.support.plans import one_resource, plan_of_stack, resources_of

BATCH = {"name": "daily-scores", "endpoint": "fraud-scorer", "input": "data/scoring/in/",
         "output": "artifacts/scoring/out/", "schedule": "30 3 * * *", "instance_count": 2}


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return plan_of_stack(tmp_path_factory.mktemp("batch"), "gcp-prod", edit=lambda p: p.update(batch_inference=[BATCH]))


def _job(plan) -> tuple[dict, dict]:
    schedule = one_resource(plan, "gcp:cloudscheduler/job:Job", "batch_inference").inputs
    return schedule, json.loads(base64.b64decode(schedule["httpTarget"]["body"]))


def test_the_schedule_creates_a_batch_prediction_job_on_the_platform_buckets(plan):
    schedule, job = _job(plan)
    assert schedule["schedule"] == "30 3 * * *" and schedule["timeZone"] == "Etc/UTC"
    target = schedule["httpTarget"]
    assert target["httpMethod"] == "POST"
    assert target["uri"].endswith("/batchPredictionJobs") and "-aiplatform.googleapis.com/v1beta1/projects/" in target["uri"]
    base = plan.outputs["base"]
    assert job["inputConfig"]["gcsSource"]["uris"] == [f"{base['data_store']}/scoring/in/*"]
    assert job["outputConfig"]["gcsDestination"]["outputUriPrefix"] == f"{base['artifacts_store']}/scoring/out/"
    assert job["dedicatedResources"]["startingReplicaCount"] == 2 == job["dedicatedResources"]["maxReplicaCount"]


def test_it_scores_with_the_endpoints_stable_version_on_spot_capacity(plan):
    _, job = _job(plan)
    stable = plan.outputs["endpoints"]["fraud-scorer"]["extras"]["batch_model"]
    model = job["unmanagedContainerModel"]
    assert model["containerSpec"]["imageUri"] == stable["image"] and model["artifactUri"] == stable["artifact_uri"]
    assert job["dedicatedResources"]["machineSpec"]["machineType"] == stable["machine_type"]
    assert job["dedicatedResources"]["spot"] is True


def test_output_is_encrypted_with_the_platform_key_and_runs_as_the_workload_account(plan):
    _, job = _job(plan)
    key = plan.outputs["base"]["encryption_key"]
    assert key and job["encryptionSpec"]["kmsKeyName"] == key
    assert job["serviceAccount"].startswith(f"{plan.spec['name']}-prod-workloads@")


def test_the_scheduler_may_only_create_batch_prediction_jobs(plan):
    schedule, _ = _job(plan)
    role = one_resource(plan, "gcp:projects/iAMCustomRole:IAMCustomRole", "batch_inference").inputs
    assert role["permissions"] == ["aiplatform.batchPredictionJobs.create"]
    account = one_resource(plan, "gcp:serviceaccount/account:Account", "batch_inference")
    [act_as] = resources_of(plan, "gcp:serviceaccount/iAMMember:IAMMember", "batch_inference")
    assert act_as.inputs["role"] == "roles/iam.serviceAccountUser"
    assert schedule["httpTarget"]["oauthToken"]["serviceAccountEmail"].startswith(account.inputs["accountId"] + "@")


def test_on_demand_training_capacity_calls_the_ga_api(tmp_path):
    def edit(platform):
        platform.update(batch_inference=[BATCH])
        platform["training"]["spot"] = False
    plan = plan_of_stack(tmp_path, "gcp-prod", edit=edit)
    schedule, job = _job(plan)
    assert "-aiplatform.googleapis.com/v1/projects/" in schedule["httpTarget"]["uri"] and "spot" not in job["dedicatedResources"]


def test_the_plan_says_batch_prediction_runs_beside_the_gke_cluster(plan):
    [gap] = [g for g in plan.gaps if g["capability"] == "batch_inference"]
    assert "runs as Vertex AI batch prediction jobs on the endpoint's machine shape, beside the GKE training cluster" \
        in gap["gap"]
    assert not [g for g in plan.gaps if g["capability"] == "retraining"]  # no retraining asked for
