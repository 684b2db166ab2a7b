"""The OpenSearch Serverless collection of vector search: changing standby replicas creates a collection
under a new name that the unchanged security and access policies already cover, and prod refuses it."""

from __future__ import annotations

from tests.support.plans import one_resource, plan_of_stack, reference_plan, resources_of


COLLECTION = "aws:opensearch/serverlessCollection:ServerlessCollection"


def test_changing_standby_replicas_is_a_new_collection_name_covered_by_unchanged_policies(tmp_path):
    prod = reference_plan("aws-prod")

    def one_replica(platform):
        platform["vector_search"]["replicas"] = 1

    single = plan_of_stack(tmp_path, "aws-prod", one_replica)
    before, after = one_resource(prod, COLLECTION), one_resource(single, COLLECTION)
    assert (before.inputs["standbyReplicas"], after.inputs["standbyReplicas"]) == ("ENABLED", "DISABLED")
    assert before.urn == after.urn and before.inputs["name"] != after.inputs["name"]
    assert before.protect  # prod refuses the replacement instead of deleting vectors
    policy = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
    assert [r.inputs["policy"] for r in resources_of(prod, policy)] == [r.inputs["policy"] for r in resources_of(single, policy)]
    access = "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy"  # vector search's and RAG's
    assert [r.inputs.get("policy") for r in resources_of(prod, access)] == [
        r.inputs.get("policy") for r in resources_of(single, access)]
    for plan, collection in ((prod, before), (single, after)):
        for resource in resources_of(plan, policy):
            assert f"collection/{collection.inputs['name']}" in resource.inputs["policy"]
