"""Deploys model versions onto a Vertex AI endpoint and sets the traffic split: a Pulumi dynamic provider.

pulumi-gcp creates the endpoint (`gcp.vertex.AiEndpoint`) but cannot upload a model or deploy it onto
an endpoint (hashicorp/terraform-provider-google#15303), so this resource does that part with
google-cloud-aiplatform (imported lazily, inside the client):

- create: per version, upload the model and deploy it with its machine and min/max replicas (or reuse
  a deployed model of the same fingerprint found on the endpoint: a re-run after a partial failure
  converges instead of duplicating); then set the traffic split.
- update: a version whose image, artifact or machine changed is uploaded and deployed anew, then
  traffic moves, then the old deployed model is undeployed and its model deleted; a replica change
  mutates the deployed model in place; a split change updates the endpoint's traffic split only.
- delete: moves traffic away, undeploys every deployed model this resource owns, deletes its models.

All cloud calls go through `VertexClient`, whose GAPIC clients can be passed in (tests pass fakes).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

# Custom images follow one container contract on every cloud: port 8080, GET /ping, POST /invocations.
CONTAINER_PORT = 8080
HEALTH_ROUTE = "/ping"
PREDICT_ROUTE = "/invocations"
REPLICA_MASK = ["dedicated_resources.min_replica_count", "dedicated_resources.max_replica_count"]


def fingerprint(version: dict) -> str:
    """What makes a deployed model a different one: image, artifact and machine (not replicas or weight)."""
    keys = ("image", "artifact_uri", "machine_type", "accelerator_type", "accelerator_count", "default_image")
    blob = json.dumps({k: version.get(k) for k in keys}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def display_name(props: dict, version: dict) -> str:
    return f"{props['display_name']}-{version['name']}-{fingerprint(version)}"


class VertexClient:
    """The few Vertex AI calls the deployer makes. Pass `endpoint_client`/`model_client` (GAPIC
    EndpointServiceClient / ModelServiceClient or fakes with the same methods) or let it build them."""

    def __init__(self, location: str, endpoint_client=None, model_client=None):
        if endpoint_client is None or model_client is None:
            from google.cloud import aiplatform_v1

            options = {"api_endpoint": f"{location}-aiplatform.googleapis.com"}
            endpoint_client = endpoint_client or aiplatform_v1.EndpointServiceClient(client_options=options)
            model_client = model_client or aiplatform_v1.ModelServiceClient(client_options=options)
        self.endpoints = endpoint_client
        self.models = model_client

    def deployed_models(self, endpoint: str) -> tuple[list, dict[str, int]]:
        current = self.endpoints.get_endpoint(name=endpoint)
        return list(current.deployed_models), dict(current.traffic_split)

    def upload(self, parent: str, props: dict, version: dict) -> str:
        from google.cloud import aiplatform_v1

        container = aiplatform_v1.ModelContainerSpec(image_uri=version["image"])
        if not version.get("default_image"):
            container = aiplatform_v1.ModelContainerSpec(
                image_uri=version["image"],
                ports=[aiplatform_v1.Port(container_port=CONTAINER_PORT)],
                predict_route=PREDICT_ROUTE,
                health_route=HEALTH_ROUTE,
            )
        model = aiplatform_v1.Model(
            display_name=display_name(props, version),
            artifact_uri=version["artifact_uri"],
            container_spec=container,
            labels=props.get("labels") or {},
            encryption_spec=aiplatform_v1.EncryptionSpec(kms_key_name=props["kms_key"]) if props.get("kms_key") else None,
        )
        operation = self.models.upload_model(parent=parent, model=model)
        return operation.result().model

    def deploy(self, endpoint: str, props: dict, version: dict, model: str, traffic: dict[str, int]) -> str:
        from google.cloud import aiplatform_v1

        machine = aiplatform_v1.MachineSpec(machine_type=version["machine_type"])
        if version.get("accelerator_type"):
            machine = aiplatform_v1.MachineSpec(
                machine_type=version["machine_type"],
                accelerator_type=version["accelerator_type"],
                accelerator_count=version.get("accelerator_count") or 1,
            )
        deployed = aiplatform_v1.DeployedModel(
            model=model,
            display_name=display_name(props, version),
            service_account=props.get("service_account") or "",
            dedicated_resources=aiplatform_v1.DedicatedResources(
                machine_spec=machine,
                min_replica_count=version["min_replicas"],
                max_replica_count=version["max_replicas"],
            ),
        )
        # "0" is the model being deployed: it joins with no traffic (or all of it on an empty endpoint).
        split = {**traffic, "0": 0} if traffic else {"0": 100}
        operation = self.endpoints.deploy_model(endpoint=endpoint, deployed_model=deployed, traffic_split=split)
        return operation.result().deployed_model.id

    def set_replicas(self, endpoint: str, deployed_model_id: str, version: dict) -> None:
        from google.cloud import aiplatform_v1
        from google.protobuf import field_mask_pb2

        deployed = aiplatform_v1.DeployedModel(
            id=deployed_model_id,
            dedicated_resources=aiplatform_v1.DedicatedResources(
                min_replica_count=version["min_replicas"], max_replica_count=version["max_replicas"]
            ),
        )
        operation = self.endpoints.mutate_deployed_model(
            endpoint=endpoint, deployed_model=deployed, update_mask=field_mask_pb2.FieldMask(paths=REPLICA_MASK)
        )
        operation.result()

    def set_traffic(self, endpoint: str, split: dict[str, int]) -> None:
        from google.cloud import aiplatform_v1
        from google.protobuf import field_mask_pb2

        operation = self.endpoints.update_endpoint(
            endpoint=aiplatform_v1.Endpoint(name=endpoint, traffic_split=split),
            update_mask=field_mask_pb2.FieldMask(paths=["traffic_split"]),
        )
        # update_endpoint is synchronous in GAPIC (returns the Endpoint); tolerate an operation too.
        getattr(operation, "result", lambda: operation)()

    def undeploy(self, endpoint: str, deployed_model_id: str, traffic: dict[str, int]) -> None:
        remaining = {k: v for k, v in traffic.items() if k != deployed_model_id}
        operation = self.endpoints.undeploy_model(
            endpoint=endpoint, deployed_model_id=deployed_model_id, traffic_split=remaining
        )
        operation.result()

    def delete_model(self, model: str) -> None:
        from google.api_core.exceptions import NotFound

        try:
            self.models.delete_model(name=model).result()
        except NotFound:
            pass  # already gone is done


class VertexDeployerProvider(ResourceProvider):
    """Inputs: project, location, endpoint (full resource name), display_name, labels, kms_key,
    service_account, versions: [{name, weight, image, default_image, artifact_uri, machine_type,
    accelerator_type, accelerator_count, min_replicas, max_replicas}]."""

    def __init__(self, client_factory=None):
        super().__init__()
        self._client_factory = client_factory

    def client(self, props: dict) -> VertexClient:
        if self._client_factory is not None:
            return self._client_factory(props)
        return VertexClient(props["location"])

    # -- create -----------------------------------------------------------------------------------------
    def create(self, props: dict) -> CreateResult:
        client = self.client(props)
        endpoint = props["endpoint"]
        parent = f"projects/{props['project']}/locations/{props['location']}"
        deployed, traffic = client.deployed_models(endpoint)
        by_name = {d.display_name: d for d in deployed}
        state: dict[str, dict] = {}
        for version in props["versions"]:
            found = by_name.get(display_name(props, version))
            if found is not None:
                state[version["name"]] = {"model": found.model, "deployed_model_id": found.id, "fingerprint": fingerprint(version)}
                continue
            model = client.upload(parent, props, version)
            deployed_id = client.deploy(endpoint, props, version, model, traffic)
            traffic = {**traffic, deployed_id: 0} if traffic else {deployed_id: 100}
            state[version["name"]] = {"model": model, "deployed_model_id": deployed_id, "fingerprint": fingerprint(version)}
        split = self._split(props, state)
        client.set_traffic(endpoint, split)
        return CreateResult(id_=endpoint, outs={**props, "deployed": state, "traffic_split": split})

    # -- diff / update ------------------------------------------------------------------------------------
    def diff(self, _id: str, olds: dict, news: dict) -> DiffResult:
        replaces = [key for key in ("project", "location", "endpoint") if olds.get(key) != news.get(key)]
        changed = [key for key in ("versions", "labels", "service_account", "kms_key", "display_name") if olds.get(key) != news.get(key)]
        return DiffResult(
            changes=bool(replaces or changed),
            replaces=replaces,
            stables=["project", "location", "endpoint"],
            delete_before_replace=False,
        )

    def update(self, _id: str, olds: dict, news: dict) -> UpdateResult:
        client = self.client(news)
        endpoint = news["endpoint"]
        parent = f"projects/{news['project']}/locations/{news['location']}"
        old_state: dict[str, dict] = dict(olds.get("deployed") or {})
        old_versions = {v["name"]: v for v in olds.get("versions") or []}
        deployed, traffic = client.deployed_models(endpoint)
        live_ids = {d.id for d in deployed}
        state: dict[str, dict] = {}
        retired: list[dict] = []
        for version in news["versions"]:
            previous = old_state.get(version["name"])
            if previous and previous["fingerprint"] == fingerprint(version) and previous["deployed_model_id"] in live_ids:
                old = old_versions.get(version["name"], {})
                if (old.get("min_replicas"), old.get("max_replicas")) != (version["min_replicas"], version["max_replicas"]):
                    client.set_replicas(endpoint, previous["deployed_model_id"], version)
                state[version["name"]] = previous
                continue
            model = client.upload(parent, news, version)
            deployed_id = client.deploy(endpoint, news, version, model, traffic)
            traffic = {**traffic, deployed_id: 0}
            state[version["name"]] = {"model": model, "deployed_model_id": deployed_id, "fingerprint": fingerprint(version)}
            if previous:
                retired.append(previous)
        retired += [old for name, old in old_state.items() if name not in state]
        split = self._split(news, state)
        client.set_traffic(endpoint, split)  # traffic moves before anything is undeployed
        for old in retired:
            if old["deployed_model_id"] in live_ids:
                client.undeploy(endpoint, old["deployed_model_id"], split)
            client.delete_model(old["model"])
        return UpdateResult(outs={**news, "deployed": state, "traffic_split": split})

    # -- delete ----------------------------------------------------------------------------------------------
    def delete(self, _id: str, props: dict) -> None:
        client = self.client(props)
        endpoint = props["endpoint"]
        owned = list((props.get("deployed") or {}).values())
        deployed, traffic = client.deployed_models(endpoint)
        live_ids = {d.id for d in deployed}
        remaining = dict(traffic)
        for item in owned:
            if item["deployed_model_id"] in live_ids:
                remaining.pop(item["deployed_model_id"], None)
                client.undeploy(endpoint, item["deployed_model_id"], _renormalise(remaining))
            client.delete_model(item["model"])

    @staticmethod
    def _split(props: dict, state: dict[str, dict]) -> dict[str, int]:
        split = {state[v["name"]]["deployed_model_id"]: int(v["weight"]) for v in props["versions"]}
        if sum(split.values()) != 100:
            raise ValueError(f"traffic split {split} does not sum to 100")
        return split


def _renormalise(split: dict[str, int]) -> dict[str, int]:
    """What is left of a split after removing models: scaled to 100 (or empty when nothing is left)."""
    total = sum(split.values())
    if not split:
        return {}
    if total == 0:
        first = next(iter(split))
        return {k: (100 if k == first else 0) for k in split}
    scaled = {k: v * 100 // total for k, v in split.items()}
    first = next(iter(scaled))
    scaled[first] += 100 - sum(scaled.values())
    return scaled


class VertexDeployment(pulumi.dynamic.Resource):
    """The model versions deployed on one Vertex AI endpoint, with their replicas and traffic split."""

    deployed: pulumi.Output[Any]
    traffic_split: pulumi.Output[Any]

    def __init__(self, name: str, props: dict, opts: pulumi.ResourceOptions | None = None):
        super().__init__(VertexDeployerProvider(), name, {**props, "deployed": None, "traffic_split": None}, opts)
