"""Azure use cases as customers: a consumption budget per use case on its tag, a GPU-capped compute per
share, and one managed identity per use case whose role assignments name only its own resources."""

from __future__ import annotations

from policies.use_case_isolation import violations
from tests.support.plans import resources_of
from tests.support.tenancy import as_policy_resources, tenancy_plan

COUNT = 3
ASSIGNMENT = "azure-native:authorization:RoleAssignment"


def plan():
    return tenancy_plan(COUNT, "azure")


def test_one_budget_per_use_case_filtered_on_its_tag_with_its_recipients():
    budgets = {r.name: r.inputs for r in resources_of(plan(), "azure-native:consumption:Budget", "use_cases")}
    assert sorted(budgets) == [f"tenants-prod-uc0{i}-budget" for i in range(1, COUNT + 1)]
    uc01 = budgets["tenants-prod-uc01-budget"]
    assert uc01["filter"] == {"tags": {"name": "use-case", "operator": "In", "values": ["uc01"]}}
    assert uc01["amount"] == 2000.0
    assert {e for n in uc01["notifications"].values() for e in n["contactEmails"]} == {"uc01@example.com"}


def test_a_compute_per_gpu_share_capped_at_the_share():
    computes = {r.name: r.inputs for r in resources_of(plan(), "azure-native:machinelearningservices:Compute", "use_cases")}
    assert len(computes) == COUNT
    scale = computes["tenants-prod-uc02-training-compute"]["properties"]["properties"]["scaleSettings"]
    assert scale["minNodeCount"] == 0 and scale["maxNodeCount"] == 1  # one GPU of an 8-GPU shape: one node


def test_one_identity_per_use_case_assigned_only_on_its_own_resources():
    identities = resources_of(plan(), "azure-native:managedidentity:UserAssignedIdentity", "use_cases")
    assert len(identities) == COUNT
    scopes = {r.name: r.inputs for r in resources_of(plan(), ASSIGNMENT, "use_cases") if "-uc02-" in r.name}
    kinds = sorted(s["scope"].split("/")[-2] for s in scopes.values())
    assert kinds == ["computes", "containers", "containers", "featuresets", "models", "onlineEndpoints"]
    for assignment in scopes.values():
        scope = assignment["scope"]
        assert "uc01" not in scope and "uc03" not in scope
        if "/containers/" in scope:
            assert "StringStartsWith 'use-cases/uc02/'" in assignment["condition"]
            assert assignment["conditionVersion"] == "2.0"
        else:
            assert scope.split("/")[-1].startswith(("uc02", "tenants-prod-uc02"))


def test_the_pack_accepts_isolated_identities_and_flags_a_foreign_scope():
    assert violations(as_policy_resources(plan())) == []

    def widen(resources):
        assignment = next(r for r in resources if r.name == "tenants-prod-uc02-endpoint-uc02-api")
        assignment.props["scope"] = assignment.props["scope"].replace("uc02-api", "uc01-api")
        container = next(r for r in resources if r.name == "tenants-prod-uc02-data-prefix")
        container.props["condition"] = ""

    messages = [m for m, _ in violations(as_policy_resources(plan(), widen))]
    assert any("reaches onlineEndpoints tenants-prod-uc01-api of uc01" in m for m in messages), messages
    assert any("reaches container data beyond its path use-cases/uc02/" in m for m in messages)


def test_a_long_use_case_name_still_gives_a_compute_name_azure_accepts(tmp_path):
    from mlplat.tenancy.sample import many_use_cases_spec
    from tests.support.plans import plan_of_spec

    raw = many_use_cases_spec(1, "azure")
    long_name = "fraud-scoring-europe"
    raw["use_cases"][0]["name"] = long_name
    for item in (*raw["feature_store"]["feature_groups"], *raw["endpoints"]):
        item["use_case"] = long_name
    plan = plan_of_spec(tmp_path, raw, name="Pulumi.azure-prod")
    names = [r.inputs["computeName"] for r in resources_of(plan, "azure-native:machinelearningservices:Compute")]
    assert names and all(2 <= len(name) <= 16 for name in names)
