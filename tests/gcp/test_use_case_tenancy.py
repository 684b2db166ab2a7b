"""GCP use cases as customers: a billing budget per use case on its label, and one service account per
use case granted only its own prefix (IAM condition), its own feature groups and prediction on its own
endpoints."""

from __future__ import annotations

from policies.use_case_isolation import violations
from tests.support.plans import resources_of
from tests.support.tenancy import as_policy_resources, tenancy_plan

COUNT = 3


def plan():
    return tenancy_plan(COUNT, "gcp")


def test_one_budget_per_use_case_filtered_on_its_label():
    budgets = {r.name: r.inputs for r in resources_of(plan(), "gcp:billing/budget:Budget", "use_cases")}
    assert sorted(budgets) == [f"tenants-prod-uc0{i}-budget" for i in range(1, COUNT + 1)]
    uc03 = budgets["tenants-prod-uc03-budget"]
    assert uc03["budgetFilter"]["labels"] == {"use-case": "uc03"}
    assert uc03["amount"]["specifiedAmount"]["units"] == "2000"
    channels = [r for r in resources_of(plan(), "gcp:monitoring/notificationChannel:NotificationChannel", "use_cases")
                if "uc03" in r.name]
    assert [c.inputs["labels"]["email_address"] for c in channels] == ["uc03@example.com"]


def test_one_service_account_per_use_case_granted_only_its_prefix_and_feature_groups():
    accounts = resources_of(plan(), "gcp:serviceaccount/account:Account", "use_cases")
    assert sorted(a.inputs["accountId"] for a in accounts) == ["uc-uc01-id", "uc-uc02-id", "uc-uc03-id"]
    grants = [r for r in resources_of(plan(), "gcp:storage/bucketIAMMember:BucketIAMMember", "use_cases")
              if "-uc01-" in r.name]
    assert len(grants) == 2
    assert all(g.inputs["condition"]["expression"].endswith('/objects/use-cases/uc01/")') for g in grants)
    groups = [r.inputs["featureGroup"] for r in resources_of(plan(), "gcp:vertex/aiFeatureGroupIamMember:AiFeatureGroupIamMember")
              if "-uc01-" in r.name]
    assert groups == ["uc01_features"]


def test_the_pack_accepts_isolated_identities_and_flags_a_foreign_grant():
    assert violations(as_policy_resources(plan())) == []

    def widen(resources):
        grant = next(r for r in resources if r.name == "tenants-prod-uc01-features-uc01-features")
        grant.props["featureGroup"] = "uc02_features"

    messages = [m for m, _ in violations(as_policy_resources(plan(), widen))]
    assert any("reaches featureGroup uc02_features of uc02" in m for m in messages), messages


def test_each_identity_may_invoke_only_its_own_endpoints_with_a_predict_only_role():
    the_plan = plan()
    roles = {r.name: r for r in resources_of(the_plan, "gcp:projects/iAMCustomRole:IAMCustomRole", "use_cases")}
    assert sorted(roles) == [f"tenants-prod-uc0{i}-invoke" for i in range(1, COUNT + 1)]
    assert all(r.inputs["permissions"] == ["aiplatform.endpoints.predict"] for r in roles.values())
    endpoints = {r.urn: r for r in resources_of(the_plan, "gcp:vertex/aiEndpoint:AiEndpoint")}
    grants = resources_of(the_plan, "gcp:vertex/aiEndpointIamMember:AiEndpointIamMember", "use_cases")
    assert len(grants) == COUNT
    for grant in grants:
        use_case = grant.name.split("-")[2]
        assert grant.inputs["member"] == f"serviceAccount:uc-{use_case}-id@mlplat-offline-project.iam.gserviceaccount.com"
        assert grant.inputs["role"].startswith(f"tenants-prod-{use_case}-invoke")  # the role's name (offline: its physical name)
        served = [endpoints[u] for u in grant.dependencies if u in endpoints]
        assert [e.inputs["labels"]["use-case"] for e in served] == [use_case]
        assert grant.inputs["endpoint"].startswith("projects/mlplat-offline-project/locations/")
    # No project-wide Vertex grant for a use case: the role is bound on endpoints only.
    assert not [r for r in resources_of(the_plan, "gcp:projects/iAMMember:IAMMember", "use_cases")]


def test_the_pack_flags_an_endpoint_grant_on_another_use_cases_endpoint():
    def foreign(resources):
        grant = next(r for r in resources if r.name == "tenants-prod-uc01-invoke-uc01-api")
        other = next(r for r in resources if r.resource_type == "gcp:vertex/aiEndpoint:AiEndpoint"
                     and r.props["labels"]["use-case"] == "uc02")
        grant.dependencies = [other]

    messages = [m for m, _ in violations(as_policy_resources(plan(), foreign))]
    assert any("tenants-prod-uc01-invoke-uc01-api reaches endpoint" in m and "of uc02" in m for m in messages), messages
