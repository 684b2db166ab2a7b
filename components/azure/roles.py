"""Built-in Azure role definition ids (same in every subscription) and a role assignment helper."""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure

CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"  # broad: refused by the policy pack, never assigned
# The resource-type contributor roles: on one resource they grant that resource type's control-plane
# actions (what Contributor grants there) without Contributor's `*`.
STORAGE_ACCOUNT_CONTRIBUTOR = "17d1049b-9a84-46fb-8f53-869881c3d3ab"
KEY_VAULT_CONTRIBUTOR = "f25e0fa2-a7c8-4377-a976-54943a77a395"
CONTAINER_REGISTRY_CONTRIBUTOR = "3bc748fc-213d-45c1-8d91-9da5725539b9"  # "... and Data Access Configuration Administrator"
APPLICATION_INSIGHTS_COMPONENT_CONTRIBUTOR = "ae349356-3a1b-4a5e-921d-050484c6347e"
ACR_PUSH = "8311e382-0749-4cb8-b61a-304f252e45ec"
KEY_VAULT_ADMINISTRATOR = "00482a5a-887f-4fb3-b363-3b7fe8e74483"
KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"
STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
# Workspace actions except compute and workspace management (jobs, runs, endpoints, datastores).
AZUREML_DATA_SCIENTIST = "f6c7c914-8db3-469d-8ca1-694a8f32e121"
# Read a resource; on an Azure ML registry: list it and use its assets (learn.microsoft.com,
# "Manage access to an Azure Machine Learning registry").
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
# All actions on an Azure ML registry's assets (publish, read, delete) and get the registry.
AZUREML_REGISTRY_USER = "1823dd4f-9b8c-4ab6-ab4e-7397a3684615"
SEARCH_INDEX_DATA_CONTRIBUTOR = "8ebe5a00-799e-43f5-93ac-243d3dce84a7"


def assign(
    name: str, subscription_id, principal_id, role: str, scope, parent: pulumi.Resource, condition: str | None = None,
    role_definition_id=None, depends_on: list | None = None,
) -> azure.authorization.RoleAssignment:
    """A role assignment for a service principal (managed identity). Callers that need the grant in
    place before another resource uses it pass the returned assignment in that resource's depends_on.
    Azure RBAC can take a few minutes to propagate after the assignment exists (docs/operations.md)."""
    return azure.authorization.RoleAssignment(
        name,
        principal_id=principal_id,
        principal_type="ServicePrincipal",
        role_definition_id=role_definition_id or pulumi.Output.concat(
            "/subscriptions/", subscription_id, "/providers/Microsoft.Authorization/roleDefinitions/", role
        ),
        scope=scope,
        # An ABAC condition narrows the grant (a storage path prefix); Azure's condition language 2.0.
        **({"condition": condition, "condition_version": "2.0"} if condition else {}),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=depends_on),
    )
COGNITIVE_SERVICES_OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
