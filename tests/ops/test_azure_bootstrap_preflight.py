"""Azure bootstrap and preflight through the real Azure SDK clients (azure-mgmt-*, azure-ai-ml); the
HTTP layer is faked with `responses` (the SDKs' default transport is `requests`)."""

from __future__ import annotations

import base64
import json
import re
import time
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest
import responses
from azure.core.credentials import AccessToken

from tests.support.ops import by_check, run

from mlplat.ops import backend_azure, quota_azure
from mlplat.ops.preflight import GpuNeed
from mlplat.ops.results import OpsError
from components.spec import parse_spec

SUB = "11111111-2222-3333-4444-555555555555"


def _jwt(claims: dict) -> str:
    encode = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")  # noqa: E731
    return f"{encode({'alg': 'none'})}.{encode(claims)}.sig"


class StaticCredential:
    """A TokenCredential holding a fixed token (the credential is not the HTTP layer under test)."""

    def __init__(self, claims=None):
        self.claims = claims or {"upn": "ops@example.com", "tid": "tenant-1"}

    def get_token(self, *scopes, **kwargs):
        return AccessToken(_jwt(self.claims), int(time.time()) + 3600)


class FakeArm:
    """Azure Resource Manager as far as the bootstrap and preflight use it, with state."""

    def __init__(self, mock):
        self.groups: set[str] = set()
        self.accounts: dict[str, dict] = {}
        self.blob_services: dict[str, dict] = {}
        self.containers: set[tuple[str, str]] = set()
        self.writes: list[tuple[str, str]] = []
        self.forbidden = False
        self.name_available = True
        self.usages: list[dict] = []
        self.ml_locations = ["East US", "West Europe"]
        self.registration = "Registered"
        for method in ("GET", "PUT", "PATCH", "POST", "HEAD"):
            mock.add_callback(method, re.compile(r"https://management\.azure\.com/.*"), callback=self.route)

    def route(self, request):
        path = urlparse(request.url).path
        low = path.lower()
        method = request.method
        body = json.loads(request.body) if request.body else {}
        if self.forbidden:
            if method == "HEAD":
                return 403, {}, ""
            return 403, {}, json.dumps({"error": {"code": "AuthorizationFailed", "message": "The client does not have authorization"}})
        if method != "GET" and method != "HEAD":
            self.writes.append((method, path))
        if m := re.fullmatch(rf"/subscriptions/{SUB}/resourcegroups/([^/]+)", low):
            name = m.group(1)
            if method == "HEAD":
                return (204 if name in self.groups else 404), {}, ""
            self.groups.add(name)
            return 201, {}, json.dumps({"id": path, "name": name, "location": body["location"], "properties": {"provisioningState": "Succeeded"}})
        if low.endswith("/providers/microsoft.storage/checknameavailability"):
            return 200, {}, json.dumps({"nameAvailable": self.name_available, "reason": None if self.name_available else "AlreadyExists",
                                        "message": None if self.name_available else "The storage account name is already taken."})
        if m := re.fullmatch(r".*/storageaccounts/([^/]+)", low):
            name = m.group(1)
            if method == "GET":
                if name not in self.accounts:
                    return 404, {}, json.dumps({"error": {"code": "ResourceNotFound", "message": "not found"}})
                return 200, {}, json.dumps(self.accounts[name])
            if method == "PUT":
                self.accounts[name] = {"id": path, "name": name, "location": body["location"], "kind": body["kind"], "sku": body["sku"],
                                       "properties": {**body["properties"], "provisioningState": "Succeeded"}}
                self.blob_services.setdefault(name, {"isVersioningEnabled": False})
                return 200, {}, json.dumps(self.accounts[name])
            if method == "PATCH":
                self.accounts[name]["properties"].update(body.get("properties", {}))
                return 200, {}, json.dumps(self.accounts[name])
        if m := re.fullmatch(r".*/storageaccounts/([^/]+)/blobservices/default", low):
            name = m.group(1)
            if method == "PUT":
                self.blob_services[name].update(body["properties"])
            return 200, {}, json.dumps({"id": path, "name": "default", "properties": self.blob_services[name]})
        if m := re.fullmatch(r".*/storageaccounts/([^/]+)/blobservices/default/containers/([^/]+)", low):
            key = (m.group(1), m.group(2))
            if method == "GET" and key not in self.containers:
                return 404, {}, json.dumps({"error": {"code": "ContainerNotFound", "message": "The specified container does not exist."}})
            self.containers.add(key)
            return (201 if method == "PUT" else 200), {}, json.dumps({"id": path, "name": key[1], "properties": {"publicAccess": "None"}})
        if low.endswith("/providers/microsoft.machinelearningservices") and method == "GET":
            return 200, {}, json.dumps({"namespace": "Microsoft.MachineLearningServices", "registrationState": self.registration,
                                        "resourceTypes": [{"resourceType": "workspaces", "locations": self.ml_locations}]})
        if re.fullmatch(r".*/providers/microsoft.machinelearningservices/locations/[^/]+/usages", low):
            return 200, {}, json.dumps({"value": self.usages})
        return 500, {}, json.dumps({"error": {"code": "Unexpected", "message": f"fake ARM has no route for {method} {path}"}})


