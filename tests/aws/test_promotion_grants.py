"""AWS promotion: the upstream stack grants the next environment's account read access to its model
package group, serving images, model artifacts and key; a stack without promotion grants nothing."""

from __future__ import annotations

import json

import pytest

from tests.support.plans import one_resource, plan_of_stack, reference_plan, resources_of

DOWNSTREAM = "210987654321"
ROOT = f"arn:aws:iam::{DOWNSTREAM}:root"


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    # A staging stack (the prod stack's settings, environment staging) promoting to prod.
    def edit(platform):
        platform.update(environment="staging", encryption={"customer_managed_keys": True},
                        promotion={"to": "prod", "principal": DOWNSTREAM})
    return plan_of_stack(tmp_path_factory.mktemp("promotion"), "aws-prod", edit=edit)


def test_the_model_package_group_policy_names_the_downstream_account(plan):
    policy = json.loads(one_resource(plan, "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy",
                                     "promotion").inputs["resourcePolicy"])
    [statement] = policy["Statement"]
    assert statement["Principal"] == {"AWS": ROOT}
    assert set(statement["Action"]) == {"sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage",
                                        "sagemaker:ListModelPackages"}


def test_images_artifacts_and_key_are_readable_by_the_downstream_account(plan):
    repository = json.loads(one_resource(plan, "aws:ecr/repositoryPolicy:RepositoryPolicy", "promotion").inputs["policy"])
    assert [s["Principal"] for s in repository["Statement"]] == [{"AWS": ROOT}]
    assert not any("Push" in a or "Put" in a for s in repository["Statement"] for a in s["Action"])
    bucket_policies = [json.loads(r.inputs["policy"]) for r in resources_of(plan, "aws:s3/bucketPolicy:BucketPolicy", "base", "artifacts")]
    reads = [s for p in bucket_policies for s in p["Statement"] if s.get("Principal") == {"AWS": ROOT}]
    assert {tuple(s["Action"]) for s in reads} == {("s3:GetObject",), ("s3:ListBucket",)}
    assert all(r.endswith("/models/*") for s in reads if s["Action"] == ["s3:GetObject"] for r in s["Resource"])
    grant = one_resource(plan, "aws:kms/grant:Grant", "promotion").inputs
    assert grant["granteePrincipal"] == ROOT and grant["operations"] == ["Decrypt", "DescribeKey"]


def test_a_stack_without_promotion_grants_nothing_to_other_accounts():
    plan = reference_plan("aws-prod")
    assert not [r for r in plan.resources if r.capability == "promotion"]
    assert "arn:aws:iam::" not in json.dumps([r.inputs for r in plan.by_type("aws:s3/bucketPolicy:BucketPolicy")])


def test_promotion_without_a_customer_managed_key_is_a_plan_gap(tmp_path):
    # Artifacts under the AWS managed key aws/s3 cannot be decrypted by another account.
    def edit(platform):
        platform.update(environment="staging", encryption={"customer_managed_keys": False},
                        promotion={"to": "prod", "principal": DOWNSTREAM})
    plan = plan_of_stack(tmp_path, "aws-prod", edit=edit)
    [gap] = [g for g in plan.gaps if g["capability"] == "promotion"]
    assert "AWS managed key aws/s3" in gap["gap"] and "customer_managed_keys: true" in gap["gap"]


def test_promotion_with_a_customer_managed_key_has_no_gap(plan):
    assert not [g for g in plan.gaps if g["capability"] == "promotion"]
