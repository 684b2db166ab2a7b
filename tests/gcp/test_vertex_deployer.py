"""The Vertex AI deployer (dynamic provider) against the real GAPIC clients over a faked HTTP transport.

`aiplatform_v1.EndpointServiceClient` / `ModelServiceClient` are built with the REST transport and
anonymous credentials; the `responses` library answers their HTTP requests from `FakeVertex`, which
keeps an endpoint's deployed models, traffic split, models and operations the way Vertex AI does (the
"0" key of deployModel's split names the model being deployed; undeploy refuses a model that still has
traffic). Request building, proto types and JSON (de)serialisation are therefore exercised for real;
no live call is ever made.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from google.auth.credentials import AnonymousCredentials
from google.cloud import aiplatform_v1
from google.longrunning import operations_pb2
from google.protobuf import any_pb2, empty_pb2, json_format
from pulumi.runtime import rpc

from components.gcp.vertex_deployer import (
    OPERATION_TIMEOUT,
    REPLICA_MASK,
    VertexClient,
    VertexDeployerProvider,
    display_name,
    fingerprint,
)
from tests.support import dynamic
from tests.support.dynamic import dynamic_provider_server, rest_client

HOST = "https://us-central1-aiplatform.googleapis.com"
ENDPOINT = "projects/p/locations/us-central1/endpoints/123"
PARENT = "projects/p/locations/us-central1"


class FakeVertex:
    """Vertex AI's endpoint and model services behind HTTP, with Vertex AI's traffic rules."""

    def __init__(self):
        self.deployed: dict[str, aiplatform_v1.DeployedModel] = {}
        self.traffic: dict[str, int] = {}
        self.models: dict[str, aiplatform_v1.Model] = {}
        self.calls: list[tuple[str, dict]] = []
        self.operations: dict[str, operations_pb2.Operation] = {}
        self.on_poll: dict[str, callable] = {}  # operation name -> what finishing it does
        self.psc = None
        self.operations_page_size: int | None = None  # set: list_operations answers in pages
        self.psc_pending_reads = 0  # reads of the endpoint before PSC automation has its address
        self.psc_wait_seconds = 5.0  # how long the deployer's client waits for it
        self.gone = False  # the endpoint was deleted
        self._next = 1

    def _id(self) -> str:
        self._next += 1
        return str(1000 + self._next)

    # -- HTTP plumbing --------------------------------------------------------------------------------
    def install(self, mock: responses.RequestsMock) -> None:
        routes = [
            ("GET", rf"/v1/{ENDPOINT}$", self.get_endpoint),
            ("POST", rf"/v1/{ENDPOINT}:deployModel$", self.deploy_model),
            ("POST", rf"/v1/{ENDPOINT}:undeployModel$", self.undeploy_model),
            ("POST", rf"/v1/{ENDPOINT}:mutateDeployedModel$", self.mutate_deployed_model),
            ("PATCH", rf"/v1/{ENDPOINT}$", self.update_endpoint),
            ("GET", rf"/(v1|ui)/{ENDPOINT}/operations$", self.list_operations),
            ("GET", rf"/(v1|ui)/{ENDPOINT}/operations/[^/]+$", self.get_operation),
            ("POST", rf"/v1/{PARENT}/models:upload$", self.upload_model),
            ("GET", rf"/v1/{PARENT}/models$", self.list_models),
            ("PATCH", rf"/v1/{PARENT}/models/[^/:]+$", self.update_model),
            ("DELETE", rf"/v1/{PARENT}/models/[^/:]+$", self.delete_model),
        ]
        for method, path, handler in routes:
            url = re.compile(re.escape(HOST) + path.rstrip("$") + r"(\?.*)?$")
            mock.add_callback(method, url, callback=self._wrap(handler))

    @staticmethod
    def _wrap(handler):
        def callback(request):
            path = request.path_url.split("?")[0]
            body = json.loads(request.body) if request.body else {}
            query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
            status, payload = handler(path=path, body=body, query=query)
            return status, {"Content-Type": "application/json"}, json.dumps(payload)

        return callback

    @staticmethod
    def _message(message) -> dict:
        return json.loads(type(message).to_json(message))

    @staticmethod
    def _done(name: str, response) -> dict:
        packed = any_pb2.Any()
        packed.Pack(type(response).pb(response))
        return json_format.MessageToDict(operations_pb2.Operation(name=name, done=True, response=packed))

    def _error(self, status: int, message: str):
        return status, {"error": {"code": status, "message": message, "status": "FAILED_PRECONDITION"}}

    # -- endpoint service ---------------------------------------------------------------------------
    def get_endpoint(self, path, body, query):
        self.calls.append(("get_endpoint", {}))
        if self.gone:
            return 404, {"error": {"code": 404, "message": f"endpoint {ENDPOINT} not found", "status": "NOT_FOUND"}}
        endpoint = aiplatform_v1.Endpoint(
            name=ENDPOINT, deployed_models=list(self.deployed.values()), traffic_split=dict(self.traffic)
        )
        if self.psc:
            endpoint.private_service_connect_config = self.psc
            endpoint.dedicated_endpoint_dns = "123.us-central1-42.prediction.vertexai.goog"
            if self.psc_pending_reads > 0:  # PSC automation still running: no address, no state yet
                self.psc_pending_reads -= 1
                pending = aiplatform_v1.PrivateServiceConnectConfig(self.psc)
                pending.psc_automation_configs = [
                    aiplatform_v1.PSCAutomationConfig(project_id=c.project_id, network=c.network)
                    for c in self.psc.psc_automation_configs
                ]
                endpoint.private_service_connect_config = pending
        return 200, self._message(endpoint)

    def deploy_model(self, path, body, query):
        request = aiplatform_v1.DeployModelRequest.from_json(json.dumps(body))
        deployed_model, traffic_split = request.deployed_model, dict(request.traffic_split)
        self.calls.append(("deploy_model", {"deployed_model": deployed_model, "traffic_split": traffic_split}))
        if deployed_model.model not in self.models:
            return self._error(400, "deploying a model that was never uploaded")
        if sum(traffic_split.values()) != 100:
            return self._error(400, "traffic split must sum to 100")
        new_id = self._id()
        deployed = aiplatform_v1.DeployedModel(deployed_model)
        deployed.id = new_id
        self.deployed[new_id] = deployed
        self.traffic = {(new_id if k == "0" else k): v for k, v in traffic_split.items()}
        return 200, self._done(f"{ENDPOINT}/operations/d{new_id}", aiplatform_v1.DeployModelResponse(deployed_model=deployed))

    def undeploy_model(self, path, body, query):
        request = aiplatform_v1.UndeployModelRequest.from_json(json.dumps(body))
        deployed_model_id, traffic_split = request.deployed_model_id, dict(request.traffic_split)
        self.calls.append(("undeploy_model", {"deployed_model_id": deployed_model_id, "traffic_split": traffic_split}))
        if deployed_model_id not in self.deployed:
            return self._error(404, "no such deployed model")
        if traffic_split.get(deployed_model_id, 0) != 0:
            return self._error(400, "undeploying a model that still has traffic")
        if traffic_split and sum(traffic_split.values()) != 100:
            return self._error(400, "traffic split must sum to 100")
        del self.deployed[deployed_model_id]
        self.traffic = {k: v for k, v in traffic_split.items() if k in self.deployed}
        return 200, self._done(f"{ENDPOINT}/operations/u{deployed_model_id}", aiplatform_v1.UndeployModelResponse())

    def mutate_deployed_model(self, path, body, query):
        request = aiplatform_v1.MutateDeployedModelRequest.from_json(json.dumps(body))
        self.calls.append(("mutate_deployed_model", {"deployed_model": request.deployed_model, "paths": list(request.update_mask.paths)}))
        target = self.deployed[request.deployed_model.id]
        target.dedicated_resources.min_replica_count = request.deployed_model.dedicated_resources.min_replica_count
        target.dedicated_resources.max_replica_count = request.deployed_model.dedicated_resources.max_replica_count
        return 200, self._done(f"{ENDPOINT}/operations/m1", aiplatform_v1.MutateDeployedModelResponse(deployed_model=target))

    def update_endpoint(self, path, body, query):
        endpoint = aiplatform_v1.Endpoint.from_json(json.dumps(body))
        paths = query.get("updateMask", "").split(",")
        self.calls.append(("update_endpoint", {"traffic_split": dict(endpoint.traffic_split), "paths": paths}))
        if paths != ["trafficSplit"] and paths != ["traffic_split"]:
            return self._error(400, f"unexpected update mask {paths}")
        if not set(endpoint.traffic_split) <= set(self.deployed):
            return self._error(400, "split names a model that is not deployed")
        if sum(endpoint.traffic_split.values()) != 100:
            return self._error(400, "traffic split must sum to 100")
        self.traffic = dict(endpoint.traffic_split)
        return 200, self._message(aiplatform_v1.Endpoint(name=ENDPOINT, traffic_split=self.traffic))

    def list_operations(self, path, body, query):
        token = query.get("pageToken") or query.get("page_token") or ""
        self.calls.append(("list_operations", {"page_token": token}))
        operations = list(self.operations.values())
        if self.operations_page_size is None:
            return 200, json_format.MessageToDict(operations_pb2.ListOperationsResponse(operations=operations))
        start = int(token or 0)
        end = start + self.operations_page_size
        listed = operations_pb2.ListOperationsResponse(
            operations=operations[start:end], next_page_token=str(end) if end < len(operations) else ""
        )
        return 200, json_format.MessageToDict(listed)

    def get_operation(self, path, body, query):
        name = path.split("/", 2)[2]
        self.calls.append(("get_operation", {"name": name}))
        finish = self.on_poll.pop(name, None)
        if finish is not None:
            finish()
            self.operations[name] = operations_pb2.Operation(name=name, done=True)
        return 200, json_format.MessageToDict(self.operations[name])

    # -- model service ------------------------------------------------------------------------------
    def upload_model(self, path, body, query):
        model = aiplatform_v1.UploadModelRequest.from_json(json.dumps(body)).model
        self.calls.append(("upload_model", {"model": model}))
        name = f"{PARENT}/models/m{self._id()}"
        model.name = name
        self.models[name] = model
        return 200, self._done(f"{name}/operations/1", aiplatform_v1.UploadModelResponse(model=name))

    def list_models(self, path, body, query):
        wanted = re.fullmatch(r'display_name="(.*)"', query.get("filter", ""))
        self.calls.append(("list_models", {"filter": query.get("filter")}))
        found = [m for m in self.models.values() if wanted and m.display_name == wanted.group(1)]
        return 200, self._message(aiplatform_v1.ListModelsResponse(models=found))

    def update_model(self, path, body, query):
        model = aiplatform_v1.Model.from_json(json.dumps(body))
        name = path.split("/v1/")[1]
        self.calls.append(("update_model", {"name": name, "labels": dict(model.labels), "mask": query.get("updateMask")}))
        self.models[name].labels = dict(model.labels)
        return 200, self._message(self.models[name])

    def delete_model(self, path, body, query):
        name = path.split("/v1/")[1]
        self.calls.append(("delete_model", {"name": name}))
        if any(d.model == name for d in self.deployed.values()):
            return self._error(400, "deleting a model still deployed")
        if name not in self.models:
            return 404, {"error": {"code": 404, "message": f"model {name} not found", "status": "NOT_FOUND"}}
        self.models.pop(name)
        packed = any_pb2.Any()
        packed.Pack(empty_pb2.Empty())  # what Vertex AI answers: google.protobuf.Empty
        return 200, json_format.MessageToDict(operations_pb2.Operation(name=f"{name}/operations/del", done=True, response=packed))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def changes(self) -> list[str]:
        reads = {"get_endpoint", "list_operations", "get_operation", "list_models"}
        return [name for name in self.names() if name not in reads]


def _version(name, weight, artifact, min_replicas=1, max_replicas=4):
    return {
        "name": name,
        "weight": weight,
        "image": "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest",
        "default_image": True,
        "artifact_uri": artifact,
        "machine_type": "n1-standard-4",
        "accelerator_type": None,
        "accelerator_count": None,
        "min_replicas": min_replicas,
        "max_replicas": max_replicas,
    }


def _props(stable=90, canary=10, canary_artifact="gs://b/models/ep/canary/", replicas=(1, 4), **extra):
    versions = [_version("stable", stable, "gs://b/models/ep/stable/", *replicas)]
    if canary:
        versions.append(_version("canary", canary, canary_artifact, *replicas))
    return {
        "project": "p",
        "location": "us-central1",
        "endpoint": ENDPOINT,
        "display_name": "fraud-ml-dev-ep",
        "labels": {"use-case": "fraud-scoring"},
        "kms_key": None,
        "service_account": "workloads@p.iam.gserviceaccount.com",
        "private": False,
        "versions": versions,
        **extra,
    }


PREVIEW_UNKNOWN = dynamic.PREVIEW_UNKNOWN
_as_engine_sends = dynamic.as_engine_sends


@pytest.fixture
def fake():
    vertex = FakeVertex()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        vertex.install(mock)
        yield vertex


@pytest.fixture
def provider(fake):
    def client(props):
        return VertexClient(
            props["location"],
            rest_client(aiplatform_v1.EndpointServiceClient),
            rest_client(aiplatform_v1.ModelServiceClient),
            poll_seconds=0,
            psc_wait_seconds=fake.psc_wait_seconds,
        )

    return VertexDeployerProvider(client_factory=client)


def _split_by_version(outs) -> dict[str, int]:
    return {name: outs["traffic_split"][item["deployed_model_id"]] for name, item in outs["deployed"].items()}


def test_create_uploads_deploys_and_splits(provider, fake):
    result = provider.create(_props())
    assert result.id == ENDPOINT
    assert fake.names().count("upload_model") == 2 and fake.names().count("deploy_model") == 2
    assert _split_by_version(result.outs) == {"stable": 90, "canary": 10}
    assert fake.traffic == result.outs["traffic_split"]
    for deployed in fake.deployed.values():
        assert deployed.dedicated_resources.min_replica_count == 1
        assert deployed.dedicated_resources.max_replica_count == 4
        assert deployed.dedicated_resources.machine_spec.machine_type == "n1-standard-4"
        assert deployed.service_account == "workloads@p.iam.gserviceaccount.com"
    uploaded = [args["model"] for name, args in fake.calls if name == "upload_model"]
    assert {m.artifact_uri for m in uploaded} == {"gs://b/models/ep/stable/", "gs://b/models/ep/canary/"}
    assert all(m.labels["use-case"] == "fraud-scoring" for m in uploaded)


def test_engine_floats_are_sent_as_integers(provider, fake):
    """The engine turns 1 into 1.0; proto integer fields refuse floats (TypeError) unless converted."""
    props = _props(replicas=(1, 4))
    props["versions"][0].update(machine_type="g2-standard-4", accelerator_type="NVIDIA_L4", accelerator_count=1)
    sent = _as_engine_sends(props)
    assert isinstance(sent["versions"][0]["min_replicas"], float)  # the premise
    created = provider.create(sent)
    stable = fake.deployed[created.outs["deployed"]["stable"]["deployed_model_id"]]
    assert stable.dedicated_resources.machine_spec.accelerator_count == 1
    assert stable.dedicated_resources.machine_spec.accelerator_type == aiplatform_v1.AcceleratorType.NVIDIA_L4
    assert (stable.dedicated_resources.min_replica_count, stable.dedicated_resources.max_replica_count) == (1, 4)
    # Replica changes and split changes take the same float route.
    updated = provider.update(ENDPOINT, _as_engine_sends(created.outs), _as_engine_sends(_props(75, 25, replicas=(2, 6)) | {"versions": [
        {**sent["versions"][0], "weight": 75.0, "min_replicas": 2.0, "max_replicas": 6.0},
        {**sent["versions"][1], "weight": 25.0, "min_replicas": 2.0, "max_replicas": 6.0},
    ]}))
    assert _split_by_version(updated.outs) == {"stable": 75, "canary": 25}
    assert {(d.dedicated_resources.min_replica_count, d.dedicated_resources.max_replica_count) for d in fake.deployed.values()} == {(2, 6)}
    assert fingerprint(props, props["versions"][0]) == fingerprint(sent, sent["versions"][0])


def test_create_is_idempotent_after_a_partial_run(provider, fake):
    first = provider.create(_props())
    uploads = fake.names().count("upload_model")
    again = provider.create(_props())  # e.g. the engine lost the state after the cloud calls succeeded
    assert fake.names().count("upload_model") == uploads
    assert fake.names().count("deploy_model") == 2
    assert len(fake.deployed) == 2
    assert again.outs["deployed"] == first.outs["deployed"]


def test_a_rerun_reuses_a_model_uploaded_by_a_timed_out_run(provider, fake):
    props = _props(canary=0, stable=100)
    version = props["versions"][0]
    orphan = f"{PARENT}/models/uploaded-earlier"
    fake.models[orphan] = aiplatform_v1.Model(name=orphan, display_name=display_name(props, version))
    created = provider.create(props)
    assert "upload_model" not in fake.names()
    assert created.outs["deployed"]["stable"]["model"] == orphan


def test_a_rerun_waits_for_a_deployment_still_in_flight_and_adopts_it(provider, fake):
    props = _props(canary=0, stable=100)
    version = props["versions"][0]
    model = f"{PARENT}/models/m-inflight"
    fake.models[model] = aiplatform_v1.Model(name=model, display_name=display_name(props, version))
    pending = f"{ENDPOINT}/operations/777"
    fake.operations[pending] = operations_pb2.Operation(name=pending, done=False)

    def finish():  # the previous run's deployModel completes while this run waits
        fake.deployed["555"] = aiplatform_v1.DeployedModel(id="555", model=model, display_name=display_name(props, version))
        fake.traffic = {"555": 100}

    fake.on_poll[pending] = finish
    created = provider.create(props)
    assert "get_operation" in fake.names()
    assert "deploy_model" not in fake.names() and "upload_model" not in fake.names()
    assert created.outs["deployed"]["stable"]["deployed_model_id"] == "555"
    assert list(fake.deployed) == ["555"]


def test_the_wait_reads_every_page_of_operations_and_skips_finished_ones(provider, fake):
    props = _props(canary=0, stable=100)
    version = props["versions"][0]
    model = f"{PARENT}/models/m-inflight"
    fake.models[model] = aiplatform_v1.Model(name=model, display_name=display_name(props, version))
    for n in range(3):  # the endpoint's history: finished operations first
        done = f"{ENDPOINT}/operations/{n}"
        fake.operations[done] = operations_pb2.Operation(name=done, done=True)
    pending = f"{ENDPOINT}/operations/777"  # on the second page
    fake.operations[pending] = operations_pb2.Operation(name=pending, done=False)
    fake.operations_page_size = 2

    def finish():
        fake.deployed["555"] = aiplatform_v1.DeployedModel(id="555", model=model, display_name=display_name(props, version))
        fake.traffic = {"555": 100}

    fake.on_poll[pending] = finish
    created = provider.create(props)
    assert [args["page_token"] for name, args in fake.calls if name == "list_operations"] == ["", "2"]
    assert [args["name"] for name, args in fake.calls if name == "get_operation"] == [pending]  # done ones not polled
    assert "deploy_model" not in fake.names()
    assert created.outs["deployed"]["stable"]["deployed_model_id"] == "555"


def test_long_running_operations_wait_an_hour():
    assert OPERATION_TIMEOUT >= 3600


def test_update_of_the_split_only_moves_traffic(provider, fake):
    created = provider.create(_props())
    fake.calls.clear()
    news = _props(stable=75, canary=25)
    assert provider.diff(ENDPOINT, created.outs, news).changes
    assert provider.diff(ENDPOINT, created.outs, news).replaces == []
    updated = provider.update(ENDPOINT, created.outs, news)
    assert fake.changes() == ["update_endpoint"]
    assert _split_by_version(updated.outs) == {"stable": 75, "canary": 25}
    assert fake.traffic == updated.outs["traffic_split"]


def test_update_of_a_canary_artifact_redeploys_it_before_retiring_the_old_one(provider, fake):
    created = provider.create(_props())
    old_canary = created.outs["deployed"]["canary"]
    fake.calls.clear()
    updated = provider.update(ENDPOINT, created.outs, _props(canary_artifact="gs://b/models/ep/canary-v2/"))
    assert fake.changes() == ["upload_model", "deploy_model", "update_endpoint", "undeploy_model", "delete_model"]
    new_canary = updated.outs["deployed"]["canary"]
    assert new_canary["deployed_model_id"] != old_canary["deployed_model_id"]
    assert updated.outs["deployed"]["stable"] == created.outs["deployed"]["stable"]
    assert old_canary["model"] not in fake.models
    assert _split_by_version(updated.outs) == {"stable": 90, "canary": 10}


def _undeploy_outside_pulumi(fake, deployed_model_id):
    """What `gcloud ai endpoints undeploy-model` (or the console) does: traffic first, then undeploy."""
    fake.deployed.pop(deployed_model_id)
    rest = {k: v for k, v in fake.traffic.items() if k in fake.deployed}
    fake.traffic = {k: (100 if i == 0 else 0) for i, k in enumerate(rest)} if rest else {}


def test_a_version_undeployed_outside_pulumi_is_redeployed_and_its_model_kept(provider, fake):
    created = provider.create(_props())
    canary = created.outs["deployed"]["canary"]
    _undeploy_outside_pulumi(fake, canary["deployed_model_id"])
    fake.calls.clear()
    updated = provider.update(ENDPOINT, created.outs, _props())  # same inputs: the state is stale
    assert "upload_model" not in fake.names()  # the uploaded model is reused...
    assert "delete_model" not in fake.names()  # ...and never deleted while deployed
    redeployed = updated.outs["deployed"]["canary"]
    assert redeployed["model"] == canary["model"] and redeployed["deployed_model_id"] != canary["deployed_model_id"]
    assert canary["model"] in fake.models
    assert fake.deployed[redeployed["deployed_model_id"]].model == canary["model"]
    assert _split_by_version(updated.outs) == {"stable": 90, "canary": 10} and fake.traffic == updated.outs["traffic_split"]
    # ...and the next run is a no-op, not the same failure again.
    fake.calls.clear()
    provider.update(ENDPOINT, updated.outs, _props())
    assert fake.changes() == ["update_endpoint"]


def test_an_endpoint_emptied_outside_pulumi_gets_every_version_back(provider, fake):
    created = provider.create(_props())
    for item in created.outs["deployed"].values():
        _undeploy_outside_pulumi(fake, item["deployed_model_id"])
    assert fake.deployed == {} and fake.traffic == {}
    fake.calls.clear()
    updated = provider.update(ENDPOINT, created.outs, _props())
    deploys = [args["traffic_split"] for name, args in fake.calls if name == "deploy_model"]
    # The first deploy takes all traffic; the second joins the first one's 100, not a split of 0.
    assert deploys[0] == {"0": 100}
    assert deploys[1] == {updated.outs["deployed"]["stable"]["deployed_model_id"]: 100, "0": 0}
    assert _split_by_version(updated.outs) == {"stable": 90, "canary": 10} and fake.traffic == updated.outs["traffic_split"]
    assert "delete_model" not in fake.names()


def test_delete_keeps_a_model_that_another_deployed_model_still_serves(provider, fake):
    created = provider.create(_props(canary=0, stable=100))
    stable = created.outs["deployed"]["stable"]
    # Someone deployed the same model a second time on the endpoint, outside Pulumi.
    fake.deployed["999"] = aiplatform_v1.DeployedModel(id="999", model=stable["model"], display_name="manual")
    fake.traffic = {stable["deployed_model_id"]: 0, "999": 100}
    provider.delete(ENDPOINT, created.outs)
    assert list(fake.deployed) == ["999"] and stable["model"] in fake.models
    assert "delete_model" not in fake.names()


@pytest.mark.parametrize(
    "change",
    [
        {"service_account": "other@p.iam.gserviceaccount.com"},
        {"kms_key": "projects/p/locations/us-central1/keyRings/r/cryptoKeys/k"},
    ],
    ids=["service-account", "kms-key"],
)
def test_a_key_or_service_account_change_redeploys_every_version(provider, fake, change):
    created = provider.create(_props())
    fake.calls.clear()
    news = _props(**change)
    assert provider.diff(ENDPOINT, created.outs, news).changes
    updated = provider.update(ENDPOINT, created.outs, news)
    assert fake.names().count("deploy_model") == 2 and fake.names().count("undeploy_model") == 2
    for deployed in fake.deployed.values():
        assert deployed.service_account == news["service_account"]
    for item in updated.outs["deployed"].values():
        uploaded = fake.models[item["model"]]
        assert uploaded.encryption_spec.kms_key_name == (news["kms_key"] or "")


def test_a_label_change_relabels_the_models_in_place(provider, fake):
    created = provider.create(_props())
    fake.calls.clear()
    updated = provider.update(ENDPOINT, created.outs, _props(labels={"use-case": "fraud-scoring", "team": "risk"}))
    assert fake.changes() == ["update_model", "update_model", "update_endpoint"]
    assert all(m.labels == {"use-case": "fraud-scoring", "team": "risk"} for m in fake.models.values())
    assert updated.outs["deployed"] == created.outs["deployed"]


def test_promotion_removes_the_canary(provider, fake):
    created = provider.create(_props())
    canary = created.outs["deployed"]["canary"]
    updated = provider.update(ENDPOINT, created.outs, _props(stable=100, canary=0))
    assert set(updated.outs["deployed"]) == {"stable"}
    assert canary["deployed_model_id"] not in fake.deployed and canary["model"] not in fake.models
    assert fake.traffic == {created.outs["deployed"]["stable"]["deployed_model_id"]: 100}


def test_update_of_replicas_mutates_in_place(provider, fake):
    created = provider.create(_props())
    fake.calls.clear()
    provider.update(ENDPOINT, created.outs, _props(replicas=(2, 6)))
    mutations = [args for name, args in fake.calls if name == "mutate_deployed_model"]
    assert len(mutations) == 2 and all(m["paths"] == REPLICA_MASK for m in mutations)
    assert "deploy_model" not in fake.names() and "undeploy_model" not in fake.names()
    assert {(d.dedicated_resources.min_replica_count, d.dedicated_resources.max_replica_count) for d in fake.deployed.values()} == {(2, 6)}


def test_delete_undeploys_and_deletes_everything_it_owns(provider, fake):
    created = provider.create(_props())
    provider.delete(ENDPOINT, created.outs)
    assert fake.deployed == {} and fake.models == {} and fake.traffic == {}
    # Deleting again (already gone) is fine.
    provider.delete(ENDPOINT, created.outs)


def _psc_config():
    return aiplatform_v1.PrivateServiceConnectConfig(
        enable_private_service_connect=True,
        project_allowlist=["p"],
        psc_automation_configs=[
            aiplatform_v1.PSCAutomationConfig(
                project_id="p", network="projects/42/global/networks/vpc", ip_address="10.0.0.7",
                forwarding_rule="projects/p/regions/us-central1/forwardingRules/fr-1",
                state=aiplatform_v1.PSCAutomationState.PSC_AUTOMATION_STATE_SUCCESSFUL,
            )
        ],
    )


def test_private_endpoints_report_the_psc_address(provider, fake):
    fake.psc = _psc_config()
    created = provider.create(_props(private=True))
    assert created.outs["private_access"]["ip_address"] == "10.0.0.7"
    assert created.outs["private_access"]["dedicated_endpoint_dns"] == "123.us-central1-42.prediction.vertexai.goog"
    public = provider.create(_props(private=False))
    assert public.outs["private_access"]["ip_address"] is None


def test_the_deployer_waits_for_psc_automation_to_give_the_address(provider, fake):
    fake.psc = _psc_config()
    fake.psc_pending_reads = 4  # create reads the endpoint once before deploying, then polls
    created = provider.create(_props(private=True))
    assert created.outs["private_access"]["ip_address"] == "10.0.0.7"
    assert created.outs["private_access"]["forwarding_rule"].endswith("/fr-1")


def test_a_psc_address_that_comes_late_is_filled_in_by_the_next_up_or_a_refresh(provider, fake):
    fake.psc = _psc_config()
    fake.psc_wait_seconds = 0  # the address is not there within the wait
    fake.psc_pending_reads = 10**6
    created = provider.create(_props(private=True))
    assert created.outs["private_access"]["ip_address"] is None and created.outs["private_access"]["psc_error"] is None
    # Nothing changed in the spec, but the state lacks the address: the next up is an update that re-reads it.
    assert provider.diff(ENDPOINT, created.outs, _props(private=True)).changes
    fake.psc_pending_reads = 0
    updated = provider.update(ENDPOINT, created.outs, _props(private=True))
    assert updated.outs["private_access"]["ip_address"] == "10.0.0.7"
    assert updated.outs["deployed"] == created.outs["deployed"]
    assert not provider.diff(ENDPOINT, updated.outs, _props(private=True)).changes  # and then it is settled
    # `pulumi refresh` reads it too.
    refreshed = provider.read(ENDPOINT, created.outs)
    assert refreshed.id == ENDPOINT and refreshed.outs["private_access"]["ip_address"] == "10.0.0.7"
    assert refreshed.outs["deployed"] == created.outs["deployed"]


def test_a_failed_psc_automation_is_reported_not_waited_for(provider, fake):
    fake.psc = _psc_config()
    fake.psc.psc_automation_configs[0].ip_address = ""
    fake.psc.psc_automation_configs[0].forwarding_rule = ""
    fake.psc.psc_automation_configs[0].state = aiplatform_v1.PSCAutomationState.PSC_AUTOMATION_STATE_FAILED
    fake.psc.psc_automation_configs[0].error_message = "no service connection policy for gcp-vertexai"
    fake.psc_wait_seconds = 3600  # would hang the test if a failure were waited on
    created = provider.create(_props(private=True))
    assert created.outs["private_access"]["psc_error"] == "no service connection policy for gcp-vertexai"
    assert created.outs["private_access"]["ip_address"] is None
    assert not provider.diff(ENDPOINT, created.outs, _props(private=True)).changes  # an error is not retried each up


def test_refresh_of_a_deleted_endpoint_reports_the_deployment_gone(provider, fake):
    created = provider.create(_props())
    assert provider.read(ENDPOINT, created.outs).outs["deployed"] == created.outs["deployed"]
    fake.gone = True
    assert provider.read(ENDPOINT, created.outs).id == ""


def test_moving_the_endpoint_replaces(provider):
    created = provider.create(_props())
    moved = dict(_props(), endpoint="projects/p/locations/us-central1/endpoints/456")
    assert provider.diff(ENDPOINT, created.outs, moved).replaces == ["endpoint"]


def test_a_moved_endpoint_is_not_listed_as_stable(provider):
    created = provider.create(_props())
    moved = dict(_props(), endpoint="projects/p/locations/us-central1/endpoints/456")
    result = provider.diff(ENDPOINT, created.outs, moved)
    assert result.replaces == ["endpoint"] and "endpoint" not in result.stables
    assert provider.diff(ENDPOINT, created.outs, _props()).stables == ["project", "location", "endpoint"]


@pytest.mark.parametrize(
    "unknown",
    [
        {"endpoint": PREVIEW_UNKNOWN},  # the AiEndpoint is changing in the same preview
        {"service_account": PREVIEW_UNKNOWN},  # the workload account is changing
        {"versions": [dict(_version("stable", 100, "gs://b/x/"), artifact_uri=PREVIEW_UNKNOWN)]},  # the bucket is changing
    ],
    ids=["endpoint", "service-account", "artifact-uri"],
)
def test_preview_unknowns_are_changes_not_replacements(provider, unknown):
    created = provider.create(_props())
    olds = _as_engine_sends(created.outs, keep_unknowns=True)
    news = _as_engine_sends(_props(**unknown), keep_unknowns=True)  # what Diff receives in a preview
    result = provider.diff(ENDPOINT, olds, news)
    assert result.changes is True
    assert result.replaces == []
    assert not set(unknown) & set(result.stables)
    # Nothing unknown and nothing changed: no diff (the round trip itself adds no change).
    assert not provider.diff(ENDPOINT, olds, _as_engine_sends(_props(), keep_unknowns=True)).changes


def test_the_deployer_impersonates_the_configured_account(monkeypatch):
    import google.auth
    from google.auth import impersonated_credentials

    source = AnonymousCredentials()
    monkeypatch.setattr(google.auth, "default", lambda scopes=None, **_: (source, "p"))
    props = _props(impersonate_service_account="deployer@p.iam.gserviceaccount.com", impersonate_delegates=["hop@p.iam.gserviceaccount.com"])
    client = VertexDeployerProvider().client(props)  # the real client, as `pulumi up` builds it
    for gapic in (client.endpoints, client.models):
        used = gapic._transport._credentials
        assert isinstance(used, impersonated_credentials.Credentials)
        assert used.service_account_email == "deployer@p.iam.gserviceaccount.com"
        assert used._delegates == ["hop@p.iam.gserviceaccount.com"]
    # Not configured: Application Default Credentials as they are.
    plain = VertexDeployerProvider().client(_props())
    assert plain.endpoints._transport._credentials is source


def test_fingerprint_ignores_weight_replicas_and_labels_but_not_key_or_account():
    props = _props()
    a = _version("stable", 90, "gs://b/x/")
    assert fingerprint(props, a) == fingerprint(props, {**a, "weight": 50, "min_replicas": 3})
    assert fingerprint(props, a) == fingerprint({**props, "labels": {"x": "y"}}, a)
    assert fingerprint(props, a) != fingerprint(props, {**a, "artifact_uri": "gs://b/y/"})
    assert fingerprint(props, a) != fingerprint({**props, "kms_key": "k"}, a)
    assert fingerprint(props, a) != fingerprint({**props, "service_account": "s"}, a)


# -- the provider the way Pulumi runs it: dill-serialized, loaded by another process, fed over the wire -----------

_wire = dynamic.wire


def test_the_serialized_provider_loads_in_another_process_and_diffs_engine_inputs(provider, tmp_path):
    """`pulumi.dynamic` pickles the provider with dill; the engine starts the dynamic-provider plugin
    (`python -m pulumi.dynamic`) elsewhere, which unpickles it and gets the engine's inputs over gRPC,
    unknowns (preview) included. This runs that very server in another working directory and talks
    gRPC to it."""
    import os

    from pulumi.dynamic.dynamic import serialize_provider
    from pulumi.runtime.proto import provider_pb2

    serialized = serialize_provider(VertexDeployerProvider())  # what VertexDeployment stores
    stored = _as_engine_sends(provider.create(_props()).outs)  # the state after create
    olds = dict(stored, __provider=serialized)
    news = dict(_props(), __provider=serialized)
    cases = [
        (news, "DIFF_NONE", []),
        (dict(_props(stable=75, canary=25), __provider=serialized), "DIFF_SOME", []),
        (dict(news, endpoint=rpc.UNKNOWN), "DIFF_SOME", []),  # preview: the endpoint is being replaced
        (dict(news, endpoint="projects/p/locations/us-central1/endpoints/456"), "DIFF_SOME", ["endpoint"]),
        (dict(news, project="q"), "DIFF_SOME", ["project"]),
    ]
    with dynamic_provider_server(tmp_path) as stub:
        for new, changes, replaces in cases:
            response = stub.Diff(provider_pb2.DiffRequest(id=ENDPOINT, olds=_wire(olds), news=_wire(new)), timeout=120)
            assert (provider_pb2.DiffResponse.DiffChanges.Name(response.changes), list(response.replaces)) == (changes, replaces)
    assert str(tmp_path) != os.getcwd()


def test_create_takes_and_returns_what_goes_over_the_wire(provider, fake):
    sent = _as_engine_sends(_props())  # what Create receives: numbers as floats
    assert sent["versions"][0]["weight"] == 90.0 and isinstance(sent["versions"][0]["weight"], float)
    created = provider.create(sent)
    assert _split_by_version(created.outs) == {"stable": 90, "canary": 10}
    stored = _as_engine_sends(created.outs)  # what the engine keeps as the state
    assert stored["deployed"] == created.outs["deployed"]
    # The next preview compares the state with what the program sends (unknowns kept): no change...
    assert not provider.diff(ENDPOINT, _as_engine_sends(created.outs, keep_unknowns=True), _as_engine_sends(_props(), keep_unknowns=True)).changes
    # ...and the next update starts from the stored state: nothing is redeployed.
    fake.calls.clear()
    provider.update(ENDPOINT, stored, _as_engine_sends(_props(stable=80, canary=20)))
    assert fake.changes() == ["update_endpoint"]
