"""Preflight on Azure: identity (DefaultAzureCredential token), region (the Azure ML resource provider's
locations in the subscription) and GPU quota (Azure ML usage via azure-ai-ml `compute.list_usage`).

Azure ML quotas are vCPUs per VM family ("Standard NCADSA100v4 Family Cluster Dedicated vCPUs") for
dedicated nodes, and one regional low-priority vCPU quota for spot nodes. Needed: the VM size's vCPUs x
nodes (training) or x max_replicas (endpoints); compared with the quota limit. Managed online
endpoints draw on the same family quotas.
"""

from __future__ import annotations

import re
from collections import defaultdict

from .results import CheckResult, OpsError, Progress, no_progress

PLACEHOLDER_SUBSCRIPTIONS = {"00000000-0000-0000-0000-000000000000"}


def _key(text: str) -> str:
    return "".join(sorted(re.sub(r"[^a-z0-9]", "", text.lower())))


# Families whose quota name does not follow from the size name.
IRREGULAR_FAMILIES = {
    "Standard_ND96asr_v4": "standardNDASv4_A100Family",
    "Standard_ND96amsr_A100_v4": "standardNDAMSv4_A100Family",
    "Standard_ND96isr_H100_v5": "standardNDSH100v5Family",
    "Standard_NC80adis_H100_v5": "standardNCadsH100v5Family",
}


def family_key(vm_size: str) -> str:
    """A comparable key of a VM size's family: Standard_NC24ads_A100_v4 and the usage name
    standardNCADSA100v4Family both give the same key (letters and version, core count dropped)."""
    if vm_size in IRREGULAR_FAMILIES:
        return usage_family_key(IRREGULAR_FAMILIES[vm_size])
    core = vm_size.removeprefix("Standard_")
    series, _, rest = core.partition("_")
    series = re.sub(r"^([A-Za-z]+)\d+", r"\1", series)  # NC24ads -> NCads
    return _key(series + rest)


def usage_family_key(name: str) -> str:
    return _key(re.sub(r"(?i)^standard|family$", "", name))


def _norm_location(name: str) -> str:
    return name.replace(" ", "").lower()


def preflight(spec, config: dict, needs: list, progress: Progress = no_progress, credential=None) -> list[CheckResult]:
    import os

    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

    from .azure_auth import default_credential, token_claims, who

    checks: list[CheckResult] = []
    credential = credential or default_credential()
    progress("azure: who am I (token for Azure Resource Manager)")
    try:
        claims = token_claims(credential)
    except OpsError as error:
        checks.append(CheckResult("credentials", "fail", " ".join(line.strip() for line in error.lines)))
        return checks + _skipped(needs, "no usable credentials")
    subscription = config.get("azure-native:subscriptionId") or os.environ.get("AZURE_SUBSCRIPTION_ID")
    checks.append(CheckResult("credentials", "pass", f"{who(claims)} in tenant {claims.get('tid', '?')}"))
    if not subscription or subscription in PLACEHOLDER_SUBSCRIPTIONS:
        checks.append(CheckResult("subscription", "fail", "set azure-native:subscriptionId in the stack file (or AZURE_SUBSCRIPTION_ID)"))
        return checks + _skipped(needs, "no subscription")
    location = spec.region
    config_location = config.get("azure-native:location")
    if config_location and _norm_location(config_location) != _norm_location(location):
        checks.append(CheckResult("region", "fail", f"stack config azure-native:location is {config_location} but the spec's region is {location}; make them equal"))
        return checks + [CheckResult(f"quota {n.workload}", "skip", "region mismatch") for n in needs]

    progress(f"azure: is Azure ML offered in {location} (Microsoft.MachineLearningServices provider)")
    try:
        checks.append(_region_check(credential, subscription, location))
    except ClientAuthenticationError as error:
        checks.append(CheckResult("region", "fail", f"credentials rejected: {error.message}"))
        return checks + [CheckResult(f"quota {n.workload}", "skip", "credentials rejected") for n in needs]
    except HttpResponseError as error:
        checks.append(CheckResult("region", "fail", _http_detail(error, f"subscription {subscription}", "Reader")))
    if not needs:
        return checks

    progress(f"azure: Azure ML usage and quota in {location} (azure-ai-ml compute.list_usage)")
    try:
        from azure.ai.ml import MLClient

        usages = list(MLClient(credential, subscription_id=subscription).compute.list_usage(location=location))
    except HttpResponseError as error:
        detail = _http_detail(error, f"Azure ML usage in {location}", "Reader")
        return checks + [CheckResult(f"quota {n.workload}", "fail", detail) for n in needs]
    checks += _quota_checks(usages, needs, location)
    return checks


