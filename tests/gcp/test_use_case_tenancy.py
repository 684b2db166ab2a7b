"""GCP use cases as customers: a billing budget per use case on its label, and one service account per
use case granted only its own prefix (IAM condition), its own feature groups and prediction on its own
endpoints; GPU shares as a namespace per use case with a GPU ResourceQuota on the GKE training cluster."""

from __future__ import annotations

import json

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


def test_gpu_shares_are_a_namespace_per_use_case_with_a_gpu_quota_on_the_training_cluster():
    the_plan = plan()
    (provider,) = [r for r in the_plan.resources if r.type == "pulumi:providers:kubernetes"]
    user = json.loads(provider.inputs["kubeconfig"])["users"][0]["user"]
    assert user["exec"]["command"] == "gke-gcloud-auth-plugin"  # no static credential in the stack
    (cluster,) = resources_of(the_plan, "gcp:container/cluster:Cluster", "training")
    assert cluster.urn in provider.dependencies
    namespaces = {r.inputs["metadata"]["name"]: r for r in resources_of(the_plan, "kubernetes:core/v1:Namespace")}
    assert sorted(namespaces) == ["uc-uc01", "uc-uc02", "uc-uc03"]
    quotas = resources_of(the_plan, "kubernetes:core/v1:ResourceQuota", "training")
    assert sorted((q.inputs["metadata"]["namespace"], q.inputs["spec"]["hard"]) for q in quotas) == [
        (f"uc-uc0{i}", {"requests.nvidia.com/gpu": "1"}) for i in range(1, COUNT + 1)]  # max_gpus: 1 each
    for quota in quotas:
        assert quota.options.get("provider", "").startswith(provider.urn)
    accounts = {r.inputs["metadata"]["namespace"]: r.inputs["metadata"]["annotations"]
                for r in resources_of(the_plan, "kubernetes:core/v1:ServiceAccount")}
    assert accounts["uc-uc02"] == {"iam.gke.io/gcp-service-account": "uc-uc02-id@mlplat-offline-project.iam.gserviceaccount.com"}
    bindings = resources_of(the_plan, "gcp:serviceaccount/iAMMember:IAMMember", "use_cases")
    assert sorted(b.inputs["member"] for b in bindings) == [
        f"serviceAccount:mlplat-offline-project.svc.id.goog[uc-uc0{i}/training]" for i in range(1, COUNT + 1)]
    assert {b.inputs["role"] for b in bindings} == {"roles/iam.workloadIdentityUser"}
    assert {o["gpu_share"] for o in the_plan.outputs["use_cases"].values()} == {"uc-uc01", "uc-uc02", "uc-uc03"}


def test_a_weight_share_becomes_its_gpus_of_the_capacity(tmp_path):
    from mlplat.tenancy.sample import many_use_cases_spec
    from tests.support.plans import plan_of_spec

    spec = many_use_cases_spec(2, "gcp")
    spec["training"]["max_nodes"] = 2  # 16 GPUs
    spec["use_cases"][0]["gpu_share"] = {"weight": 0.25}
    spec["use_cases"][1]["gpu_share"] = {"max_gpus": 12}
    the_plan = plan_of_spec(tmp_path, spec, name="Pulumi.gcp-prod")
    hard = {q.inputs["metadata"]["namespace"]: q.inputs["spec"]["hard"]["requests.nvidia.com/gpu"]
            for q in resources_of(the_plan, "kubernetes:core/v1:ResourceQuota")}
    assert hard == {"uc-uc01": "4", "uc-uc02": "12"}


def test_the_pack_flags_workload_identity_from_another_use_cases_namespace():
    def foreign(resources):
        binding = next(r for r in resources if r.name == "tenants-prod-uc01-workload-identity")
        binding.props["member"] = "serviceAccount:mlplat-offline-project.svc.id.goog[uc-uc02/training]"

    messages = [m for m, _ in violations(as_policy_resources(plan(), foreign))]
    assert any("tenants-prod-uc01-workload-identity lets" in m and "uc-uc02" in m for m in messages), messages
