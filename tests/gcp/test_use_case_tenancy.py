"""GCP use cases as customers: a billing budget per use case on its label, and one service account per
use case granted only its own prefix (IAM condition) and its own feature groups."""

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
