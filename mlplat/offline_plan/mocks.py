"""What the mock engine answers for resources and provider functions during the offline plan.

Resources get deterministic ids and the output properties other resources read (ARNs, ids, names,
e-mails), shaped like the real ones so that policies and the plan show realistic values. The answers
are registered per cloud of components/registry.py (`register_offline`), explicitly, at the bottom of
this module; a cloud without registered answers still plans (ids are the physical names, state the inputs).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable

import pulumi

OFFLINE_ACCOUNT = "123456789012"
OFFLINE_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
OFFLINE_TENANT = "11111111-1111-1111-1111-111111111111"
OFFLINE_PROJECT_NUMBER = "123456789"
OFFLINE_GCP_PROJECT = "mlplat-offline-project"
OFFLINE_GCP_BILLING_ACCOUNT = "000000-OFFLINE-PLACEHOLDER"


def _suffix(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:7]


@dataclass(frozen=True)
class OfflineCloud:
    """What the mock engine answers for one registered cloud's resources and functions.

    resource(mocks, args, inputs, physical) -> (id, state): the outputs of a resource of the cloud's
    provider package; calls: provider function token -> answer; stack_config(config, spec): fills the
    provider settings a plan needs and a user has not set (placeholders)."""

    resource: Callable
    calls: dict[str, Callable] = field(default_factory=dict)
    stack_config: Callable = lambda config, spec: None
    gaps: Callable = lambda config: []  # (config) -> plan gaps the placeholders of stack_config cause


_OFFLINE: dict[str, OfflineCloud] = {}


def register_offline(cloud: str, offline: OfflineCloud) -> None:
    """Register the mock answers of a cloud of components/registry.py (keyed by its name)."""
    _OFFLINE[cloud] = offline


def unregister_offline(cloud: str) -> None:
    _OFFLINE.pop(cloud, None)


def offline_of(cloud: str) -> OfflineCloud | None:
    return _OFFLINE.get(cloud)


def _offline_of_package(package: str) -> OfflineCloud | None:
    from components.registry import CLOUDS

    cloud = next((c for c in CLOUDS if c.provider_package == package), None)
    return _OFFLINE.get(cloud.name) if cloud else None


class PlanMocks(pulumi.runtime.Mocks):
    def __init__(self, region: str, gcp_project: str | None = None, config: dict | None = None):
        self.region = region
        self.gcp_project = gcp_project or (config or {}).get("gcp:project") or OFFLINE_GCP_PROJECT

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        inputs = dict(args.inputs)
        physical = f"{args.name}-{_suffix(args.typ + args.name)}"
        offline = _offline_of_package(args.typ.split(":")[0])
        if offline is None:  # mlplat's own components and dynamic providers, or a cloud without mocks
            return physical, dict(inputs)
        return offline.resource(self, args, inputs, physical)

    def call(self, args: pulumi.runtime.MockCallArgs):
        for offline in _OFFLINE.values():
            if args.token in offline.calls:
                return offline.calls[args.token](self)
        return {}


def _parts(typ: str) -> tuple[str, str, str]:
    package, module, kind = (typ.split(":") + ["", ""])[:3]
    return package, module, kind


def _aws_resource(mocks: PlanMocks, args, inputs: dict, physical: str):
    _, module, kind = _parts(args.typ)
    state = dict(inputs)
    service = module.split("/")[0]
    state.setdefault("arn", f"arn:aws:{service}:{mocks.region}:{OFFLINE_ACCOUNT}:{kind.lower()}/{physical}")
    state.setdefault("name", physical)
    state.setdefault("bucket", physical)
    state.setdefault("key_id", physical)
    state.setdefault("prefix_list_id", "pl-offline")
    state.setdefault("repository_url", f"{OFFLINE_ACCOUNT}.dkr.ecr.{mocks.region}.amazonaws.com/{physical}")
    return inputs.get("name") or physical, state


def _azure_resource(mocks: PlanMocks, args, inputs: dict, physical: str):
    _, module, kind = _parts(args.typ)
    # Inputs take a list of identity ids, outputs a map id -> details: answer in output shape.
    state = _identity_maps(dict(inputs))
    group = inputs.get("resourceGroupName") or inputs.get("resource_group_name") or physical
    name = _azure_name(inputs) or physical
    provider = f"Microsoft.{module.capitalize()}/{kind[0].lower()}{kind[1:]}s"
    resource_id = f"/subscriptions/{OFFLINE_SUBSCRIPTION}/resourceGroups/{group}/providers/{provider}/{name}"
    if kind == "ResourceGroup":
        resource_id = f"/subscriptions/{OFFLINE_SUBSCRIPTION}/resourceGroups/{name}"
    state.setdefault("name", name)
    state.setdefault("principalId", "22222222-2222-2222-2222-222222222222")
    state.setdefault("clientId", "33333333-3333-3333-3333-333333333333")
    state.setdefault("tenantId", OFFLINE_TENANT)
    state.setdefault("keyUri", f"https://{name}.vault.azure.net/keys/{name}")
    state.setdefault("keyUriWithVersion", f"https://{name}.vault.azure.net/keys/{name}/0")
    state.setdefault("loginServer", f"{name}.azurecr.io")
    if kind == "BatchEndpoint" and isinstance(state.get("properties"), dict):
        # Azure ML answers the invocation URI of a batch endpoint: `<name>.<region>.inference.ml.azure.com/jobs`.
        scoring = f"https://{name}.{inputs.get('location') or mocks.region}.inference.ml.azure.com/jobs"
        state["properties"] = {**state["properties"], "scoringUri": scoring}
    identity = state.get("identity")
    if isinstance(identity, dict) and "SystemAssigned" in str(identity.get("type")):
        identity.setdefault("principalId", "55555555-5555-5555-5555-555555555555")
    if kind == "Vault" and isinstance(state.get("properties"), dict):
        state["properties"] = {**state["properties"], "vaultUri": f"https://{name}.vault.azure.net/"}
    return resource_id, state


def _gcp_resource(mocks: PlanMocks, args, inputs: dict, physical: str):
    _, module, kind = _parts(args.typ)
    state = dict(inputs)
    project = mocks.gcp_project
    name = inputs.get("name") or inputs.get("accountId") or physical
    resource_id = f"projects/{project}/{kind.lower()}s/{name}"
    state.setdefault("name", name)
    state.setdefault("email", f"{name}@{project}.iam.gserviceaccount.com")
    state.setdefault("selfLink", f"https://www.googleapis.com/{module}/v1/{resource_id}")
    state.setdefault("url", f"gs://{name}")
    state.setdefault("project", project)
    state.setdefault("member", f"serviceAccount:{name}@{project}.iam.gserviceaccount.com")
    return resource_id, state


def _gcp_stack_config(config: dict, spec) -> None:
    config.setdefault("gcp:project", OFFLINE_GCP_PROJECT)
    if spec.budget is not None and "mlplat:gcpBillingAccount" not in config:  # placeholder, shown as a gap
        config["mlplat:gcpBillingAccount"] = OFFLINE_GCP_BILLING_ACCOUNT


def _gcp_gaps(config: dict) -> list[dict]:
    if config.get("mlplat:gcpBillingAccount") != OFFLINE_GCP_BILLING_ACCOUNT:
        return []
    return [{"capability": "budget", "cloud": "gcp", "gap": "stack config mlplat:gcpBillingAccount is not set: "
             f"the plan uses the placeholder {OFFLINE_GCP_BILLING_ACCOUNT}; `pulumi up` would fail"}]


_GCP_AGENT = f"service-{OFFLINE_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com"

register_offline("aws", OfflineCloud(_aws_resource, {
    "aws:index/getCallerIdentity:getCallerIdentity": lambda m: {
        "accountId": OFFLINE_ACCOUNT, "arn": f"arn:aws:iam::{OFFLINE_ACCOUNT}:user/offline", "userId": "offline"},
    "aws:index/getRegion:getRegion": lambda m: {"name": m.region, "region": m.region},
}))
register_offline("azure", OfflineCloud(_azure_resource, {
    "azure-native:authorization:getClientConfig": lambda m: {
        "clientId": "33333333-3333-3333-3333-333333333333", "objectId": "44444444-4444-4444-4444-444444444444",
        "subscriptionId": OFFLINE_SUBSCRIPTION, "tenantId": OFFLINE_TENANT},
    # A Logic App trigger's callback URL: the real one carries the trigger's signature (`sig`).
    "azure-native:logic:listWorkflowTriggerCallbackUrl": lambda m: {
        "value": f"https://prod-00.{m.region}.logic.azure.com:443/workflows/offline/triggers/drift/paths/invoke"
                 "?api-version=2016-10-01&sp=%2Ftriggers%2Fdrift%2Frun&sv=1.0&sig=offline",
        "method": "POST"},
}))
register_offline("gcp", OfflineCloud(_gcp_resource, {
    "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": lambda m: {
        "emailAddress": _GCP_AGENT, "project": m.gcp_project, "member": f"serviceAccount:{_GCP_AGENT}"},
    "gcp:organizations/getProject:getProject": lambda m: {
        "number": OFFLINE_PROJECT_NUMBER, "projectId": m.gcp_project, "name": m.gcp_project},
}, _gcp_stack_config, _gcp_gaps))


def _azure_name(inputs: dict) -> str | None:
    for key, value in inputs.items():
        if key.endswith("Name") and key not in ("resourceGroupName",) and isinstance(value, str):
            return value
    return None


def _identity_maps(value):
    """`value` with every `userAssignedIdentities` list turned into the map the outputs carry."""
    if isinstance(value, dict):
        return {
            k: ({i: {} for i in v} if k == "userAssignedIdentities" and isinstance(v, list) else _identity_maps(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_identity_maps(v) for v in value]
    return value
