"""What the policies read about a stack beyond one resource: its environment from the resources' own tags or
labels, as the analyzer hands them over (values the engine does not know yet raise when read)."""

from __future__ import annotations

from pulumi_policy.proxy import unknown_checking_proxy

from policies.stack_facts import environment_of, stack_environment
from tests.support.plans import reference_plan

UNKNOWN_OUTPUT = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's marker for a computed value


def analyzer_props(props: dict):
    return unknown_checking_proxy(props)


def test_the_environment_tag_is_read_whatever_its_case():
    props = analyzer_props({"tags": {"Environment": "Prod", "team": "fraud"}})
    assert environment_of("aws:s3/bucketV2:BucketV2", props) == "prod"
    assert environment_of("gcp:storage/bucket:Bucket", analyzer_props({"labels": {"environment": "dev"}})) == "dev"


def test_no_tag_an_untaggable_type_or_a_computed_value_is_no_environment():
    assert environment_of("aws:s3/bucketV2:BucketV2", analyzer_props({})) is None
    assert environment_of("aws:s3/bucketV2:BucketV2", analyzer_props({"tags": UNKNOWN_OUTPUT})) is None
    assert environment_of("aws:s3/bucketV2:BucketV2", analyzer_props({"tags": {"environment": UNKNOWN_OUTPUT}})) is None
    assert environment_of("aws:iam/rolePolicy:RolePolicy", analyzer_props({"tags": {"environment": "prod"}})) is None


def test_the_stack_environment_of_each_reference_stack_is_its_own():
    for stack in ("aws-prod", "azure-dev", "gcp-prod"):
        resources = [type("Resource", (), {"resource_type": r.type, "props": analyzer_props(r.inputs)})
                     for r in reference_plan(stack).custom_resources()]
        assert stack_environment(resources) == stack.split("-")[1]
