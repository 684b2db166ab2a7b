"""The Azure feature store in the offline plans: the online store (Redis) is reached with Entra ID through
a data access policy for the workspace identity, and feature set versions follow the schema: a changed
group registers a new version under the same URN, old versions are retained, not deleted."""

from __future__ import annotations

import copy

from mlplat.offline_plan import plan_stack
from tests.support.plans import STACKS_DIR, named, plan_of_spec, platform_document, reference_plan


def test_online_store_grants_the_identity_a_redis_data_access_policy():
    plan = reference_plan("azure-prod")
    (redis,) = plan.by_type("azure-native:redis:Redis")
    assert redis.inputs["disableAccessKeyAuthentication"] is True
    (assignment,) = plan.by_type("azure-native:redis:AccessPolicyAssignment")
    assert assignment.inputs["accessPolicyName"] in {"Data Contributor", "Data Owner"}
    assert assignment.inputs["cacheName"] == redis.inputs["name"]
    identity_grant = named(plan, "fraud-ml-prod-identity-feature-redis")
    assert assignment.inputs["objectId"] == identity_grant.inputs["principalId"]
    assert assignment.parent == redis.urn


def test_offline_only_feature_store_has_no_redis_access_policy():
    assert reference_plan("azure-dev").by_type("azure-native:redis:AccessPolicyAssignment") == []


def _feature_versions(plan) -> dict[str, str]:
    return {
        r.inputs["name"]: r.inputs["version"]
        for r in plan.by_type("azure-native:machinelearningservices:FeaturesetVersion")
    }


def test_a_feature_change_registers_a_new_feature_set_version_and_keeps_the_urn(tmp_path):
    raw = platform_document("azure-prod")
    raw["feature_store"]["feature_groups"].append(
        {"name": "merchants", "entity": "merchant_id", "event_time": "event_ts", "features": {"chargeback_rate": "float"}}
    )
    before = plan_of_spec(tmp_path, raw, "azure", "before")
    changed = copy.deepcopy(raw)
    changed["feature_store"]["feature_groups"][0]["features"]["amount_90d"] = "float"
    after = plan_of_spec(tmp_path, changed, "azure", "after")
    old, new = _feature_versions(before), _feature_versions(after)
    assert old["transactions"] != new["transactions"]
    assert old["merchants"] == new["merchants"]  # an unchanged group keeps its version
    urns = lambda plan: {r.urn for r in plan.by_type("azure-native:machinelearningservices:FeaturesetVersion")}  # noqa: E731
    assert urns(before) == urns(after)
    # The same plan twice gives the same versions (deterministic).
    assert _feature_versions(plan_of_spec(tmp_path, changed, "azure", "again")) == new
    # Each version reads its own specification folder, and the stack output names it.
    for resource in after.by_type("azure-native:machinelearningservices:FeaturesetVersion"):
        version = resource.inputs["version"]
        assert resource.inputs["properties"]["specification"]["path"].endswith(f"/{resource.inputs['name']}/{version}/")
        assert resource.protect is False


def test_asset_versions_are_retained_not_deleted_and_alias_the_fixed_version_one(registrations):
    plan_stack("azure-prod", STACKS_DIR)
    for name, legacy in (
        ("fraud-ml-prod-featureset-transactions-version", "fraud-ml-prod-featureset-transactions-1"),
        ("fraud-ml-prod-entity-account-id-version", "fraud-ml-prod-entity-account-id-1"),
    ):
        request = registrations[name]
        retain, aliases = request.retainOnDelete, [str(a.name) if hasattr(a, "name") else str(a) for a in request.aliases]
        assert retain, name
        assert any(legacy in alias for alias in aliases), (name, aliases)
