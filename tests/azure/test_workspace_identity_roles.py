"""The Azure workspace identity in the offline plans: everything encrypted through it waits for its key
grant, and both workspaces (platform and feature store) wait for the roles Microsoft lists for a
user-assigned workspace identity, none of them the broad Contributor."""

from __future__ import annotations

import pytest

from components.azure import roles
from tests.support.plans import named, reference_plan


WORKSPACE = "azure-native:machinelearningservices:Workspace"


ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"


def _grants(plan) -> dict[str, tuple[str, str]]:
    """{urn: (role definition id, scope)} of every role assignment in the plan."""
    return {
        r.urn: (r.inputs["roleDefinitionId"].rsplit("/", 1)[1], r.inputs["scope"])
        for r in plan.by_type(ROLE_ASSIGNMENT)
    }


def test_everything_encrypted_through_the_identity_waits_for_its_key_grant():
    plan = reference_plan("azure-prod")
    key_user = named(plan, "fraud-ml-prod-identity-key-user")
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
