"""The readers the policies and the cost model call on Azure resource types (the rows: azure.py)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from . import Subject
from .props import get, is_known, lower, plain_list, truthy

# Role definition GUIDs of the built-in roles that allow every action.
BROAD_ROLES = {"8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner", "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor"}
_ISO_DAYS = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$", re.I)


def _disabled(value) -> bool:
    return lower(value) == "disabled"


def _public_network(path: str, message: str):
    def read(s: Subject):
        value = get(s.props, path)
        if is_known(value) and not _disabled(value):
            yield message
    return read


def monitor_network(s: Subject):
    """Application Insights and Log Analytics: ingestion and query each have their own public switch
    (Azure's default, unset, is enabled)."""
    for path, what in (("publicNetworkAccessForIngestion", "ingestion"), ("publicNetworkAccessForQuery", "query")):
        value = get(s.props, path)
        if value is None or (is_known(value) and not _disabled(value)):
            yield f"prod Azure Monitor {what} ({s.type.split(':')[-1]}) allows public network access."


def _is_amlcompute(s: Subject) -> bool:
    return lower(get(s.props, "properties.computeType")) == "amlcompute"


# ---------------------------------------------------------------------------------------------------
# Storage account (encryption, public blobs, network, shared keys)


def storage_encryption(s: Subject):
    source = get(s.props, "encryption.keySource")
    if is_known(source) and lower(source) != "microsoft.keyvault":
        yield ("prod storage account is not encrypted with a customer-managed key "
               "(encryption.keySource Microsoft.Keyvault).")


def _must_be_false(path: str, message: str):
    """A switch that must be set to false explicitly (the cloud's default is on)."""
    def read(s: Subject):
        value = get(s.props, path)
        if is_known(value) and value is not False:
            yield message
    return read


storage_public_access = _must_be_false(
    "allowBlobPublicAccess", "storage account allows blob public access; set allowBlobPublicAccess = false.")


def storage_network(s: Subject):
    value = get(s.props, "publicNetworkAccess")
    if is_known(value) and not _disabled(value) and lower(get(s.props, "networkRuleSet.defaultAction")) != "deny":
        yield ("prod storage account is reachable from public networks "
               "(publicNetworkAccess Disabled or networkRuleSet.defaultAction Deny).")


storage_local_auth = _must_be_false(
    "allowSharedKeyAccess", "storage account allows shared key access; set allowSharedKeyAccess = false.")


STORAGE_ACCOUNT = {"encryption": storage_encryption, "public_access": storage_public_access,
                   "public_network": storage_network, "local_auth": storage_local_auth}

# ---------------------------------------------------------------------------------------------------
# Azure ML, AI Search, container registry


def workspace_encryption(s: Subject):
    if not get(s.props, "encryption.keyVaultProperties.keyIdentifier"):
        yield "prod Azure ML workspace is not encrypted with a customer-managed key."


WORKSPACE = {
    "encryption": workspace_encryption,
    "public_network": _public_network(
        "publicNetworkAccess", "prod Azure ML workspace allows public network access; set publicNetworkAccess Disabled."),
}


def online_endpoint_auth(s: Subject):
    if lower(get(s.props, "properties.authMode")) == "key":
        yield "Azure ML online endpoint uses key authentication; use authMode AADToken."


def endpoint_traffic(s: Subject):
    """(endpoint name, traffic map {deployment: percent}) an online endpoint declares, or None."""
    traffic = get(s.props, "properties.traffic")
    name = get(s.props, "endpointName")
    return (name, traffic) if isinstance(traffic, dict) and traffic and isinstance(name, str) else None


ONLINE_ENDPOINT = {
    "public_network": _public_network("properties.publicNetworkAccess",
                                      "prod Azure ML online endpoint allows public network access."),
    "local_auth": online_endpoint_auth,
    "endpoint_traffic": endpoint_traffic,
}


def deployment_endpoint(s: Subject):
    """The endpoint name an online deployment belongs to (its traffic map decides its share of requests)."""
    return get(s.props, "endpointName")


def traffic_setter(s: Subject):
    """(endpoint name, traffic map) the traffic-setting dynamic resource applies after the deployments exist."""
    traffic, name = get(s.props, "traffic"), get(s.props, "endpoint")
    return (name, traffic) if isinstance(traffic, dict) and isinstance(name, str) else None


def compute_network(s: Subject):
    public_ip = get(s.props, "properties.properties.enableNodePublicIp")
    if _is_amlcompute(s) and is_known(public_ip) and (public_ip is None or truthy(public_ip)):
        yield "prod Azure ML compute nodes get public IPs; set enableNodePublicIp = false."


def compute_local_auth(s: Subject):
    if _is_amlcompute(s):
        value = get(s.props, "properties.disableLocalAuth")
        if is_known(value) and not truthy(value):
            yield "Azure ML compute allows local authentication; set disableLocalAuth = true."


def compute_spot(s: Subject):
    priority = get(s.props, "properties.properties.vmPriority")
    if _is_amlcompute(s) and is_known(priority) and lower(priority) != "lowpriority":
        yield f"Azure ML compute cluster uses vmPriority {priority or 'Dedicated (default)'}; set vmPriority to LowPriority."


def compute_scale_to_zero(s: Subject):
    minimum = get(s.props, "properties.properties.scaleSettings.minNodeCount", 0)
    if _is_amlcompute(s) and isinstance(minimum, (int, float)) and minimum > 0:
        yield f"Azure ML compute cluster keeps {int(minimum)} nodes running; set scaleSettings.minNodeCount = 0."


# VM size families the GPU catalog does not offer, still recognised as GPUs (Azure has the A10, which the
# policies treat as the a10g class; any other N-series size is an unlisted GPU).
UNOFFERED_GPU_SIZES = [(re.compile(r"^standard_nv\d+ads_a10_v5$", re.I), "a10g")]
OTHER_GPU_SIZES = re.compile(r"^standard_n[cdv]\d+", re.I)


@lru_cache(maxsize=1)
def _offered_sizes() -> list:
    """The GPU catalog's Azure VM sizes as size families: the core count generalised (NC4as_T4_v3 -> NC<n>as_T4_v3)."""
    from components.catalog import gpus

    return [(re.compile("^" + re.sub(r"\d+", r"\\d+", re.escape(s.instance_type.lower()), count=1) + "$", re.I), s.gpu)
            for s in gpus.all_shapes() if s.cloud == "azure"]


def gpu_class(vm_size: str) -> Optional[str]:
    for pattern, gpu in [*_offered_sizes(), *UNOFFERED_GPU_SIZES]:
        if pattern.match(vm_size or ""):
            return gpu
    return "other" if OTHER_GPU_SIZES.match(vm_size or "") else None


def compute_gpus(s: Subject):
    if not _is_amlcompute(s):
        return None
    size = get(s.props, "properties.properties.vmSize")
    classes = [(gpu_class(size), size)] if isinstance(size, str) and gpu_class(size) else []
    value = get(s.props, "properties.properties.scaleSettings.maxNodeCount")
    return classes, int(value) if isinstance(value, (int, float)) else None


COMPUTE = {"public_network": compute_network, "local_auth": compute_local_auth, "training_spot": compute_spot,
           "training_scale_to_zero": compute_scale_to_zero, "training_gpus": compute_gpus}


def search_encryption(s: Subject):
    if lower(get(s.props, "encryptionWithCmk.enforcement")) != "enabled":
        yield "prod AI Search service does not enforce customer-managed keys (encryptionWithCmk)."


def search_local_auth(s: Subject):
    if not truthy(get(s.props, "disableLocalAuth")) and is_known(get(s.props, "disableLocalAuth")):
        yield "AI Search service allows API keys; set disableLocalAuth = true (Entra ID only)."


SEARCH = {"encryption": search_encryption, "local_auth": search_local_auth,
          "public_network": _public_network("publicNetworkAccess", "prod AI Search service allows public network access.")}


def registry_encryption(s: Subject):
    if lower(get(s.props, "encryption.status")) != "enabled":
        yield "prod container registry is not encrypted with a customer-managed key."


def registry_admin_user(s: Subject):
    if truthy(get(s.props, "adminUserEnabled")):
        yield "container registry has the admin user enabled."


CONTAINER_REGISTRY = {
    "encryption": registry_encryption, "local_auth": registry_admin_user,
    "public_network": _public_network("publicNetworkAccess", "prod container registry allows public network access."),
}


def any_local_auth(s: Subject):
    """Any Azure type with a `disableLocalAuth` switch turned off."""
    if get(s.props, "disableLocalAuth") is False:
        yield "resource enables local (key) authentication; set disableLocalAuth = true."


# ---------------------------------------------------------------------------------------------------
# Keys, roles, budgets


def _iso_days(value) -> Optional[float]:
    match = _ISO_DAYS.match(value or "") if isinstance(value, str) else None
    if not match or not any(match.groups()):
        return None
    years, months, days = (int(x or 0) for x in match.groups())
    return years * 365 + months * 30 + days


def key_rotation(s: Subject):
    max_days = s.settings.get("maxRotationDays", 365)
    actions = plain_list(s.props, "properties.rotationPolicy.lifetimeActions")
    rotate = [a for a in actions if isinstance(a, dict) and lower((a.get("action") or {}).get("type")) == "rotate"]
    if not rotate:
        yield "Key Vault key has no rotation policy with a Rotate lifetime action."
        return
    known = [d for d in (_iso_days((a.get("trigger") or {}).get("timeAfterCreate")) for a in rotate) if d is not None]
    if known and min(known) > max_days:
        yield f"Key Vault key rotates after {int(min(known))} days; the limit is {max_days}."


def role_definition(s: Subject):
    for perm in plain_list(s.props, "permissions"):
        if "*" in (perm.get("actions", []) if isinstance(perm, dict) else []):
            yield "custom role definition allows all actions (*)."


def role_assignment(s: Subject):
    role, scope = get(s.props, "roleDefinitionId"), get(s.props, "scope")
    if not isinstance(role, str):
        return
    for guid, name in BROAD_ROLES.items():
        if role.lower().endswith(guid):
            where = f" at {scope}" if isinstance(scope, str) else ""
            yield (f"assigns the broad built-in role {name}{where} (all actions); use the resource type's "
                   "own contributor role instead (e.g. Storage Account Contributor).")


def budget_amount(s: Subject):
    return get(s.props, "amount")
