"""A faked Vertex AI for the deployer's tests: real GAPIC clients over a faked HTTP transport.

`aiplatform_v1.EndpointServiceClient` / `ModelServiceClient` are built with the REST transport and
anonymous credentials; the `responses` library answers their HTTP requests from `FakeVertex`, which
keeps an endpoint's deployed models, traffic split, models and operations the way Vertex AI does (the
"0" key of deployModel's split names the model being deployed; undeploy refuses a model that still has
traffic). Request building, proto types and JSON (de)serialisation are therefore exercised for real;
no live call is ever made. Test modules import the `fake` and `provider` fixtures from here.
"""

from __future__ import annotations

import asyncio
import json
import re
from urllib.parse import parse_qs, urlsplit

import pulumi
import pytest
import responses
from google.auth.credentials import AnonymousCredentials
from google.cloud import aiplatform_v1
from google.longrunning import operations_pb2
from google.protobuf import any_pb2, empty_pb2, json_format
from pulumi.runtime import rpc

from components.gcp.vertex_deployer import VertexClient, VertexDeployerProvider
from tests.support.dynamic import PREVIEW_UNKNOWN, as_engine_sends  # noqa: F401  (the deployer tests use both)

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
        request = aiplatform_v1.UploadModelRequest.from_json(json.dumps(body))
        model = request.model
        self.calls.append(("upload_model", {"model": model, "service_account": request.service_account}))
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


def version_props(name, weight, artifact, min_replicas=1, max_replicas=4):
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


def deployer_props(stable=90, canary=10, canary_artifact="gs://b/models/ep/canary/", replicas=(1, 4), **extra):
    versions = [version_props("stable", stable, "gs://b/models/ep/stable/", *replicas)]
    if canary:
        versions.append(version_props("canary", canary, canary_artifact, *replicas))
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




@pytest.fixture
def fake():
    vertex = FakeVertex()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        vertex.install(mock)
        yield vertex


@pytest.fixture
def provider(fake):
    options = {"api_endpoint": "us-central1-aiplatform.googleapis.com"}

    def client(props):
        return VertexClient(
            props["location"],
            aiplatform_v1.EndpointServiceClient(credentials=AnonymousCredentials(), transport="rest", client_options=options),
            aiplatform_v1.ModelServiceClient(credentials=AnonymousCredentials(), transport="rest", client_options=options),
            poll_seconds=0,
            psc_wait_seconds=fake.psc_wait_seconds,
        )

    return VertexDeployerProvider(client_factory=client)


def split_by_version(outs) -> dict[str, int]:
    return {name: outs["traffic_split"][item["deployed_model_id"]] for name, item in outs["deployed"].items()}
