"""Azure base layer, feature store and budget in the offline plans: the identity's grants are in place
before anything uses them, the online store is reachable with Entra ID, asset versions follow the
schema, Key Vault names come back after a dev destroy, private workspaces get every endpoint and DNS
zone they need, workspace names fit Azure's limit, the budget starts in the current month."""

from __future__ import annotations

import copy
import datetime
import re
from pathlib import Path

import pytest
import yaml

from mlplat.offline_plan import plan_file
from components.azure import roles
from tests.support.plans import STACKS_DIR, reference_plan

WORKSPACE = "azure-native:machinelearningservices:Workspace"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
WORKSPACE_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$")


def _raw(stack: str) -> dict:
    return copy.deepcopy(yaml.safe_load((STACKS_DIR / f"Pulumi.{stack}.yaml").read_text())["config"]["mlplat:platform"])


def _plan(tmp_path: Path, raw: dict, name: str = "spec"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return plan_file(path, "azure", stack="azure-fixes")


def _by_name(plan, name: str):
    (found,) = [r for r in plan.resources if r.name == name]
    return found


def _grants(plan) -> dict[str, tuple[str, str]]:
    """{urn: (role definition id, scope)} of every role assignment in the plan."""
    return {
        r.urn: (r.inputs["roleDefinitionId"].rsplit("/", 1)[1], r.inputs["scope"])
        for r in plan.by_type(ROLE_ASSIGNMENT)
    }


# -- R1: the identity's key grant precedes everything the key encrypts through it ----------------------------

def test_everything_encrypted_through_the_identity_waits_for_its_key_grant():
    plan = reference_plan("azure-prod")
    key_user = _by_name(plan, "fraud-ml-prod-identity-key-user")
    assert key_user.inputs["roleDefinitionId"].endswith(roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER)
    waiting = [
        *plan.by_type("azure-native:storage:StorageAccount"),
        *plan.by_type("azure-native:containerregistry:Registry"),
        *plan.by_type(WORKSPACE),
    ]
    assert len(waiting) == 5  # storage, base ACR, serving ACR, platform workspace, feature store
    for resource in waiting:
        assert key_user.urn in resource.dependencies, resource.name


def test_without_customer_managed_keys_there_is_no_key_grant_to_wait_for():
    plan = reference_plan("azure-dev")
    assert not [r for r in plan.by_type(ROLE_ASSIGNMENT) if r.name.endswith("identity-key-user")]


# -- R2: the workspace identity's documented roles, granted before both workspaces ----------------------------

@pytest.mark.parametrize("stack", ["azure-dev", "azure-prod"])
def test_both_workspaces_wait_for_the_roles_microsoft_lists_for_a_user_assigned_identity(stack):
    plan = reference_plan(stack)
    base = [r for r in plan.by_capability("base")]
    (acr,) = [r for r in base if r.type == "azure-native:containerregistry:Registry"]
    (vault,) = [r for r in base if r.type == "azure-native:keyvault:Vault"]
    (account,) = [r for r in base if r.type == "azure-native:storage:StorageAccount"]
    # The mocks build ARM ids from the physical names: a scope names its target.
    targets = {
        "storage": f"/storageAccounts/{account.inputs['accountName']}",
        "vault": f"/vaults/{vault.inputs['vaultName']}",
        "acr": f"/registrys/{acr.inputs['registryName']}",
        "insights": "/Microsoft.Applicationinsights/components/",
    }
    required = {
        (roles.STORAGE_ACCOUNT_CONTRIBUTOR, "storage"),
        (roles.STORAGE_BLOB_DATA_CONTRIBUTOR, "storage"),
        (roles.KEY_VAULT_CONTRIBUTOR, "vault"),
        (roles.KEY_VAULT_ADMINISTRATOR, "vault"),
        (roles.CONTAINER_REGISTRY_CONTRIBUTOR, "acr"),
        (roles.ACR_PUSH, "acr"),
        (roles.APPLICATION_INSIGHTS_COMPONENT_CONTRIBUTOR, "insights"),
    }
    grants = _grants(plan)
    assert all(role != roles.CONTRIBUTOR for role, _ in grants.values())  # broad: refused by the policy pack
    workspaces = plan.by_type(WORKSPACE)
    assert {w.inputs["kind"] for w in workspaces} == {"Default", "FeatureStore"}
    for workspace in workspaces:
        awaited = {
            (grants[urn][0], target)
            for urn in workspace.dependencies
            if urn in grants
            for target, marker in targets.items()
            if grants[urn][1].endswith(marker) or (target == "insights" and marker in grants[urn][1])
        }
        assert required <= awaited, (workspace.name, required - awaited)


# -- R4: Entra ID data access to the online store --------------------------------------------------------------

def test_online_store_grants_the_identity_a_redis_data_access_policy():
    plan = reference_plan("azure-prod")
    (redis,) = plan.by_type("azure-native:redis:Redis")
    assert redis.inputs["disableAccessKeyAuthentication"] is True
    (assignment,) = plan.by_type("azure-native:redis:AccessPolicyAssignment")
    assert assignment.inputs["accessPolicyName"] in {"Data Contributor", "Data Owner"}
    assert assignment.inputs["cacheName"] == redis.inputs["name"]
    identity_grant = _by_name(plan, "fraud-ml-prod-identity-feature-redis")
    assert assignment.inputs["objectId"] == identity_grant.inputs["principalId"]
    assert assignment.parent == redis.urn


def test_offline_only_feature_store_has_no_redis_access_policy():
    assert reference_plan("azure-dev").by_type("azure-native:redis:AccessPolicyAssignment") == []


# -- R10: asset versions follow the schema -----------------------------------------------------------------------

def _feature_versions(plan) -> dict[str, str]:
    return {
        r.inputs["name"]: r.inputs["version"]
        for r in plan.by_type("azure-native:machinelearningservices:FeaturesetVersion")
    }


def test_a_feature_change_registers_a_new_feature_set_version_and_keeps_the_urn(tmp_path):
    raw = _raw("azure-prod")
    raw["feature_store"]["feature_groups"].append(
        {"name": "merchants", "entity": "merchant_id", "event_time": "event_ts", "features": {"chargeback_rate": "float"}}
    )
    before = _plan(tmp_path, raw, "before")
    changed = copy.deepcopy(raw)
    changed["feature_store"]["feature_groups"][0]["features"]["amount_90d"] = "float"
    after = _plan(tmp_path, changed, "after")
    old, new = _feature_versions(before), _feature_versions(after)
    assert old["transactions"] != new["transactions"]
    assert old["merchants"] == new["merchants"]  # an unchanged group keeps its version
    urns = lambda plan: {r.urn for r in plan.by_type("azure-native:machinelearningservices:FeaturesetVersion")}  # noqa: E731
    assert urns(before) == urns(after)
    # The same plan twice gives the same versions (deterministic).
    assert _feature_versions(_plan(tmp_path, changed, "again")) == new
    # Each version reads its own specification folder, and the stack output names it.
    for resource in after.by_type("azure-native:machinelearningservices:FeaturesetVersion"):
        version = resource.inputs["version"]
        assert resource.inputs["properties"]["specification"]["path"].endswith(f"/{resource.inputs['name']}/{version}/")
        assert resource.protect is False


def test_asset_versions_are_retained_not_deleted_and_alias_the_fixed_version_one(monkeypatch):
    from mlplat.offline_plan import recorder

    seen: dict[str, tuple[bool, list[str]]] = {}
    original = recorder.RecordingMonitor.RegisterResource

    def register(self, request):
        seen[request.name] = (bool(request.retainOnDelete), [str(a.name) if hasattr(a, "name") else str(a) for a in request.aliases])
        return original(self, request)

    monkeypatch.setattr(recorder.RecordingMonitor, "RegisterResource", register)
    from mlplat.offline_plan import plan_stack

    plan_stack("azure-prod", STACKS_DIR)
    for name, legacy in (
        ("fraud-ml-prod-featureset-transactions-version", "fraud-ml-prod-featureset-transactions-1"),
        ("fraud-ml-prod-entity-account-id-version", "fraud-ml-prod-entity-account-id-1"),
    ):
        retain, aliases = seen[name]
        assert retain, name
        assert any(legacy in alias for alias in aliases), (name, aliases)


# -- R11: Key Vault names come back after a dev destroy -------------------------------------------------------

def _vault(plan):
    (vault,) = plan.by_type("azure-native:keyvault:Vault")
    return vault.inputs["properties"]


def test_dev_vault_keeps_deleted_names_for_seven_days_without_purge_protection():
    properties = _vault(reference_plan("azure-dev"))
    assert properties["softDeleteRetentionInDays"] == 7
    assert not properties.get("enablePurgeProtection")


def test_prod_vault_keeps_90_days_with_purge_protection():
    properties = _vault(reference_plan("azure-prod"))
    assert properties["softDeleteRetentionInDays"] == 90
    assert properties["enablePurgeProtection"] is True


def test_an_existing_vault_keeps_its_retention(monkeypatch):
    from mlplat.offline_plan import plan_stack

    seen = _registrations(monkeypatch, lambda: plan_stack("azure-dev", STACKS_DIR))
    (vault,) = [r for r in seen.values() if r.type == "azure-native:keyvault:Vault"]
    assert list(vault.ignoreChanges) == ["properties.softDeleteRetentionInDays"]


def test_customer_managed_keys_turn_purge_protection_on_in_dev_too(tmp_path):
    raw = _raw("azure-dev")
    raw["encryption"] = {"customer_managed_keys": True}
    properties = _vault(_plan(tmp_path, raw))
    assert properties["enablePurgeProtection"] is True and properties["softDeleteRetentionInDays"] == 7


# -- R15: a private workspace gets every endpoint and DNS zone it needs ------------------------------------------

def test_private_platform_has_file_queue_table_endpoints_and_the_notebooks_zone():
    plan = reference_plan("azure-prod")
    groups = {
        r.inputs["privateLinkServiceConnections"][0]["groupIds"][0]
        for r in plan.by_type("azure-native:network:PrivateEndpoint")
    }
    assert {"blob", "dfs", "file", "queue", "table", "vault", "registry", "amlworkspace"} <= groups
    zones = {r.inputs["privateZoneName"] for r in plan.by_type("azure-native:privatedns:PrivateZone")}
    assert {"privatelink.file.core.windows.net", "privatelink.queue.core.windows.net",
            "privatelink.table.core.windows.net", "privatelink.notebooks.azure.net"} <= zones
    workspace_groups = [
        r for r in plan.by_type("azure-native:network:PrivateDnsZoneGroup")
        if r.name in ("fraud-ml-prod-pe-amlworkspace-dns", "fraud-ml-prod-pe-feature-store-dns")
    ]
    assert len(workspace_groups) == 2
    for group in workspace_groups:
        configured = {c["privateDnsZoneId"].rsplit("/", 1)[1] for c in group.inputs["privateDnsZoneConfigs"]}
        assert configured == {"privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"}, group.name
        assert len({c["name"] for c in group.inputs["privateDnsZoneConfigs"]}) == 2


def test_public_platform_has_no_private_endpoints():
    assert reference_plan("azure-dev").by_type("azure-native:network:PrivateEndpoint") == []


# -- R16: workspace names fit Azure's pattern; logical names do not move -----------------------------------------

def test_long_platform_names_give_valid_workspace_names_and_unchanged_urns(tmp_path):
    raw = _raw("azure-dev")
    raw["name"] = "fraud-detection-platform"  # 24 characters, the longest the spec allows
    raw["environment"] = "staging"
    plan = _plan(tmp_path, raw)
    workspaces = {r.name: r.inputs["workspaceName"] for r in plan.by_type(WORKSPACE)}
    assert set(workspaces) == {"fraud-detection-platform-staging-mlw", "fraud-detection-platform-staging-feature-store"}
    for physical in workspaces.values():
        assert WORKSPACE_NAME.match(physical), physical
    assert len(set(workspaces.values())) == 2


def test_short_platform_names_keep_their_workspace_names():
    plan = reference_plan("azure-prod")
    assert {r.inputs["workspaceName"] for r in plan.by_type(WORKSPACE)} == {"fraud-ml-prod-mlw", "fraud-ml-prod-fs"}


# -- endpoints: traffic after the deployments, autoscaled capacity kept, GPU metric, private no-code ----------

DYNAMIC = "pulumi-python:dynamic:Resource"


def _registrations(monkeypatch, run):
    """{logical name: RegisterResource request} of everything `run()` plans (options the plan omits)."""
    from mlplat.offline_plan import recorder

    seen = {}
    original = recorder.RecordingMonitor.RegisterResource

    def register(self, request):
        seen[request.name] = request
        return original(self, request)

    monkeypatch.setattr(recorder.RecordingMonitor, "RegisterResource", register)
    run()
    return seen


@pytest.mark.parametrize("stack", ["azure-dev", "azure-prod"])
def test_endpoint_is_created_without_traffic_and_the_split_follows_the_deployments(stack):
    plan = reference_plan(stack)
    (endpoint,) = plan.by_type("azure-native:machinelearningservices:OnlineEndpoint")
    assert "traffic" not in endpoint.inputs["properties"]
    deployments = plan.by_type("azure-native:machinelearningservices:OnlineDeployment")
    (setter,) = [r for r in plan.by_capability("endpoints") if r.type == DYNAMIC]
    assert {d.urn for d in deployments} <= set(setter.dependencies)
    assert setter.parent == endpoint.urn
    assert setter.inputs["traffic"] == {"stable": 90, "canary": 10}
    assert setter.inputs["endpoint"] == endpoint.inputs["endpointName"]
    assert setter.inputs["workspace"] == endpoint.inputs["workspaceName"]
    assert setter.inputs["resource_group"] == endpoint.inputs["resourceGroupName"]


def test_deployment_updates_leave_the_autoscaled_capacity_alone(monkeypatch):
    from mlplat.offline_plan import plan_stack

    seen = _registrations(monkeypatch, lambda: plan_stack("azure-prod", STACKS_DIR))
    deployments = [r for r in seen.values() if r.type == "azure-native:machinelearningservices:OnlineDeployment"]
    assert len(deployments) == 2
    for request in deployments:
        assert list(request.ignoreChanges) == ["sku.capacity"], request.name


def test_the_endpoint_leaves_its_traffic_to_the_traffic_split(monkeypatch):
    """After `pulumi refresh` azure-native copies the live traffic into the endpoint's inputs; the
    endpoint must not PUT itself without it on the next `up`."""
    from mlplat.offline_plan import plan_stack

    seen = _registrations(monkeypatch, lambda: plan_stack("azure-prod", STACKS_DIR))
    (endpoint,) = [r for r in seen.values() if r.type == "azure-native:machinelearningservices:OnlineEndpoint"]
    assert set(endpoint.ignoreChanges) == {"properties.traffic", "properties.mirrorTraffic"}


def test_the_split_is_reapplied_when_the_endpoint_moves_region(tmp_path):
    def revision(raw):
        (setter,) = [r for r in _plan(tmp_path, raw).by_capability("endpoints") if r.type == DYNAMIC]
        return setter.inputs["endpoint_revision"]

    raw = _raw("azure-dev")
    before = revision(raw)
    assert revision(raw) == before  # a fingerprint, not a timestamp
    raw["region"] = "westeurope" if raw["region"] != "westeurope" else "northeurope"
    assert revision(raw) != before


def test_gpu_endpoints_autoscale_on_gpu_utilisation(tmp_path):
    raw = _raw("azure-dev")
    raw["endpoints"][0]["compute"] = "t4"
    raw["endpoints"][0]["model"] = {"image": "example.azurecr.io/fraud:1"}
    plan = _plan(tmp_path, raw)
    metrics = {
        rule["metricTrigger"]["metricName"]
        for setting in plan.by_type("azure-native:monitor:AutoscaleSetting")
        for rule in setting.inputs["profiles"][0]["rules"]
    }
    assert metrics == {"GpuUtilizationPercentage"}
    cpu = reference_plan("azure-dev")
    assert {
        rule["metricTrigger"]["metricName"]
        for setting in cpu.by_type("azure-native:monitor:AutoscaleSetting")
        for rule in setting.inputs["profiles"][0]["rules"]
    } == {"CpuUtilizationPercentage"}


def test_private_no_code_mlflow_deployments_are_flagged_and_an_image_clears_it(tmp_path):
    flagged = reference_plan("azure-prod").outputs["endpoints"]["fraud-scorer"]["dependency_install"]
    assert set(flagged) == {"stable", "canary"} and all("model.image" in v for v in flagged.values())
    assert reference_plan("azure-dev").outputs["endpoints"]["fraud-scorer"]["dependency_install"] is None
    raw = _raw("azure-prod")
    raw["endpoints"][0]["model"] = {"image": "example.azurecr.io/fraud:1"}
    cleared = _plan(tmp_path, raw).outputs["endpoints"]["fraud-scorer"]["dependency_install"]
    assert cleared is None


# -- F5: the budget starts in the current month and never moves -----------------------------------------------

def test_budget_starts_on_the_first_of_the_current_month_and_ignores_later_months(monkeypatch):
    from mlplat.offline_plan import plan_stack

    plans = []
    seen = _registrations(monkeypatch, lambda: plans.append(plan_stack("azure-dev", STACKS_DIR)))
    (budget,) = plans[0].by_type("azure-native:consumption:Budget")
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert budget.inputs["timePeriod"]["startDate"] == f"{today:%Y-%m}-01T00:00:00Z"
    assert list(seen[budget.name].ignoreChanges) == ["timePeriod"]


def test_budget_start_is_the_first_of_the_given_month():
    from components.azure.budget import budget_start

    assert budget_start(datetime.date(2031, 2, 28)) == "2031-02-01T00:00:00Z"