@pytest.fixture
def arm():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeArm(mock)


def test_bootstrap_creates_everything_then_no_op(arm):
    credential = StaticCredential()
    first = backend_azure.ensure_backend(SUB, "mlplat-state", "mlplatstate1", "pulumi-state", "westeurope", credential=credential)
    assert first.created is True
    assert first.url == "azblob://pulumi-state?storage_account=mlplatstate1"
    assert len(first.changes) == 6, first.changes
    account = arm.accounts["mlplatstate1"]
    assert account["kind"] == "StorageV2" and account["location"] == "westeurope"
    assert account["properties"]["supportsHttpsTrafficOnly"] is True
    assert account["properties"]["minimumTlsVersion"] == "TLS1_2"
    assert account["properties"]["allowBlobPublicAccess"] is False
    service = arm.blob_services["mlplatstate1"]
    assert service["isVersioningEnabled"] is True
    assert service["deleteRetentionPolicy"] == {"enabled": True, "days": 30}
    assert service["containerDeleteRetentionPolicy"] == {"enabled": True, "days": 30}
    assert ("mlplatstate1", "pulumi-state") in arm.containers
    writes = len(arm.writes)
    second = backend_azure.ensure_backend(SUB, "mlplat-state", "mlplatstate1", "pulumi-state", "westeurope", credential=credential)
    assert (second.created, second.changes) == (False, [])
    assert len(arm.writes) == writes
    assert not any(method == "DELETE" for method, _ in arm.writes)


def test_bootstrap_hardens_an_existing_account(arm):
    arm.groups.add("rg")
    arm.accounts["acct"] = {"name": "acct", "location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_LRS"},
                            "properties": {"supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_0", "allowBlobPublicAccess": True}}
    arm.blob_services["acct"] = {"isVersioningEnabled": True, "deleteRetentionPolicy": {"enabled": True, "days": 7}}
    result = backend_azure.ensure_backend(SUB, "rg", "acct", "state", "westeurope", credential=StaticCredential())
    assert result.created is False
    assert result.changes[0].startswith("hardened storage account")
    assert arm.accounts["acct"]["properties"]["minimumTlsVersion"] == "TLS1_2"
    assert arm.accounts["acct"]["properties"]["allowBlobPublicAccess"] is False
    assert "enabled blob versioning" not in result.changes
    assert arm.blob_services["acct"]["deleteRetentionPolicy"]["days"] == 7  # the user's retention is kept


def test_bootstrap_errors(arm):
    arm.name_available = False
    with pytest.raises(OpsError) as error:
        backend_azure.ensure_backend(SUB, "rg", "taken", "state", "eastus", credential=StaticCredential())
    assert "is not available" in str(error.value)
    arm.forbidden = True
    with pytest.raises(OpsError) as error:
        backend_azure.ensure_backend(SUB, "rg", "acct", "state", "eastus", credential=StaticCredential())
    assert "Forbidden" in str(error.value) and "Contributor" in str(error.value)


@pytest.fixture
def no_azure_credentials(monkeypatch):
    """The real DefaultAzureCredential, limited to the environment credential, with nothing set."""
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
                 "AZURE_USERNAME", "AZURE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")


def test_cli_bootstrap_without_credentials(arm, no_azure_credentials):
    result = run(["bootstrap", "backend", "--cloud", "azure", "--subscription", SUB, "--region", "eastus"])
    assert result.exit_code == 1
    assert "no Azure credentials found" in result.stderr
    assert "Traceback" not in result.output
    assert arm.writes == []


# -- preflight ---------------------------------------------------------------------------------------
def _spec(region="eastus"):
    return parse_spec({"name": "fraud", "environment": "dev", "cloud": "azure", "region": region,
                       "finops": {"cost_center": "cc", "owner": "o@example.com", "team": "t"}}, "test")


