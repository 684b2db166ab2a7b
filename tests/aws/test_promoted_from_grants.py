"""AWS promotion, downstream half: a stack with `promoted_from` lets its execution role read what the previous
environment's stack shares with its account (model versions, serving images, model artifacts, key), each
statement pinned to the upstream account; a stack without it gains nothing."""

from __future__ import annotations

import json

import pytest

from tests.support.plans import one_resource, plan_of_stack, reference_plan, resources_of

UPSTREAM = "123456789012"
PREFIX = "fraud-ml-staging"  # the reference stacks' platform name, environment staging


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return plan_of_stack(tmp_path_factory.mktemp("promoted"), "aws-prod",
                         edit=lambda p: p.update(promoted_from={"environment": "staging", "principal": UPSTREAM}))


@pytest.fixture(scope="module")
def statements(plan):
    policy = one_resource(plan, "aws:iam/rolePolicy:RolePolicy", "base", "promoted-from")
    return {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}


def test_the_policy_is_on_the_execution_role_the_endpoints_run_as(plan):
    policy = one_resource(plan, "aws:iam/rolePolicy:RolePolicy", "base", "promoted-from").inputs
    data = one_resource(plan, "aws:iam/rolePolicy:RolePolicy", "base", "execution-role-data").inputs
    assert policy["role"] == data["role"]


def test_model_versions_of_the_upstream_group_only(plan, statements):
    region = plan.spec["region"]
    statement = statements["PromotedModelPackages"]
    assert statement["Action"] == ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup"]
    assert statement["Resource"] == [f"arn:aws:sagemaker:{region}:{UPSTREAM}:model-package-group/{PREFIX}-models",
                                     f"arn:aws:sagemaker:{region}:{UPSTREAM}:model-package/{PREFIX}-models/*"]


def test_image_pull_from_the_upstream_serving_repository(plan, statements):
    statement = statements["PromotedImages"]
    assert set(statement["Action"]) == {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                                        "ecr:BatchCheckLayerAvailability"}
    assert statement["Resource"] == [f"arn:aws:ecr:{plan.spec['region']}:{UPSTREAM}:repository/{PREFIX}/serving"]
    assert statements["RegistryLogin"]["Action"] == ["ecr:GetAuthorizationToken"]


def test_artifacts_under_models_of_the_upstream_account_only(statements):
    read, listing = statements["PromotedArtifacts"], statements["PromotedArtifactsList"]
    assert read["Action"] == ["s3:GetObject"]
    assert read["Resource"] == [f"arn:aws:s3:::{PREFIX}-artifacts-*/models/*"]
    # Bucket names are global: the wildcard is pinned to buckets the upstream account owns.
    for statement in (read, listing):
        assert statement["Condition"]["StringEquals"] == {"s3:ResourceAccount": UPSTREAM}
    assert listing["Condition"]["StringLike"] == {"s3:prefix": ["models/*"]}


def test_the_upstream_key_by_its_alias(plan, statements):
    statement = statements["PromotedKey"]
    assert statement["Action"] == ["kms:Decrypt", "kms:DescribeKey"]
    assert statement["Resource"] == [f"arn:aws:kms:{plan.spec['region']}:{UPSTREAM}:key/*"]
    assert statement["Condition"] == {"ForAnyValue:StringEquals": {"kms:ResourceAliases": [f"alias/mlplat/{PREFIX}"]}}
    # The alias is the one the upstream stack gives its key.
    prod_alias = one_resource(plan, "aws:kms/alias:Alias", "base").inputs["name"]
    assert prod_alias == "alias/mlplat/fraud-ml-prod"


def test_a_stack_without_promoted_from_grants_its_role_nothing_more():
    plan = reference_plan("aws-prod")
    assert not resources_of(plan, "aws:iam/rolePolicy:RolePolicy", None, "promoted-from")
