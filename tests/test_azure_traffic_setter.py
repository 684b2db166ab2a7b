"""The Azure traffic setter (dynamic provider) against a faked Azure Resource Manager: the real
azure-core pipeline and requests transport run, `responses` plays ARM. No live call is ever made.

The fake keeps one online endpoint with its deployments and enforces Azure's rules: traffic may only
name deployments that exist and must sum to 0 or 100; a PUT is a long-running operation polled
through its Azure-AsyncOperation URL; a deployment with traffic cannot be deleted.
"""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest
import responses

from components.azure.traffic_setter import (
    API_VERSION,
    ARM,
    ArmClient,
    ArmError,
    TrafficClient,
    TrafficSetterProvider,
    endpoint_id,
)

PROPS = {
    "subscription_id": "00000000-0000-0000-0000-000000000000",
    "resource_group": "fraud-ml-prod-rg",
    "workspace": "fraud-ml-prod-mlw",
    "endpoint": "fraud-ml-prod-fraud-scorer",
    "traffic": {"stable": 90.0, "canary": 10.0},  # the engine sends numbers as floats
    "endpoint_revision": "r1",
}
ENDPOINT_ID = endpoint_id(PROPS)
URL = f"{ARM}{ENDPOINT_ID}"
OPERATION = f"{ARM}/subscriptions/{PROPS['subscription_id']}/providers/Microsoft.MachineLearningServices/locations/eastus/mfeOperationsStatus/op-1"


class FakeCredential:
    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken

        assert scopes == ("https://management.azure.com/.default",)
        return AccessToken("token", 4102444800)


class FakeArm:
    """One online endpoint, as ARM keeps it."""

    def __init__(self, deployments=("stable", "canary"), traffic=None, exists=True):
        self.deployments = set(deployments)
        self.exists = exists
        self.endpoint = {
            "id": ENDPOINT_ID,
            "name": PROPS["endpoint"],
            "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
            "location": "eastus",
            "tags": {"use-case": "fraud-scoring"},
            "identity": {
                "type": "UserAssigned",
                "userAssignedIdentities": {"/subscriptions/x/identity": {"principalId": "p", "clientId": "c"}},
            },
            "properties": {
                "authMode": "AADToken",
                "publicNetworkAccess": "Disabled",
                "traffic": dict(traffic or {}),
                "provisioningState": "Succeeded",
                "scoringUri": "https://fraud.eastus.inference.ml.azure.com/score",
            },
            "systemData": {"createdBy": "someone"},
        }
        self.puts: list[dict] = []
        self.polls = 0

    def install(self, rsps: responses.RequestsMock) -> None:
        rsps.add_callback(responses.GET, URL, callback=self._get)
        rsps.add_callback(responses.PUT, URL, callback=self._put)
        rsps.add_callback(responses.GET, OPERATION, callback=self._operation)

    def _check(self, request):
        assert request.headers["Authorization"] == "Bearer token"
        assert f"api-version={API_VERSION}" in urlparse(request.url).query

    def _get(self, request):
        self._check(request)
        if not self.exists:
            return 404, {}, json.dumps({"error": {"code": "ResourceNotFound"}})
        return 200, {}, json.dumps(self.endpoint)

    def _put(self, request):
        self._check(request)
        body = json.loads(request.body)
        self.puts.append(body)
        traffic = body["properties"]["traffic"]
        if not set(traffic) <= self.deployments:
            return 400, {}, json.dumps({"error": {"code": "BadRequest", "message": "traffic names a missing deployment"}})
        if sum(traffic.values()) not in (0, 100):
            return 400, {}, json.dumps({"error": {"code": "BadRequest", "message": "traffic must sum to 0 or 100"}})
        for read_only in ("provisioningState", "scoringUri"):
            assert read_only not in body["properties"], read_only
        assert "systemData" not in body and body["location"] == "eastus"
        assert body["identity"] == {"type": "UserAssigned", "userAssignedIdentities": {"/subscriptions/x/identity": {}}}
        assert body["properties"]["publicNetworkAccess"] == "Disabled"  # everything else is kept
        self.endpoint["properties"]["traffic"] = dict(traffic)
        return 201, {"Azure-AsyncOperation": OPERATION}, json.dumps(self.endpoint)

    def _operation(self, request):
        self.polls += 1
        status = "InProgress" if self.polls == 1 else "Succeeded"
        return 200, {"Retry-After": "0"}, json.dumps({"status": status})

    def delete_deployment(self, name):
        assert self.endpoint["properties"]["traffic"].get(name, 0) == 0, "deleting a deployment with traffic"
        self.deployments.discard(name)
        self.endpoint["properties"]["traffic"].pop(name, None)


