"""The Vertex AI deployer (dynamic provider) against fake GAPIC clients: no live call is ever made.

The fakes keep an endpoint's deployed models and traffic split the way Vertex AI does (the "0" key
of deploy_model's split names the model being deployed; undeploy refuses a model that still has
traffic), so ordering mistakes in the provider fail here.
"""

from __future__ import annotations

import copy
import types

import pytest
from google.api_core.exceptions import NotFound
from google.cloud import aiplatform_v1

from components.gcp.vertex_deployer import REPLICA_MASK, VertexClient, VertexDeployerProvider, fingerprint

ENDPOINT = "projects/p/locations/us-central1/endpoints/123"


def _operation(result):
    return types.SimpleNamespace(result=lambda: result)


class FakeVertex:
    """EndpointServiceClient + ModelServiceClient stand-in with Vertex AI's traffic rules."""

    def __init__(self):
        self.deployed: dict[str, aiplatform_v1.DeployedModel] = {}
        self.traffic: dict[str, int] = {}
        self.models: dict[str, aiplatform_v1.Model] = {}
        self.calls: list[tuple[str, dict]] = []
        self._next = 1

    def _id(self) -> str:
        self._next += 1
        return str(1000 + self._next)

    # -- endpoint service ---------------------------------------------------------------------------
    def get_endpoint(self, name):
        self.calls.append(("get_endpoint", {"name": name}))
        return aiplatform_v1.Endpoint(
            name=name, deployed_models=list(self.deployed.values()), traffic_split=dict(self.traffic)
        )

    def deploy_model(self, endpoint, deployed_model, traffic_split):
        self.calls.append(("deploy_model", {"endpoint": endpoint, "deployed_model": deployed_model, "traffic_split": dict(traffic_split)}))
        assert deployed_model.model in self.models, "deploying a model that was never uploaded"
        assert sum(traffic_split.values()) == 100
        new_id = self._id()
        deployed = copy.deepcopy(deployed_model)
        deployed.id = new_id
        self.deployed[new_id] = deployed
        self.traffic = {(new_id if k == "0" else k): v for k, v in traffic_split.items()}
        return _operation(aiplatform_v1.DeployModelResponse(deployed_model=deployed))

    def undeploy_model(self, endpoint, deployed_model_id, traffic_split):
        self.calls.append(("undeploy_model", {"deployed_model_id": deployed_model_id, "traffic_split": dict(traffic_split)}))
        assert deployed_model_id in self.deployed
        assert traffic_split.get(deployed_model_id, 0) == 0, "undeploying a model that still has traffic"
        assert not traffic_split or sum(traffic_split.values()) == 100
        del self.deployed[deployed_model_id]
        self.traffic = {k: v for k, v in traffic_split.items() if k in self.deployed}
        return _operation(aiplatform_v1.UndeployModelResponse())

    def mutate_deployed_model(self, endpoint, deployed_model, update_mask):
        self.calls.append(("mutate_deployed_model", {"deployed_model": deployed_model, "paths": list(update_mask.paths)}))
        target = self.deployed[deployed_model.id]
        target.dedicated_resources.min_replica_count = deployed_model.dedicated_resources.min_replica_count
        target.dedicated_resources.max_replica_count = deployed_model.dedicated_resources.max_replica_count
        return _operation(aiplatform_v1.MutateDeployedModelResponse(deployed_model=target))

    def update_endpoint(self, endpoint, update_mask):
        self.calls.append(("update_endpoint", {"traffic_split": dict(endpoint.traffic_split), "paths": list(update_mask.paths)}))
        assert list(update_mask.paths) == ["traffic_split"]
        assert set(endpoint.traffic_split) <= set(self.deployed), "split names a model that is not deployed"
        assert sum(endpoint.traffic_split.values()) == 100
        self.traffic = dict(endpoint.traffic_split)
        return endpoint

    # -- model service ------------------------------------------------------------------------------
    def upload_model(self, parent, model):
        self.calls.append(("upload_model", {"parent": parent, "model": model}))
        name = f"{parent}/models/m{self._id()}"
        self.models[name] = model
        return _operation(aiplatform_v1.UploadModelResponse(model=name))

    def delete_model(self, name):
        self.calls.append(("delete_model", {"name": name}))
        assert not any(d.model == name for d in self.deployed.values()), "deleting a model still deployed"
        if name not in self.models:
            raise NotFound(f"model {name} not found")
        self.models.pop(name)
        return _operation(None)

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


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


def _props(stable=90, canary=10, canary_artifact="gs://b/models/ep/canary/", replicas=(1, 4)):
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
        "versions": versions,
    }


@pytest.fixture
def fake():
    return FakeVertex()


@pytest.fixture
def provider(fake):
    return VertexDeployerProvider(client_factory=lambda props: VertexClient(props["location"], fake, fake))


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


def test_create_is_idempotent_after_a_partial_run(provider, fake):
    first = provider.create(_props())
    uploads = fake.names().count("upload_model")
    again = provider.create(_props())  # e.g. the engine lost the state after the cloud calls succeeded
    assert fake.names().count("upload_model") == uploads
    assert fake.names().count("deploy_model") == 2
    assert len(fake.deployed) == 2
    assert again.outs["deployed"] == first.outs["deployed"]


def test_update_of_the_split_only_moves_traffic(provider, fake):
    created = provider.create(_props())
    fake.calls.clear()
    news = _props(stable=75, canary=25)
    assert provider.diff(ENDPOINT, created.outs, news).changes
    assert provider.diff(ENDPOINT, created.outs, news).replaces == []
    updated = provider.update(ENDPOINT, created.outs, news)
    assert [n for n in fake.names() if n != "get_endpoint"] == ["update_endpoint"]
    assert _split_by_version(updated.outs) == {"stable": 75, "canary": 25}
    assert fake.traffic == updated.outs["traffic_split"]


def test_update_of_a_canary_artifact_redeploys_it_before_retiring_the_old_one(provider, fake):
    created = provider.create(_props())
    old_canary = created.outs["deployed"]["canary"]
    fake.calls.clear()
    updated = provider.update(ENDPOINT, created.outs, _props(canary_artifact="gs://b/models/ep/canary-v2/"))
    names = [n for n in fake.names() if n != "get_endpoint"]
    assert names == ["upload_model", "deploy_model", "update_endpoint", "undeploy_model", "delete_model"]
    new_canary = updated.outs["deployed"]["canary"]
    assert new_canary["deployed_model_id"] != old_canary["deployed_model_id"]
    assert updated.outs["deployed"]["stable"] == created.outs["deployed"]["stable"]
    assert old_canary["model"] not in fake.models
    assert _split_by_version(updated.outs) == {"stable": 90, "canary": 10}


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


def test_moving_the_endpoint_replaces(provider):
    created = provider.create(_props())
    moved = dict(_props(), endpoint="projects/p/locations/us-central1/endpoints/456")
    assert provider.diff(ENDPOINT, created.outs, moved).replaces == ["endpoint"]


def test_fingerprint_ignores_weight_and_replicas():
    a = _version("stable", 90, "gs://b/x/")
    assert fingerprint(a) == fingerprint({**a, "weight": 50, "min_replicas": 3})
    assert fingerprint(a) != fingerprint({**a, "artifact_uri": "gs://b/y/"})
