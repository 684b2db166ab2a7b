"""GCP promotion: the next environment's workload account may read Vertex AI models, pull serving images
and read model artifacts of the upstream project; nothing is granted without promotion."""

from __future__ import annotations

import pytest

from tests.support.plans import one_resource, plan_of_stack, reference_plan

DOWNSTREAM = "fraud-ml-prod-project"


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    def edit(platform):
        platform.update(environment="staging", promotion={"to": "prod", "principal": DOWNSTREAM})
    return plan_of_stack(tmp_path_factory.mktemp("promotion"), "gcp-prod", edit=edit)


def test_the_downstream_workload_account_reads_models_images_and_artifacts(plan):
    member = f"serviceAccount:{plan.spec['name']}-prod-workloads@{DOWNSTREAM}.iam.gserviceaccount.com"
    role = one_resource(plan, "gcp:projects/iAMCustomRole:IAMCustomRole", "promotion").inputs
    assert role["permissions"] == ["aiplatform.models.get", "aiplatform.models.list"]
    assert one_resource(plan, "gcp:projects/iAMMember:IAMMember", "promotion").inputs["member"] == member
    images = one_resource(plan, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "promotion").inputs
    assert images["role"] == "roles/artifactregistry.reader" and images["member"] == member
    bucket = one_resource(plan, "gcp:storage/bucketIAMMember:BucketIAMMember", "promotion").inputs
    assert bucket["role"] == "roles/storage.objectViewer" and bucket["member"] == member
    assert "/objects/models/" in bucket["condition"]["expression"]


def test_no_promotion_no_cross_project_grant():
    assert not [r for r in reference_plan("gcp-prod").resources if r.capability == "promotion"]
