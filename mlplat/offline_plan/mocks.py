"""What the mock engine answers for resources and provider functions during the offline plan.

Resources get deterministic ids and the output properties other resources read (ARNs, ids, names,
e-mails), shaped like the real ones so that policies and the plan show realistic values.
"""

from __future__ import annotations

import hashlib

import pulumi

OFFLINE_ACCOUNT = "123456789012"
OFFLINE_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
OFFLINE_TENANT = "11111111-1111-1111-1111-111111111111"
OFFLINE_PROJECT_NUMBER = "123456789"


def _suffix(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:7]


class PlanMocks(pulumi.runtime.Mocks):
    def __init__(self, region: str, gcp_project: str):
        self.region = region
        self.gcp_project = gcp_project

    # -- resources --------------------------------------------------------------------------------------
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        inputs = dict(args.inputs)
        package, module, kind = (args.typ.split(":") + ["", ""])[:3]
        physical = f"{args.name}-{_suffix(args.typ + args.name)}"
        state = dict(inputs)
        if package == "aws":
            service = module.split("/")[0]
            state.setdefault("arn", f"arn:aws:{service}:{self.region}:{OFFLINE_ACCOUNT}:{kind.lower()}/{physical}")
            state.setdefault("name", physical)
            state.setdefault("bucket", physical)
            state.setdefault("key_id", physical)
            state.setdefault("prefix_list_id", "pl-offline")
            state.setdefault("repository_url", f"{OFFLINE_ACCOUNT}.dkr.ecr.{self.region}.amazonaws.com/{physical}")
            resource_id = inputs.get("name") or physical
        elif package == "azure-native":
            # Inputs take a list of identity ids, outputs a map id -> details: answer in output shape.
            state = _identity_maps(state)
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
            if kind == "Vault" and isinstance(state.get("properties"), dict):
                state["properties"] = {**state["properties"], "vaultUri": f"https://{name}.vault.azure.net/"}
        elif package == "gcp":
            name = inputs.get("name") or inputs.get("accountId") or physical
            resource_id = f"projects/{self.gcp_project}/{kind.lower()}s/{name}"
            state.setdefault("name", name)
            state.setdefault("email", f"{name}@{self.gcp_project}.iam.gserviceaccount.com")
            state.setdefault("selfLink", f"https://www.googleapis.com/{module}/v1/{resource_id}")
            state.setdefault("url", f"gs://{name}")
            state.setdefault("project", self.gcp_project)
            state.setdefault("member", f"serviceAccount:{name}@{self.gcp_project}.iam.gserviceaccount.com")
        else:
            resource_id = physical
        return resource_id, state

    # -- provider functions -----------------------------------------------------------------------------
    def call(self, args: pulumi.runtime.MockCallArgs):
        token = args.token
        if token == "azure-native:authorization:getClientConfig":
            return {
                "clientId": "33333333-3333-3333-3333-333333333333",
                "objectId": "44444444-4444-4444-4444-444444444444",
                "subscriptionId": OFFLINE_SUBSCRIPTION,
                "tenantId": OFFLINE_TENANT,
            }
        if token == "gcp:storage/getProjectServiceAccount:getProjectServiceAccount":
            return {
                "emailAddress": f"service-{OFFLINE_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com",
                "project": self.gcp_project,
                "member": f"serviceAccount:service-{OFFLINE_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com",
            }
        if token == "gcp:organizations/getProject:getProject":
            return {"number": OFFLINE_PROJECT_NUMBER, "projectId": self.gcp_project, "name": self.gcp_project}
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": OFFLINE_ACCOUNT, "arn": f"arn:aws:iam::{OFFLINE_ACCOUNT}:user/offline", "userId": "offline"}
        if token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region}
        return {}


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
