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

    def __init__(self, deployments=("stable", "canary"), traffic=None, exists=True, put_status=201, operation_header="Azure-AsyncOperation"):
        self.deployments = set(deployments)
        self.exists = exists
        # How the PUT is answered: ARM may answer 200 *with* an Azure-AsyncOperation header, and without
        # a header the endpoint reports provisioningState Updating until the change is live.
        self.put_status = put_status
        self.operation_header = operation_header
        self.pending: dict | None = None
        self.updating_gets = 0
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
        if self.pending is not None and self.operation_header is None:
            self.updating_gets += 1
            if self.updating_gets > 1:  # no operation to follow: live on the second GET
                self._finish()
        return 200, {}, json.dumps(self.endpoint)

    def _finish(self):
        self.endpoint["properties"]["traffic"] = self.pending
        self.endpoint["properties"]["provisioningState"] = "Succeeded"
        self.pending = None

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
        # The new split is live once the operation finished, not when the PUT returns.
        self.pending = dict(traffic)
        self.updating_gets = 0
        self.endpoint["properties"]["provisioningState"] = "Updating"
        headers = {self.operation_header: OPERATION} if self.operation_header else {}
        return self.put_status, headers, json.dumps(self.endpoint)

    def _operation(self, request):
        self.polls += 1
        if self.operation_header == "Location":  # 202 while running, 200 once done
            if self.polls == 1:
                return 202, {"Retry-After": "0", "Location": OPERATION}, ""
            self._finish()
            return 200, {}, json.dumps(self.endpoint)
        status = "InProgress" if self.polls == 1 else "Succeeded"
        if status == "Succeeded" and self.pending is not None:
            self._finish()
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


