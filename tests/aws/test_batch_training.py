"""AWS Batch training in the offline plans: the GPU AMI Batch still accepts (and a catalog without the
instance families it lacks), a compute environment that can be replaced without a name collision, an
instance role scoped to this account and cluster, and the template job image."""

from __future__ import annotations

import json

import pytest

from mlplat.offline_plan import plan_stack
from tests.support.aws import OFFLINE_ACCOUNT, role_policy_statements
from tests.support.plans import STACKS_DIR, one_resource, reference_plan, resources_of


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_batch_uses_the_al2023_gpu_ami_that_batch_still_accepts(stack):
    compute = one_resource(reference_plan(stack), "aws:batch/computeEnvironment:ComputeEnvironment").inputs
    assert compute["computeResources"]["ec2Configurations"] == [{"imageType": "ECS_AL2023_NVIDIA"}]


def test_catalog_offers_no_instance_family_the_al2023_gpu_ami_lacks():
    from components.catalog.gpus import all_shapes

    families = {s.instance_type.split(".")[0] for s in all_shapes() if s.cloud == "aws"}
    assert not families & {"p3", "p3dn", "g3", "g3s"}, families


def test_compute_environment_is_prefix_named_so_replacement_creates_beside_and_queue_deletes_first(registrations):
    plan = plan_stack("aws-prod", STACKS_DIR)
    compute = one_resource(plan, "aws:batch/computeEnvironment:ComputeEnvironment")
    assert "name" not in compute.inputs
    assert compute.inputs["namePrefix"] == "fraud-ml-prod-training-"
    assert registrations[compute.name].deleteBeforeReplace is False
    queue = one_resource(plan, "aws:batch/jobQueue:JobQueue")
    assert queue.inputs["name"] == "fraud-ml-prod-training"
    assert registrations[queue.name].deleteBeforeReplace is True


def test_instance_role_is_scoped_to_this_account_and_the_compute_environment_cluster():
    statements = {s["Sid"]: s for s in role_policy_statements(reference_plan("aws-prod"), "training-instance-agent")}
    assert statements["PullImages"]["Resource"] == [f"arn:aws:ecr:us-east-1:{OFFLINE_ACCOUNT}:repository/*"]
    assert statements["EcsAgentCluster"]["Resource"] == [
        f"arn:aws:ecs:us-east-1:{OFFLINE_ACCOUNT}:cluster/fraud-ml-prod-training-*_Batch_*"
    ]
    for statement in statements.values():
        for resource in statement["Resource"]:
            assert ":*:" not in resource, statement


def test_private_template_image_is_a_placeholder_in_the_platforms_ecr_repository():
    plan = reference_plan("aws-prod")
    definition = json.loads(one_resource(plan, "aws:batch/jobDefinition:JobDefinition").inputs["containerProperties"])
    assert not definition["image"].startswith("public.ecr.aws")
    assert definition["image"].startswith(f"{OFFLINE_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/")
    assert definition["image"].endswith(":template")
    repos = {r.inputs["name"]: r for r in resources_of(plan, "aws:ecr/repository:Repository")}
    assert repos["fraud-ml-prod/training"].inputs["imageTagMutability"] == "IMMUTABLE"
    outputs = plan.outputs["training"]["training"]
    assert outputs["extras"]["template_image"] == definition["image"]
    assert outputs["extras"]["template_image_placeholder"] is True
    assert outputs["extras"]["max_instances_at_peak"] == outputs["max_nodes"] + 1


def test_public_template_image_stays_public_without_a_repository():
    plan = reference_plan("aws-dev")
    if plan.spec["network"]["private"]:
        pytest.skip("aws-dev is private")
    definition = json.loads(one_resource(plan, "aws:batch/jobDefinition:JobDefinition").inputs["containerProperties"])
    assert definition["image"].startswith("public.ecr.aws/")
    assert plan.outputs["training"]["training"]["extras"]["training_image_repository_url"] is None
