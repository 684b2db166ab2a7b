"""The checkov checks the pack mirrors on Azure types (see mirrors.py). Inputs are azure-native's (ARM
`properties` flattened, a few renamed); each test reads what the ARM check reads."""

from __future__ import annotations

import ipaddress

from . import Subject
from .mirrors import MISSING, at_least, covered, equals, is_true, mirror, not_false, not_true, one_of, present, require
from .props import get, lower, plain, plain_list

REGISTRY = "azure-native:containerregistry:Registry"
VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
STORAGE = "azure-native:storage:StorageAccount"
WORKSPACE = "azure-native:machinelearningservices:Workspace"
SEARCH = "azure-native:search:Service"
VNET = "azure-native:network:VirtualNetwork"
OPENAI = "azure-native:cognitiveservices:Account"
ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
DISABLED = lambda v: lower(v) == "disabled"  # noqa: E731 - a comparison, named for the table


def _dns_servers(s: Subject) -> list:
    return [d for d in plain_list(s.props, "dhcpOptions.dnsServers") if isinstance(d, str)]


def _single_dns(s: Subject):
    if len(_dns_servers(s)) == 1:
        yield "VNet has a single custom DNS server (a single point of failure)."


def _external_dns(s: Subject):
    prefixes = []
    for prefix in plain_list(s.props, "addressSpace.addressPrefixes"):
        try:
            prefixes.append(ipaddress.ip_network(prefix))
        except (TypeError, ValueError):
            continue
    for server in _dns_servers(s):
        try:
            address = ipaddress.ip_address(server)
        except ValueError:
            continue
        if not any(address in net for net in prefixes):
            yield f"VNet uses the DNS server {server} outside its own address space."


def _private_endpoint_rule(s: Subject):
    rules = plain(get(s.props, "managedNetwork.outboundRules"))
    if not (isinstance(rules, dict) and any(isinstance(r, dict) and r.get("type") == "PrivateEndpoint"
                                            for r in rules.values())):
        yield "ML workspace managed network has no private-endpoint outbound rule."


def _vault_recoverable(s: Subject):
    if get(s.props, "properties.enableSoftDelete") is False or get(s.props, "properties.enablePurgeProtection") is not True:
        yield "Key Vault is not recoverable (soft delete and purge protection)."


def _trusted_services(s: Subject):
    if lower(get(s.props, "networkRuleSet.defaultAction")) == "deny" and "azureservices" not in lower(
            get(s.props, "networkRuleSet.bypass")):
        yield "storage firewall does not let trusted Azure services through."


MIRRORS = (
    # -- data protection --------------------------------------------------------------------------------------
    mirror("CKV_AZURE_233", "data_protection", REGISTRY,
           equals("zoneRedundancy", "Enabled", "container registry is not zone redundant.")),
    mirror("CKV_AZURE_163", "data_protection", REGISTRY,
           one_of("sku.name", ("Standard", "Premium"), "container registry tier has no image scanning (Basic).")),
    mirror("CKV_AZURE_110", "data_protection", VAULT,
           is_true("properties.enablePurgeProtection", "Key Vault purge protection is off.")),
    mirror("CKV_AZURE_111", "data_protection", VAULT,
           not_false("properties.enableSoftDelete", "Key Vault soft delete is off.")),
    mirror("CKV_AZURE_42", "data_protection", VAULT, _vault_recoverable),
    mirror("CKV_AZURE_112", "data_protection", KEY,
           one_of("properties.kty", ("RSA-HSM", "EC-HSM"), "Key Vault key is not HSM-backed.")),
    mirror("CKV_AZURE_40", "data_protection", KEY,
           require("properties.rotationPolicy.attributes.expiryTime", bool, "Key Vault key never expires.",
                   example=("P2Y", MISSING))),
    mirror("CKV_AZURE_208", "data_protection", SEARCH,
           at_least("replicaCount", 3, "AI Search has fewer than 3 replicas (no SLA for index updates).")),
    mirror("CKV_AZURE_209", "data_protection", SEARCH,
           at_least("replicaCount", 2, "AI Search has fewer than 2 replicas (no SLA for queries).")),
    # -- network restrictions ---------------------------------------------------------------------------------
    mirror("CKV_AZURE_89", "network_rules", "azure-native:redis:Redis",
           require("publicNetworkAccess", DISABLED, "Redis cache allows public network access.",
                   example=("Disabled", "Enabled"))),
    mirror("CKV_AZURE_189", "network_rules", VAULT,
           require("properties.publicNetworkAccess", DISABLED, "Key Vault allows public network access.",
                   example=("Disabled", "Enabled"))),
    mirror("CKV_AZURE_109", "network_rules", VAULT,
           equals("properties.networkAcls.defaultAction", "Deny", "Key Vault firewall allows every network.")),
    mirror("CKV_AZURE_35", "network_rules", STORAGE,
           equals("networkRuleSet.defaultAction", "Deny", "storage firewall allows every network.")),
    mirror("CKV_AZURE_36", "network_rules", STORAGE, _trusted_services),
    mirror("CKV_AZURE_3", "network_rules", STORAGE,
           not_false("enableHttpsTrafficOnly", "storage account accepts plain HTTP.")),
    mirror("CKV_AZURE_44", "network_rules", STORAGE,
           equals("minimumTlsVersion", "TLS1_2", "storage account accepts TLS below 1.2.")),
    mirror("CKV2_AZURE_49", "network_rules", WORKSPACE,
           require("publicNetworkAccess", DISABLED, "ML workspace allows public network access.", missing_ok=True,
                   example=("Disabled", "Enabled"))),
    mirror("CKV_AZURE_243", "network_rules", WORKSPACE, _private_endpoint_rule),
    mirror("CKV_AZURE_182", "network_rules", VNET, _single_dns),
    mirror("CKV_AZURE_183", "network_rules", VNET, _external_dns),
    # -- public access ----------------------------------------------------------------------------------------
    mirror("CKV_AZURE_138", "public_access", REGISTRY,
           not_true("anonymousPullEnabled", "container registry allows anonymous pulls.")),
    mirror("CKV_AZURE_34", "public_access", "azure-native:storage:BlobContainer",
           require("publicAccess", lambda v: lower(v) == "none", "blob container is public.", missing_ok=True,
                   example=("None", "Blob"))),
    # -- identity-based authentication ------------------------------------------------------------------------
    mirror("CKV_AZURE_238", "local_auth", OPENAI,
           present("identity.type", "Azure OpenAI account has no managed identity (customer key and data access "
                                    "need one).")),
)

COVERED = (
    covered("CKV_AZURE_137", "local_auth", REGISTRY),
    covered("CKV_AZURE_139", "public_network", REGISTRY),
    covered("CKV_AZURE_59", "public_network", STORAGE),
    covered("CKV_AZURE_134", "public_network", OPENAI),
    covered("CKV_AZURE_236", "local_auth", OPENAI),
    # Stricter than the check: a "*" action is a finding at any assignable scope (checkov: a scope starting
    # with "/", which every Azure scope does, or [subscription().id]).
    covered("CKV_AZURE_39", "iam", ROLE_DEFINITION),
)
