"""GCP scheduled retraining: Cloud Scheduler's OAuth HTTP target creates a Vertex AI custom job with SPOT
scheduling on the catalogue's training shape, as the workload account; the scheduler's own identity
may create custom jobs and act as that account, nothing else."""

from __future__ import annotations

import base64
import json

import pytest

from components.catalog.gpus import shape_for
from tests.support.plans import one_resource, plan_of_stack, resources_of

NIGHTLY = {"name": "nightly", "use_case": "fraud-scoring", "schedule": "0 2 * * *", "endpoint": "fraud-scorer",
           "image": "us-docker.pkg.dev/example/fraud/train:1", "arguments": ["--epochs", "3"]}


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return plan_of_stack(tmp_path_factory.mktemp("retraining"), "gcp-prod",
                         edit=lambda p: p.update(retraining=[NIGHTLY]))


def test_cloud_scheduler_creates_a_spot_vertex_custom_job(plan):
    job = one_resource(plan, "gcp:cloudscheduler/job:Job", "retraining").inputs
    assert job["schedule"] == "0 2 * * *" and job["timeZone"] == "Etc/UTC"
    target = job["httpTarget"]
    region = plan.spec["region"]
    assert target["httpMethod"] == "POST"
    assert target["uri"].startswith(f"https://{region}-aiplatform.googleapis.com/v1/projects/")
    assert target["uri"].endswith(f"/locations/{region}/customJobs")
    assert target["oauthToken"]["scope"] == "https://www.googleapis.com/auth/cloud-platform"
    body = json.loads(base64.b64decode(target["body"]))
    spec = body["jobSpec"]
    assert spec["scheduling"] == {"strategy": "SPOT"}
    assert spec["serviceAccount"] == plan.outputs["training"]["training"]["extras"]["workload_service_account"]
    training = plan.spec["training"]
    shape = shape_for("gcp", training["gpu"], training["gpus_per_node"])
    pool = spec["workerPoolSpecs"][0]
    assert pool["machineSpec"]["machineType"] == shape.instance_type
    assert pool["machineSpec"]["acceleratorCount"] == shape.gpus
    assert pool["containerSpec"]["args"] == ["--epochs", "3"]
    assert pool["containerSpec"]["imageUri"] == NIGHTLY["image"]


def test_the_job_is_told_where_to_register_its_model(plan):
    body = json.loads(base64.b64decode(one_resource(plan, "gcp:cloudscheduler/job:Job", "retraining")
                                       .inputs["httpTarget"]["body"]))
    env = {e["name"]: e["value"] for e in body["jobSpec"]["workerPoolSpecs"][0]["containerSpec"]["env"]}
    registry = plan.outputs["registry"]["registry"]
    region = plan.spec["region"]
    # The Vertex AI Model Registry parent a job uploads to (GAPIC UploadModelRequest.parent: a location).
    assert env["MODEL_REGISTRY"] == registry["model_registry"]
    project = env["MODEL_REGISTRY"].removeprefix("projects/").removesuffix(f"/locations/{region}/models")
    assert env["MODEL_REGISTRY"] == f"projects/{project}/locations/{region}/models" and "/" not in project
    assert env["IMAGE_REPOSITORY"] == registry["image_repository_url"]
    assert env["IMAGE_REPOSITORY"].startswith(f"{region}-docker.pkg.dev/{project}/")
    assert env["RETRAINING"] == "nightly" and env["CHECKPOINT_URI"].startswith("gs://")


def test_the_scheduler_identity_is_least_privilege(plan):
    role = one_resource(plan, "gcp:projects/iAMCustomRole:IAMCustomRole", "retraining").inputs
    assert role["permissions"] == ["aiplatform.customJobs.create"]
    grants = resources_of(plan, "gcp:serviceaccount/iAMMember:IAMMember", "retraining")
    assert [g.inputs["role"] for g in grants] == ["roles/iam.serviceAccountUser"]
    members = resources_of(plan, "gcp:projects/iAMMember:IAMMember", "retraining")
    assert len(members) == 1 and members[0].inputs["role"] != "roles/aiplatform.user"


def test_the_plan_says_the_runs_are_vertex_jobs_beside_the_gke_cluster(plan):
    [gap] = [g for g in plan.gaps if g["capability"] == "retraining"]
    assert "retraining (nightly) runs as Vertex AI custom jobs with SPOT scheduling beside the GKE training cluster" \
        in gap["gap"]
    # The GKE cluster is still planned: the runs are beside it, not instead of it.
    assert resources_of(plan, "gcp:container/cluster:Cluster", "training")