@pytest.fixture
def arm():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeArm()
        fake.install(rsps)
        yield fake


def provider() -> TrafficSetterProvider:
    sleeps: list[float] = []
    return TrafficSetterProvider(
        client_factory=lambda: TrafficClient(ArmClient(credential=FakeCredential(), sleep=sleeps.append, poll_seconds=0))
    )


def test_create_applies_the_split_once_the_deployments_exist(arm):
    result = provider().create(dict(PROPS))
    assert arm.endpoint["properties"]["traffic"] == {"stable": 90, "canary": 10}
    assert result.id == ENDPOINT_ID
    assert result.outs["traffic"] == {"stable": 90, "canary": 10}
    assert result.outs["applied"] == {"stable": 90, "canary": 10}
    assert arm.polls == 2  # the PUT's operation was followed to the end


def test_update_moves_the_split_and_an_unchanged_split_is_not_put_again(arm):
    setter = provider()
    setter.create(dict(PROPS))
    news = dict(PROPS, traffic={"stable": 50, "canary": 50})
    diff = setter.diff(ENDPOINT_ID, dict(PROPS), news)
    assert diff.changes and not diff.replaces
    setter.update(ENDPOINT_ID, dict(PROPS), news)
    assert arm.endpoint["properties"]["traffic"] == {"stable": 50, "canary": 50}
    puts = len(arm.puts)
    setter.update(ENDPOINT_ID, news, news)
    assert len(arm.puts) == puts


def test_an_endpoint_update_reapplies_the_split(arm):
    setter = provider()
    setter.create(dict(PROPS))
    arm.endpoint["properties"]["traffic"] = {}  # azure-native PUT the endpoint without traffic
    news = dict(PROPS, endpoint_revision="r2")
    assert setter.diff(ENDPOINT_ID, dict(PROPS), news).changes
    setter.update(ENDPOINT_ID, dict(PROPS), news)
    assert arm.endpoint["properties"]["traffic"] == {"stable": 90, "canary": 10}


def test_removing_the_canary_moves_its_traffic_before_its_deployment_is_deleted(arm):
    setter = provider()
    setter.create(dict(PROPS))
    news = dict(PROPS, traffic={"stable": 100})
    setter.update(ENDPOINT_ID, dict(PROPS), news)  # Pulumi: updates first ...
    arm.delete_deployment("canary")  # ... then deletes what left the program
    assert arm.endpoint["properties"]["traffic"] == {"stable": 100}


def test_a_split_naming_a_missing_deployment_fails_the_update(arm):
    arm.deployments = {"stable"}
    with pytest.raises(ArmError, match="HTTP 400"):
        provider().create(dict(PROPS))


def test_a_split_not_summing_to_100_is_refused_before_any_call(arm):
    with pytest.raises(ValueError, match="does not sum to 100"):
        provider().create(dict(PROPS, traffic={"stable": 90, "canary": 20}))
    assert arm.puts == []


def test_delete_drains_every_deployment_so_they_can_be_deleted(arm):
    setter = provider()
    setter.create(dict(PROPS))
    setter.delete(ENDPOINT_ID, dict(PROPS, traffic={"stable": 90, "canary": 10}))
    assert arm.endpoint["properties"]["traffic"] == {"stable": 0, "canary": 0}
    arm.delete_deployment("stable")
    arm.delete_deployment("canary")


def test_delete_of_an_endpoint_already_gone_is_done(arm):
    arm.exists = False
    provider().delete(ENDPOINT_ID, dict(PROPS))
    assert arm.puts == []


def test_moving_to_another_endpoint_replaces():
    diff = TrafficSetterProvider().diff(ENDPOINT_ID, dict(PROPS), dict(PROPS, endpoint="other"))
    assert diff.replaces == ["endpoint"]


def test_no_change_is_no_diff():
    diff = TrafficSetterProvider().diff(ENDPOINT_ID, dict(PROPS), dict(PROPS, traffic={"stable": 90, "canary": 10}))
    assert not diff.changes


def test_a_failed_operation_fails_the_update():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeArm()
        fake.install(rsps)
        rsps.replace(responses.GET, OPERATION, json={"status": "Failed", "error": {"message": "quota"}})
        with pytest.raises(ArmError, match="Failed"):
            provider().create(dict(PROPS))
