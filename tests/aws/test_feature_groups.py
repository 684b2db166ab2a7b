"""SageMaker feature groups in the offline plans: offline-store queries confined to the platform's Athena
workgroup, schema changes that create a new versioned group beside the old one instead of colliding,
stable names for unchanged schemas, protection in prod, and names within SageMaker's length limit."""

from __future__ import annotations

from mlplat.offline_plan import plan_file
from tests.support.aws import OFFLINE_ACCOUNT, role_policy_statements
from tests.support.plans import one_resource, plan_of_stack, reference_plan, resources_of, write_spec


def _feature_plan(tmp_path, edit):
    return plan_of_stack(tmp_path, "aws-dev", edit)


def test_execution_role_may_query_the_offline_store_in_the_platform_workgroup_only():
    plan = reference_plan("aws-prod")
    workgroup = one_resource(plan, "aws:athena/workgroup:Workgroup").inputs
    results = workgroup["configuration"]["resultConfiguration"]
    assert workgroup["configuration"]["enforceWorkgroupConfiguration"] is True
    assert results["outputLocation"].startswith("s3://fraud-ml-prod-data") and results["outputLocation"].endswith("/athena-results/")
    assert results["encryptionConfiguration"]["encryptionOption"] == "SSE_KMS"
    (query,) = [s for s in role_policy_statements(plan, "execution-role-features") if s.get("Sid") == "OfflineStoreQueries"]
    assert {"athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"} <= set(query["Action"])
    assert query["Resource"] == [f"arn:aws:athena:us-east-1:{OFFLINE_ACCOUNT}:workgroup/fraud-ml-prod-features"]
    assert plan.outputs["feature_store"]["features"]["extras"]["athena_workgroup"] == "fraud-ml-prod-features"


def test_a_schema_change_is_a_new_versioned_group_and_table_not_a_colliding_replacement(tmp_path):
    before = one_resource(reference_plan("aws-dev"), "aws:sagemaker/featureGroup:FeatureGroup")

    def add_feature(platform):
        platform["feature_store"]["feature_groups"][0]["features"]["chargebacks_90d"] = "int"

    after = one_resource(_feature_plan(tmp_path, add_feature), "aws:sagemaker/featureGroup:FeatureGroup")
    assert after.urn == before.urn  # same logical resource: Pulumi replaces it...
    # ...under a new physical name and offline table, so the new group is created beside the old one
    assert after.inputs["featureGroupName"] != before.inputs["featureGroupName"]
    assert after.inputs["featureGroupName"].startswith("fraud-ml-dev-transactions-s")
    old_table = before.inputs["offlineStoreConfig"]["dataCatalogConfig"]["tableName"]
    new_table = after.inputs["offlineStoreConfig"]["dataCatalogConfig"]["tableName"]
    assert old_table != new_table and new_table.startswith("transactions_s")


def test_an_unchanged_schema_keeps_its_name_whatever_the_group_order(tmp_path):
    before = {r.urn: r.inputs["featureGroupName"] for r in resources_of(reference_plan("aws-dev"), "aws:sagemaker/featureGroup:FeatureGroup")}

    def add_group_first(platform):
        platform["feature_store"]["feature_groups"].insert(
            0, {"name": "merchants", "entity": "merchant_id", "event_time": "event_ts", "features": {"risk": "float"}}
        )

    after = {r.urn: r.inputs["featureGroupName"] for r in resources_of(_feature_plan(tmp_path, add_group_first), "aws:sagemaker/featureGroup:FeatureGroup")}
    for urn, name in before.items():
        assert after[urn] == name


def test_prod_feature_groups_are_protected_so_a_schema_change_cannot_silently_replace_them():
    (group,) = resources_of(reference_plan("aws-prod"), "aws:sagemaker/featureGroup:FeatureGroup")
    assert group.protect is True


def test_feature_group_names_stay_within_sagemakers_64_characters(tmp_path):
    """Longest names the spec allows: 24-character platform, staging, 24-character group, schema suffix."""
    spec = {
        "name": "a" * 23 + "z",
        "environment": "staging",
        "cloud": "aws",
        "region": "us-east-1",
        "finops": {"cost_center": "cc", "owner": "o@example.com", "team": "t"},
        "feature_store": {
            "online": False,
            "feature_groups": [
                {"name": "g" * 23 + f"{i}", "entity": "id", "event_time": "ts", "features": {"x": "float"}}
                for i in range(2)
            ],
        },
    }
    path = write_spec(tmp_path, spec, "long")
    names = [r.inputs["featureGroupName"] for r in plan_file(path).by_type("aws:sagemaker/featureGroup:FeatureGroup")]
    assert len(names) == 2 and len(set(names)) == 2
    assert all(len(n) <= 64 for n in names), names
    again = [r.inputs["featureGroupName"] for r in plan_file(path).by_type("aws:sagemaker/featureGroup:FeatureGroup")]
    assert sorted(again) == sorted(names)  # stable: the same spec gives the same physical names