A100 = SimpleNamespace(instance_type="Standard_NC24ads_A100_v4", vcpus=24, gpus=1, accelerator=None)
T4 = SimpleNamespace(instance_type="Standard_NC4as_T4_v3", vcpus=4, gpus=1, accelerator=None)
NEEDS = [GpuNeed("training", "a100-80gb", 1, 2, False, A100), GpuNeed("endpoint e", "t4", 1, 2, False, T4)]
CONFIG = {"azure-native:subscriptionId": SUB, "azure-native:location": "eastus"}


def _usage(value, localized, limit, current=0):
    return {"id": f"/subscriptions/{SUB}/providers/Microsoft.MachineLearningServices/locations/eastus/usages/{value}",
            "type": "Microsoft.MachineLearningServices/vmFamily", "unit": "Count", "currentValue": current, "limit": limit,
            "name": {"value": value, "localizedValue": localized}}


def test_preflight_quota_enough_and_too_low(arm):
    arm.usages = [_usage("standardNCADSA100v4Family", "Standard NCADSA100v4 Family Cluster Dedicated vCPUs", 48),
                  _usage("standardNCASv3_T4Family", "Standard NCASv3_T4 Family Cluster Dedicated vCPUs", 4, 2)]
    checks = by_check(quota_azure.preflight(_spec(), CONFIG, NEEDS, credential=StaticCredential()))
    assert checks["credentials"].status == "pass" and "ops@example.com" in checks["credentials"].detail
    assert checks["region"].status == "pass"
    assert checks["quota training"].status == "pass"
    assert "48 vCPUs" in checks["quota training"].detail
    assert checks["quota endpoint e"].status == "fail"
    assert "needs 8 vCPUs" in checks["quota endpoint e"].detail and "limit is 4 (in use: 2)" in checks["quota endpoint e"].detail


def test_preflight_spot_uses_low_priority_quota(arm):
    arm.usages = [_usage("totalLowPriorityCores", "Total Cluster LowPriority Regional vCPUs", 48)]
    spot = [GpuNeed("training", "a100-80gb", 1, 2, True, A100)]
    checks = by_check(quota_azure.preflight(_spec(), CONFIG, spot, credential=StaticCredential()))
    assert checks["quota training"].status == "pass"
    arm.usages = [_usage("totalLowPriorityCores", "Total Cluster LowPriority Regional vCPUs", 20)]
    checks = by_check(quota_azure.preflight(_spec(), CONFIG, spot, credential=StaticCredential()))
    assert checks["quota training"].status == "fail"


def test_preflight_forbidden(arm):
    arm.forbidden = True
    checks = by_check(quota_azure.preflight(_spec(), CONFIG, NEEDS, credential=StaticCredential()))
    assert checks["region"].status == "fail"
    assert "forbidden" in checks["region"].detail and "AuthorizationFailed" in checks["region"].detail
    assert checks["quota training"].status == "fail" and "forbidden" in checks["quota training"].detail


def test_preflight_region_without_azure_ml_and_unknown_family(arm):
    arm.ml_locations = ["West Europe"]
    arm.usages = [_usage("standardNCADSA100v4Family", "Standard NCADSA100v4 Family Cluster Dedicated vCPUs", 48)]
    checks = by_check(quota_azure.preflight(_spec(), CONFIG, NEEDS, credential=StaticCredential()))
    assert checks["region"].status == "fail" and "not offered in eastus" in checks["region"].detail
    assert checks["quota endpoint e"].status == "warn"


def test_preflight_no_credentials_and_placeholder_subscription(arm, no_azure_credentials):
    checks = quota_azure.preflight(_spec(), CONFIG, NEEDS)
    assert [(c.check, c.status) for c in checks] == [
        ("credentials", "fail"), ("region", "skip"), ("quota training", "skip"), ("quota endpoint e", "skip")]
    assert "no Azure credentials found" in checks[0].detail
    checks = by_check(quota_azure.preflight(_spec(), {"azure-native:subscriptionId": "00000000-0000-0000-0000-000000000000"},
                                             NEEDS, credential=StaticCredential()))
    assert checks["subscription"].status == "fail"


def test_family_keys():
    assert quota_azure.family_key("Standard_NC24ads_A100_v4") == quota_azure.usage_family_key("standardNCADSA100v4Family")
    assert quota_azure.family_key("Standard_NC4as_T4_v3") == quota_azure.usage_family_key("standardNCASv3_T4Family")
    assert quota_azure.family_key("Standard_ND96asr_v4") == quota_azure.usage_family_key("standardNDASv4_A100Family")
    assert quota_azure.family_key("Standard_NC4as_T4_v3") != quota_azure.usage_family_key("standardNCADSA100v4Family")