@pytest.mark.parametrize(
    "put_status, header",
    [(200, "Azure-AsyncOperation"), (201, "Azure-AsyncOperation"), (200, "Location"), (202, "Location"), (200, None)],
)
def test_the_put_is_awaited_until_the_split_is_live_whatever_its_status(put_status, header):
    """ARM may answer the PUT 200 with an Azure-AsyncOperation header, or with no operation at all while
    provisioningState is Updating: the setter returns only once the split is live."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeArm(put_status=put_status, operation_header=header)
        fake.install(rsps)
        result = provider().create(dict(PROPS))
    assert fake.pending is None and fake.endpoint["properties"]["provisioningState"] == "Succeeded"
    assert result.outs["applied"] == {"stable": 90, "canary": 10}
    assert fake.polls == (2 if header else 0)


def test_an_endpoint_stuck_updating_fails_after_the_timeout():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeArm(put_status=200, operation_header=None)
        fake.install(rsps)
        fake._finish = lambda: None  # never becomes live
        setter = TrafficSetterProvider(
            client_factory=lambda: TrafficClient(
                ArmClient(credential=FakeCredential(), sleep=lambda _s: None, poll_seconds=0, timeout_seconds=0)
            )
        )
        with pytest.raises(ArmError, match="Updating"):
            setter.create(dict(PROPS))


# -- refresh: the live split is read back, and drift is a diff ------------------------------------------------


def test_refresh_reads_the_live_split_and_a_drifted_split_is_reapplied(arm):
    """After `pulumi refresh` the endpoint's traffic may have been lost (an endpoint PUT without traffic)
    or changed out of band: the setter's read reports it and the next `up` puts the spec's split back."""
    setter = provider()
    outs = setter.create(dict(PROPS)).outs
    arm.endpoint["properties"]["traffic"] = {}  # the endpoint serves nothing
    refreshed = setter.read(ENDPOINT_ID, dict(outs))
    assert refreshed.id == ENDPOINT_ID and refreshed.outs["applied"] == {}
    assert refreshed.outs["traffic"] == outs["traffic"]
    news = dict(PROPS)  # same spec, same endpoint revision
    diff = setter.diff(ENDPOINT_ID, refreshed.outs, news)
    assert diff.changes and not diff.replaces
    setter.update(ENDPOINT_ID, refreshed.outs, news)
    assert arm.endpoint["properties"]["traffic"] == {"stable": 90, "canary": 10}
    in_sync = setter.read(ENDPOINT_ID, dict(refreshed.outs, applied={"stable": 90, "canary": 10}))
    assert not setter.diff(ENDPOINT_ID, in_sync.outs, news).changes


def test_refresh_of_a_split_changed_out_of_band_is_a_diff(arm):
    setter = provider()
    outs = setter.create(dict(PROPS)).outs
    arm.endpoint["properties"]["traffic"] = {"stable": 100, "canary": 0}  # az ml online-endpoint update --traffic
    refreshed = setter.read(ENDPOINT_ID, dict(outs)).outs
    assert refreshed["applied"] == {"stable": 100, "canary": 0}
    assert setter.diff(ENDPOINT_ID, refreshed, dict(PROPS)).changes


def test_refresh_of_an_endpoint_gone_drops_the_setter(arm):
    setter = provider()
    outs = setter.create(dict(PROPS)).outs
    arm.exists = False
    assert not setter.read(ENDPOINT_ID, dict(outs)).id


# -- preview with unknown inputs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["endpoint", "resource_group", "workspace", "subscription_id"])
@pytest.mark.parametrize("unknown", ["Unknown()", "rpc.UNKNOWN"])
def test_an_unknown_identity_in_preview_is_changes_unknown_not_a_replace(key, unknown):
    from pulumi.output import Unknown
    from pulumi.runtime import rpc

    value = Unknown() if unknown == "Unknown()" else rpc.UNKNOWN
    diff = TrafficSetterProvider().diff(ENDPOINT_ID, dict(PROPS, applied={"stable": 90, "canary": 10}), dict(PROPS, **{key: value}))
    assert diff.changes is None and diff.replaces == []
    assert key not in diff.stables


def test_a_replaced_identity_is_not_listed_as_stable():
    diff = TrafficSetterProvider().diff(ENDPOINT_ID, dict(PROPS), dict(PROPS, endpoint="other"))
    assert diff.replaces == ["endpoint"] and "endpoint" not in diff.stables


# -- delete drains what the live endpoint routes to ----------------------------------------------------------------


def test_delete_after_a_deployment_was_removed_outside_pulumi_drains_the_rest():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeArm(deployments=("stable",), traffic={"stable": 100})  # canary deleted with `az ml`
        fake.install(rsps)
        provider().delete(ENDPOINT_ID, dict(PROPS, applied={"stable": 90, "canary": 10}))
    assert fake.endpoint["properties"]["traffic"] == {"stable": 0}
    fake.delete_deployment("stable")


def test_delete_of_an_endpoint_already_drained_puts_nothing():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeArm(traffic={"stable": 0, "canary": 0})
        fake.install(rsps)
        provider().delete(ENDPOINT_ID, dict(PROPS))
    assert fake.puts == []


# -- the provider the way Pulumi runs it: dill-serialized, loaded by another process, fed over the wire -----------

def test_the_serialized_provider_loads_in_pulumis_provider_process_and_diffs_engine_inputs(tmp_path):
    """`pulumi.dynamic` pickles the provider with dill; Pulumi starts its dynamic-provider process
    (`python -m pulumi.dynamic`, a gRPC server) elsewhere, which unpickles it and gets the engine's
    inputs over gRPC, unknowns (preview) included. Here that process runs from another directory."""
    import asyncio
    import os
    import subprocess
    import sys

    import grpc
    from pulumi.dynamic.dynamic import serialize_provider
    from pulumi.runtime import rpc
    from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

    serialized = serialize_provider(TrafficSetterProvider())
    olds = dict(PROPS, __provider=serialized, applied={"stable": 90, "canary": 10})
    news = dict(PROPS, __provider=serialized, applied=None)
    cases = [
        (olds, news, "DIFF_NONE", []),
        (olds, dict(news, traffic={"stable": 50, "canary": 50}), "DIFF_SOME", []),
        (dict(olds, applied={}), news, "DIFF_SOME", []),  # refreshed: the endpoint serves nothing
        (olds, dict(news, endpoint=rpc.UNKNOWN), "DIFF_UNKNOWN", []),  # preview: the endpoint is being replaced
        (olds, dict(news, endpoint="other"), "DIFF_SOME", ["endpoint"]),
    ]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    server = subprocess.Popen(
        [sys.executable, "-m", "pulumi.dynamic"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        port = int(server.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            for old, new, changes, replaces in cases:
                request = provider_pb2.DiffRequest(
                    id=ENDPOINT_ID,
                    urn="urn:pulumi:prod::mlplat::pulumi-python:dynamic:Resource::traffic",
                    olds=asyncio.run(rpc.serialize_properties(old, {})),
                    news=asyncio.run(rpc.serialize_properties(new, {})),
                )
                response = stub.Diff(request, timeout=180)
                assert provider_pb2.DiffResponse.DiffChanges.Name(response.changes) == changes, new
                assert list(response.replaces) == replaces
    finally:
        server.kill()
        server.wait(timeout=30)


def test_create_takes_and_returns_what_goes_over_the_wire(arm):
    import asyncio

    from pulumi.runtime import rpc

    def wire(props: dict) -> dict:
        return rpc.deserialize_properties(asyncio.run(rpc.serialize_properties(props, {})))

    sent = wire(dict(PROPS, traffic={"stable": 90, "canary": 10}, applied=None))
    assert sent["traffic"] == {"stable": 90.0, "canary": 10.0}  # numbers arrive as floats
    result = provider().create(sent)
    assert arm.endpoint["properties"]["traffic"] == {"stable": 90, "canary": 10}
    stored = wire(result.outs)
    assert stored["applied"] == {"stable": 90, "canary": 10} and stored["traffic"] == {"stable": 90, "canary": 10}
    # the next preview compares what the engine stored with what the program sends
    assert not provider().diff(ENDPOINT_ID, stored, sent).changes
