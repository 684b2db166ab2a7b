"""The offline plan of an Azure stack as an ARM template (checkov's `arm` framework).

azure-native is generated from the ARM REST specs, so each resource maps 1:1 onto an ARM resource: the
type token names the resource provider and type (`azure-native:storage:StorageAccount` ->
`Microsoft.Storage/storageAccounts`), the SDK states the REST API version it uses ("Uses Azure REST API
version ..." in each class's docstring, read here from the installed SDK), and the inputs are the ARM
body with `properties` flattened into the top level and the URL path parameters (`resourceGroupName`,
`accountName`...) added. This module re-nests them and undoes the few properties the SDK renamed
(`networkRuleSet` -> `networkAcls`), from the curated table below: the SDK carries no ARM metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .skips import skip_comments


@dataclass(frozen=True)
class ArmType:
    type: str  # the ARM resource type
    names: tuple[str, ...]  # the path parameters that make the ARM name, parent first
    renamed: dict = field(default_factory=dict)  # SDK input name -> ARM property name
    fixed: tuple[str, ...] = ()  # fixed path segments after the parent names (e.g. `default` blob service)
    scoped: bool = False  # an extension resource: its `scope` path parameter is not part of the body


# Only the types mlplat creates; an unlisted azure-native type is left out of the template and reported as
# not translated (never silently dropped).
ARM_TYPES = {
    "azure-native:storage:StorageAccount": ArmType(
        "Microsoft.Storage/storageAccounts", ("accountName",),
        {"networkRuleSet": "networkAcls", "enableHttpsTrafficOnly": "supportsHttpsTrafficOnly"}),
    "azure-native:storage:BlobContainer": ArmType(
        "Microsoft.Storage/storageAccounts/blobServices/containers", ("accountName", "containerName"),
        fixed=("default",)),
    "azure-native:keyvault:Vault": ArmType("Microsoft.KeyVault/vaults", ("vaultName",)),
    "azure-native:keyvault:Key": ArmType("Microsoft.KeyVault/vaults/keys", ("vaultName", "keyName")),
    "azure-native:containerregistry:Registry": ArmType("Microsoft.ContainerRegistry/registries", ("registryName",)),
    "azure-native:search:Service": ArmType("Microsoft.Search/searchServices", ("searchServiceName",)),
    "azure-native:redis:Redis": ArmType("Microsoft.Cache/redis", ("name",)),
    "azure-native:machinelearningservices:Workspace": ArmType(
        "Microsoft.MachineLearningServices/workspaces", ("workspaceName",)),
    "azure-native:machinelearningservices:Compute": ArmType(
        "Microsoft.MachineLearningServices/workspaces/computes", ("workspaceName", "computeName")),
    "azure-native:machinelearningservices:OnlineEndpoint": ArmType(
        "Microsoft.MachineLearningServices/workspaces/onlineEndpoints", ("workspaceName", "endpointName"),
        {"onlineEndpointProperties": "properties"}),
    "azure-native:machinelearningservices:OnlineDeployment": ArmType(
        "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
        ("workspaceName", "endpointName", "deploymentName"), {"onlineDeploymentProperties": "properties"}),
    "azure-native:applicationinsights:Component": ArmType("Microsoft.Insights/components", ("resourceName",)),
    "azure-native:operationalinsights:Workspace": ArmType(
        "Microsoft.OperationalInsights/workspaces", ("workspaceName",)),
    "azure-native:network:VirtualNetwork": ArmType("Microsoft.Network/virtualNetworks", ("virtualNetworkName",)),
    "azure-native:network:Subnet": ArmType(
        "Microsoft.Network/virtualNetworks/subnets", ("virtualNetworkName", "subnetName")),
    "azure-native:network:PrivateEndpoint": ArmType("Microsoft.Network/privateEndpoints", ("privateEndpointName",)),
    # Custom roles (a use case's own): checkov's CKV_AZURE_39 reads their actions and assignable scopes.
    "azure-native:authorization:RoleDefinition": ArmType(
        "Microsoft.Authorization/roleDefinitions", ("roleDefinitionId",), scoped=True),
    "azure-native:cognitiveservices:Account": ArmType("Microsoft.CognitiveServices/accounts", ("accountName",)),
    "azure-native:cognitiveservices:Deployment": ArmType(
        "Microsoft.CognitiveServices/accounts/deployments", ("accountName", "deploymentName")),
    "azure-native:cognitiveservices:RaiPolicy": ArmType(
        "Microsoft.CognitiveServices/accounts/raiPolicies", ("accountName", "raiPolicyName")),
    "azure-native:managedidentity:UserAssignedIdentity": ArmType(
        "Microsoft.ManagedIdentity/userAssignedIdentities", ("resourceName",)),
}
# Top-level members of an ARM resource; every other input belongs in `properties`.
TOP_LEVEL = {"location", "tags", "sku", "kind", "identity", "zones", "extendedLocation", "plan", "managedBy"}
PATH_ONLY = {"resourceGroupName"}


@lru_cache(maxsize=None)
def api_version(token: str) -> str:
    """The REST API version the installed azure-native SDK uses for `token` (its class docstring)."""
    import importlib.util

    _, module, kind = token.split(":")
    spec = importlib.util.find_spec(f"pulumi_azure_native.{module}")
    if spec is None or not spec.submodule_search_locations:
        return ""
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", kind).lower()
    source = Path(list(spec.submodule_search_locations)[0]) / f"{snake}.py"
    try:
        match = re.search(r"Uses Azure REST API version ([0-9a-z-]+)", source.read_text())
    except OSError:
        return ""
    return match.group(1) if match else ""


def arm_resource(resource) -> dict | None:
    """One plan resource as an ARM template resource, None for a type not in ARM_TYPES."""
    arm = ARM_TYPES.get(resource.type)
    if arm is None:
        return None
    inputs = dict(resource.inputs or {})
    path = [str(inputs.pop(key, "")) or resource.name for key in arm.names]
    name = "/".join(path[:1] + list(arm.fixed) + path[1:]) if arm.fixed else "/".join(path)
    body: dict = {"type": arm.type, "apiVersion": api_version(resource.type), "name": name}
    properties: dict = {}
    for key, value in inputs.items():
        if key in PATH_ONLY or value is None or (arm.scoped and key == "scope"):
            continue
        key = arm.renamed.get(key, key)
        if key == "properties" and isinstance(value, dict):
            properties.update(value)
        elif key in TOP_LEVEL:
            body[key] = _identity(value) if key == "identity" else value
        else:
            properties[key] = value
    if properties:
        body["properties"] = properties
    return _whole_numbers(body)


def _whole_numbers(value):
    """Whole floats as ints: the engine's numbers are floats, and ARM checks test `isinstance(x, int)`
    (CKV_AZURE_208/209 read `replicaCount` 2.0 as unknown and evaluated nothing)."""
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _identity(value):
    """azure-native takes user-assigned identities as a list of ids; ARM as a map id -> {}."""
    if isinstance(value, dict) and isinstance(value.get("userAssignedIdentities"), list):
        return {**value, "userAssignedIdentities": {i: {} for i in value["userAssignedIdentities"]}}
    return value


def to_arm_template(plan, skips=()) -> tuple[dict, dict[str, object]]:
    """The plan as an ARM deployment template and each ARM resource's `<type>.<name>` -> plan resource.
    `skips` become checkov skip comments in each resource's `metadata.checkov`."""
    resources, by_address = [], {}
    for r in plan.custom_resources():
        body = arm_resource(r)
        if body is None:
            continue
        comments = skip_comments(skips, r)
        if comments:
            body["metadata"] = {"checkov": [f"checkov:skip={check}:{reason}" for check, reason in comments]}
        resources.append(body)
        by_address[f"{body['type']}.{body['name']}"] = r
    template = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                "contentVersion": "1.0.0.0", "resources": resources}
    return template, by_address


def untranslated_types(plan) -> list[str]:
    return sorted({r.type for r in plan.custom_resources()
                   if r.type.startswith("azure-native:") and r.type not in ARM_TYPES})