def _http_detail(error, what: str, role: str) -> str:
    code = getattr(getattr(error, "error", None), "code", None) or error.status_code
    message = getattr(getattr(error, "error", None), "message", None) or error.message
    if error.status_code == 403:
        return f"forbidden to read {what}: {code}: {message} (needs at least {role} on the subscription)"
    return f"cannot read {what}: {code}: {message}"


def _region_check(credential, subscription: str, location: str) -> CheckResult:
    from azure.mgmt.resource.resources import ResourceManagementClient

    provider = ResourceManagementClient(credential, subscription).providers.get("Microsoft.MachineLearningServices")
    locations = {
        _norm_location(name)
        for resource_type in provider.resource_types or []
        if resource_type.resource_type == "workspaces"
        for name in resource_type.locations or []
    }
    if _norm_location(location) not in locations:
        return CheckResult("region", "fail", f"Azure ML workspaces are not offered in {location} for subscription {subscription}")
    if provider.registration_state != "Registered":
        return CheckResult("region", "warn", f"{location} offers Azure ML, but Microsoft.MachineLearningServices is "
                           f"{provider.registration_state} in the subscription: `az provider register -n Microsoft.MachineLearningServices`")
    return CheckResult("region", "pass", f"{location} offers Azure ML in subscription {subscription}")


def _names(usage) -> tuple[str, str]:
    """(value, localized value) of a Usage's name (azure-ai-ml keeps it as a dict or a UsageName)."""
    name = usage.name or {}
    if isinstance(name, dict):
        return name.get("value") or "", name.get("localized_value") or name.get("localizedValue") or ""
    return getattr(name, "value", "") or "", getattr(name, "localized_value", "") or ""


def _current(usage):
    """Current usage (azure-ai-ml's Usage copies the REST dict, which may keep the camelCase key)."""
    value = getattr(usage, "current_value", None)
    return value if value is not None else vars(usage).get("currentValue", 0)


def _quota_checks(usages: list, needs: list, location: str) -> list[CheckResult]:
    by_family = {usage_family_key(_names(u)[0]): u for u in usages if "family" in _names(u)[0].lower()}
    low_priority = next((u for u in usages if "lowpriority" in _names(u)[0].lower()), None)
    groups: dict[str, list] = defaultdict(list)
    for need in needs:
        groups["low-priority" if need.spot else need.shape.instance_type].append(need)
    checks = []
    for key, group in groups.items():
        label = "quota " + ", ".join(n.workload for n in group)
        required = sum(n.shape.vcpus * n.count for n in group)
        if key == "low-priority":
            usage, quota_name = low_priority, "low-priority (spot) vCPUs"
        else:
            usage = by_family.get(family_key(key))
            quota_name = (_names(usage)[1] or _names(usage)[0]) if usage else ""
        if usage is None:
            what = "the low-priority vCPU quota" if key == "low-priority" else f"the VM family of {key}"
            checks.append(CheckResult(label, "warn", f"no Azure ML quota entry found for {what} in {location}: the size may "
                                      "not be offered here; check Azure ML > Quotas in the portal"))
            continue
        sizes = ", ".join(sorted({f"{n.count} x {n.shape.instance_type}" for n in group}))
        detail = f"{sizes} needs {required} vCPUs of '{quota_name}'; limit is {usage.limit} (in use: {_current(usage)})"
        if usage.limit >= required:
            checks.append(CheckResult(label, "pass", detail))
        else:
            checks.append(CheckResult(label, "fail", detail + f": request an increase to at least {required}"))
    return checks


def _skipped(needs: list, why: str) -> list[CheckResult]:
    return [CheckResult("region", "skip", why)] + [CheckResult(f"quota {n.workload}", "skip", why) for n in needs]
