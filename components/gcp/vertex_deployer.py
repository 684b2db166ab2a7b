"""Deploys model versions onto a Vertex AI endpoint and sets the traffic split: a Pulumi dynamic provider.

pulumi-gcp creates the endpoint (`gcp.vertex.AiEndpoint`) but cannot upload a model or deploy it onto
an endpoint (hashicorp/terraform-provider-google#15303), so this resource does that part with
google-cloud-aiplatform (imported lazily, inside the client):

- create: per version, upload the model and deploy it with its machine and min/max replicas; then set
  the traffic split. A re-run after a failure or a timeout converges instead of duplicating: it first
  waits for the endpoint's unfinished operations (a deployment still running from the previous run),
  then adopts a deployed model of the same display name found on the endpoint, and reuses an uploaded
  model of the same display name instead of uploading it again.
- update: a version whose image, artifact, machine, key or service account changed (its fingerprint)
  is uploaded and deployed anew, then traffic moves, then the old deployed model is undeployed and its
  model deleted; a replica change mutates the deployed model in place; a label change relabels the
  models in place; a split change updates the endpoint's traffic split only.
- delete: moves traffic away, undeploys every deployed model this resource owns, deletes its models.

Numbers: the Pulumi engine hands a dynamic provider every number as a float (1 -> 1.0); proto integer
fields refuse floats, so replica and accelerator counts are converted with `_count` before use.

All cloud calls go through `VertexClient`, whose GAPIC clients can be passed in (tests pass real GAPIC
clients over a faked HTTP transport).

Credentials: the deployer runs in the Pulumi engine's dynamic-provider process, not in pulumi-gcp, so
it does not see the gcp provider's configuration. It uses Application Default Credentials, impersonating
`impersonate_service_account` (with `impersonate_delegates`) when set: the Endpoint component passes the
stack's `gcp:impersonateServiceAccount` / `gcp:impersonateServiceAccountDelegates` there. A stack that
authenticates pulumi-gcp with `gcp:credentials` or `gcp:accessToken` must also provide ADC (e.g.
GOOGLE_APPLICATION_CREDENTIALS naming the same key file): see docs/endpoints.md.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

# Custom images follow one container contract on every cloud: port 8080, GET /ping, POST /invocations.
CONTAINER_PORT = 8080
HEALTH_ROUTE = "/ping"
PREDICT_ROUTE = "/invocations"
SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
REPLICA_MASK = ["dedicated_resources.min_replica_count", "dedicated_resources.max_replica_count"]
# Uploading a large model or deploying onto GPU nodes routinely takes longer than the client's default
# 900 s wait: wait up to an hour for each long-running operation.
OPERATION_TIMEOUT = 3600
POLL_SECONDS = 15
# PSC automation creates a private endpoint's forwarding rule asynchronously: wait this long for its
# address (or its error) before reporting it as not there yet.
PSC_WAIT_SECONDS = 600
# What, besides the version itself, is baked into a deployed model and cannot be changed in place: the
# model's encryption key (set at upload) and the deployed model's service account (set at deploy).
FINGERPRINT_PROPS = ("kms_key", "service_account")
# Inputs whose change means another endpoint (replace) / a change made in place (update).
REPLACE_KEYS = ("project", "location", "endpoint")
UPDATE_KEYS = ("versions", "labels", "service_account", "kms_key", "display_name", "private")
FINGERPRINT_VERSION = ("image", "artifact_uri", "machine_type", "accelerator_type", "accelerator_count", "default_image")


def _has_unknown(value: Any) -> bool:
    """Whether an engine value (as the dynamic provider's Diff deserialises it, keeping unknowns) is or
    holds a value not known yet: `pulumi.output.Unknown`, or the wire sentinel `rpc.UNKNOWN`."""
    from pulumi.output import Unknown
    from pulumi.runtime.rpc import UNKNOWN

    if isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN):
        return True
    if isinstance(value, dict):
        return any(_has_unknown(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_unknown(item) for item in value)
    return False


def _count(value: Any) -> int | None:
    """An integer count from an engine value (1.0 -> 1); None stays None; 1.5 is an error, not truncated."""
    if value is None:
        return None
    number = float(value)
    if not number.is_integer():
        raise ValueError(f"expected a whole number, got {value!r}")
    return int(number)


def fingerprint(props: dict, version: dict) -> str:
    """What makes a deployed model a different one: image, artifact, machine, key and service account
    (not replicas, weight or labels, which change in place)."""
    blob = {k: version.get(k) for k in FINGERPRINT_VERSION}
    blob["accelerator_count"] = _count(blob["accelerator_count"])
    blob.update({k: props.get(k) for k in FINGERPRINT_PROPS})
    return hashlib.sha256(json.dumps(blob, sort_keys=True).encode()).hexdigest()[:12]


def credentials(props: dict):
    """The deployer's Google credentials: None (the client libraries then use Application Default
    Credentials), or ADC impersonating `impersonate_service_account` through `impersonate_delegates`."""
    target = props.get("impersonate_service_account")
    if not target:
        return None
    import google.auth
    from google.auth import impersonated_credentials

    source, _ = google.auth.default(scopes=SCOPES)
    return impersonated_credentials.Credentials(
        source_credentials=source,
        target_principal=target,
        target_scopes=SCOPES,
        delegates=list(props.get("impersonate_delegates") or []) or None,
    )


def display_name(props: dict, version: dict) -> str:
    return f"{props['display_name']}-{version['name']}-{fingerprint(props, version)}"


class VertexClient:
    """The few Vertex AI calls the deployer makes. Pass `endpoint_client`/`model_client` (GAPIC
    EndpointServiceClient / ModelServiceClient, e.g. over another transport) or let it build them."""

    def __init__(
        self,
        location: str,
        endpoint_client=None,
        model_client=None,
        poll_seconds: float = POLL_SECONDS,
        psc_wait_seconds: float = PSC_WAIT_SECONDS,
        credentials=None,
    ):
        if endpoint_client is None or model_client is None:
            from google.cloud import aiplatform_v1

            options = {"api_endpoint": f"{location}-aiplatform.googleapis.com"}
            endpoint_client = endpoint_client or aiplatform_v1.EndpointServiceClient(
                credentials=credentials, client_options=options
            )
            model_client = model_client or aiplatform_v1.ModelServiceClient(credentials=credentials, client_options=options)
        self.endpoints = endpoint_client
        self.models = model_client
        self.poll_seconds = poll_seconds
        self.psc_wait_seconds = psc_wait_seconds

    def deployed_models(self, endpoint: str) -> tuple[list, dict[str, int]]:
        current = self.endpoints.get_endpoint(name=endpoint)
        return list(current.deployed_models), dict(current.traffic_split)

    def private_access(self, endpoint: str, wait: bool = True) -> dict[str, str | None]:
        """Where a Private Service Connect endpoint is reached: the forwarding rule Vertex AI created in
        the VPC (PSC automation), its internal IP and the endpoint's dedicated DNS name. PSC automation
        runs asynchronously: with `wait`, polls (up to psc_wait_seconds) until it has an address or has
        failed; whatever is known then is returned (a missing IP is None, never guessed)."""
        from google.cloud import aiplatform_v1

        failed = aiplatform_v1.PSCAutomationState.PSC_AUTOMATION_STATE_FAILED
        deadline = time.monotonic() + (self.psc_wait_seconds if wait else 0)
        while True:
            current = self.endpoints.get_endpoint(name=endpoint)
            automated = list(current.private_service_connect_config.psc_automation_configs)
            first = automated[0] if automated else None
            access = {
                "ip_address": (first.ip_address or None) if first else None,
                "forwarding_rule": (first.forwarding_rule or None) if first else None,
                "psc_error": (first.error_message or None) if first else None,
                "dedicated_endpoint_dns": current.dedicated_endpoint_dns or None,
            }
            settled = first is None or access["ip_address"] or access["psc_error"] or first.state == failed
            if settled or time.monotonic() >= deadline:
                return access
            time.sleep(self.poll_seconds)

    def wait_for_pending(self, endpoint: str) -> None:
        """Wait (up to OPERATION_TIMEOUT) for the endpoint's unfinished operations, e.g. a deployment the
        previous run stopped waiting for, so its deployed model can be adopted rather than duplicated."""
        from google.longrunning import operations_pb2

        pending: list = []
        token = ""
        while True:  # every page: a long history puts the running operation on any of them
            listed = self.endpoints.list_operations(
                operations_pb2.ListOperationsRequest(name=endpoint, page_token=token)
            )
            pending += [operation for operation in listed.operations if not operation.done]
            token = listed.next_page_token
            if not token:
                break
        deadline = time.monotonic() + OPERATION_TIMEOUT
        for operation in pending:
            while not operation.done:
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"operation {operation.name} on {endpoint} still running after {OPERATION_TIMEOUT} s; "
                        "run `pulumi up` again once it has finished"
                    )
                time.sleep(self.poll_seconds)
                operation = self.endpoints.get_operation(operations_pb2.GetOperationRequest(name=operation.name))

    def find_model(self, parent: str, name: str) -> str | None:
        """An uploaded model of this display name (a previous run's upload), newest first."""
        found = list(self.models.list_models(request={"parent": parent, "filter": f'display_name="{name}"'}))
        found.sort(key=lambda m: m.create_time, reverse=True)
        return found[0].name if found else None

    def upload(self, parent: str, props: dict, version: dict) -> str:
        from google.cloud import aiplatform_v1

        name = display_name(props, version)
        existing = self.find_model(parent, name)
        if existing:
            return existing
        container = aiplatform_v1.ModelContainerSpec(image_uri=version["image"])
        if not version.get("default_image"):
            container = aiplatform_v1.ModelContainerSpec(
                image_uri=version["image"],
                ports=[aiplatform_v1.Port(container_port=CONTAINER_PORT)],
                predict_route=PREDICT_ROUTE,
                health_route=HEALTH_ROUTE,
            )
        model = aiplatform_v1.Model(
            display_name=name,
            artifact_uri=version["artifact_uri"],
            container_spec=container,
            labels=props.get("labels") or {},
            encryption_spec=aiplatform_v1.EncryptionSpec(kms_key_name=props["kms_key"]) if props.get("kms_key") else None,
        )
        operation = self.models.upload_model(parent=parent, model=model)
        return operation.result(timeout=OPERATION_TIMEOUT).model

    def deploy(self, endpoint: str, props: dict, version: dict, model: str, traffic: dict[str, int]) -> str:
        from google.cloud import aiplatform_v1

        machine = aiplatform_v1.MachineSpec(machine_type=version["machine_type"])
        if version.get("accelerator_type"):
            machine = aiplatform_v1.MachineSpec(
                machine_type=version["machine_type"],
                accelerator_type=version["accelerator_type"],
                accelerator_count=_count(version.get("accelerator_count")) or 1,
            )
        deployed = aiplatform_v1.DeployedModel(
            model=model,
            display_name=display_name(props, version),
            service_account=props.get("service_account") or "",
            dedicated_resources=aiplatform_v1.DedicatedResources(
                machine_spec=machine,
                min_replica_count=_count(version["min_replicas"]),
                max_replica_count=_count(version["max_replicas"]),
            ),
        )
        # "0" is the model being deployed: it joins with no traffic (or all of it on an empty endpoint).
        split = {**traffic, "0": 0} if traffic else {"0": 100}
        operation = self.endpoints.deploy_model(endpoint=endpoint, deployed_model=deployed, traffic_split=split)
        return operation.result(timeout=OPERATION_TIMEOUT).deployed_model.id

    def set_replicas(self, endpoint: str, deployed_model_id: str, version: dict) -> None:
        from google.cloud import aiplatform_v1
        from google.protobuf import field_mask_pb2

        deployed = aiplatform_v1.DeployedModel(
            id=deployed_model_id,
            dedicated_resources=aiplatform_v1.DedicatedResources(
                min_replica_count=_count(version["min_replicas"]),
                max_replica_count=_count(version["max_replicas"]),
            ),
        )
        operation = self.endpoints.mutate_deployed_model(
            endpoint=endpoint, deployed_model=deployed, update_mask=field_mask_pb2.FieldMask(paths=REPLICA_MASK)
        )
        operation.result(timeout=OPERATION_TIMEOUT)

    def set_labels(self, model: str, labels: dict[str, str]) -> None:
        from google.cloud import aiplatform_v1
        from google.protobuf import field_mask_pb2

        self.models.update_model(
            model=aiplatform_v1.Model(name=model, labels=labels),
            update_mask=field_mask_pb2.FieldMask(paths=["labels"]),
        )

    def set_traffic(self, endpoint: str, split: dict[str, int]) -> None:
        from google.cloud import aiplatform_v1
        from google.protobuf import field_mask_pb2

        # update_endpoint is synchronous in GAPIC: it returns the updated Endpoint.
        self.endpoints.update_endpoint(
            endpoint=aiplatform_v1.Endpoint(name=endpoint, traffic_split=split),
            update_mask=field_mask_pb2.FieldMask(paths=["traffic_split"]),
        )

    def undeploy(self, endpoint: str, deployed_model_id: str, traffic: dict[str, int]) -> None:
        remaining = {k: v for k, v in traffic.items() if k != deployed_model_id}
        operation = self.endpoints.undeploy_model(
            endpoint=endpoint, deployed_model_id=deployed_model_id, traffic_split=remaining
        )
        operation.result(timeout=OPERATION_TIMEOUT)

    def delete_model(self, model: str) -> None:
        from google.api_core.exceptions import NotFound

        try:
            self.models.delete_model(name=model).result(timeout=OPERATION_TIMEOUT)
        except NotFound:
            pass  # already gone is done


class VertexDeployerProvider(ResourceProvider):
    """Inputs: project, location, endpoint (full resource name), display_name, labels, kms_key,
    service_account, private (a Private Service Connect endpoint: report where it is reached),
    impersonate_service_account / impersonate_delegates (how the deployer authenticates, see credentials()),
    versions: [{name, weight, image, default_image, artifact_uri, machine_type, accelerator_type,
    accelerator_count, min_replicas, max_replicas}]."""

    def __init__(self, client_factory=None):
        super().__init__()
        self._client_factory = client_factory

    def client(self, props: dict) -> VertexClient:
        if self._client_factory is not None:
            return self._client_factory(props)
        return VertexClient(props["location"], credentials=credentials(props))

    # -- create -----------------------------------------------------------------------------------------
    def create(self, props: dict) -> CreateResult:
        client = self.client(props)
        endpoint = props["endpoint"]
        parent = f"projects/{props['project']}/locations/{props['location']}"
        client.wait_for_pending(endpoint)
        deployed, traffic = client.deployed_models(endpoint)
        by_name = {d.display_name: d for d in deployed}
        state: dict[str, dict] = {}
        for version in props["versions"]:
            found = by_name.get(display_name(props, version))
            if found is not None:
                state[version["name"]] = self._entry(props, version, found.model, found.id)
                continue
            model = client.upload(parent, props, version)
            deployed_id = client.deploy(endpoint, props, version, model, traffic)
            traffic = _after_deploy(traffic, deployed_id)
            state[version["name"]] = self._entry(props, version, model, deployed_id)
        split = self._split(props, state)
        client.set_traffic(endpoint, split)
        return CreateResult(id_=endpoint, outs=self._outs(client, props, state, split))

    # -- diff / update ------------------------------------------------------------------------------------
    def diff(self, _id: str, olds: dict, news: dict) -> DiffResult:
        """During a preview an input computed by a resource that is itself changing (e.g. the endpoint's
        name, the workload account's email) is unknown: that is a change, not a replacement; the diff of
        `up` sees the value and replaces when it really moved."""
        unknown = [key for key in (*REPLACE_KEYS, *UPDATE_KEYS) if _has_unknown(news.get(key))]
        replaces = [key for key in REPLACE_KEYS if key not in unknown and olds.get(key) != news.get(key)]
        changed = [key for key in UPDATE_KEYS if key not in unknown and olds.get(key) != news.get(key)]
        # A private endpoint whose PSC address was not there yet (and no error): update re-reads it, so
        # the next `up` fills in `url` without any input changing.
        access = olds.get("private_access") or {}
        unaddressed = bool(news.get("private")) and not access.get("ip_address") and not access.get("psc_error")
        return DiffResult(
            changes=bool(replaces or changed or unknown or unaddressed),
            replaces=replaces,
            stables=[key for key in REPLACE_KEYS if key not in replaces and key not in unknown],
            delete_before_replace=False,
        )

    def update(self, _id: str, olds: dict, news: dict) -> UpdateResult:
        client = self.client(news)
        endpoint = news["endpoint"]
        parent = f"projects/{news['project']}/locations/{news['location']}"
        old_state: dict[str, dict] = dict(olds.get("deployed") or {})
        old_versions = {v["name"]: v for v in olds.get("versions") or []}
        relabel = (olds.get("labels") or {}) != (news.get("labels") or {})
        client.wait_for_pending(endpoint)
        deployed, traffic = client.deployed_models(endpoint)
        live_ids = {d.id for d in deployed}
        by_name = {d.display_name: d for d in deployed}
        state: dict[str, dict] = {}
        retired: list[dict] = []
        for version in news["versions"]:
            previous = old_state.get(version["name"])
            if previous and previous["fingerprint"] == fingerprint(news, version) and previous["deployed_model_id"] in live_ids:
                old = old_versions.get(version["name"], {})
                if (_count(old.get("min_replicas")), _count(old.get("max_replicas"))) != (
                    _count(version["min_replicas"]), _count(version["max_replicas"])
                ):
                    client.set_replicas(endpoint, previous["deployed_model_id"], version)
                if relabel:
                    client.set_labels(previous["model"], news.get("labels") or {})
                state[version["name"]] = previous
                continue
            found = by_name.get(display_name(news, version))  # deployed by an interrupted earlier run
            if found is not None:
                model, deployed_id = found.model, found.id
            else:
                model = client.upload(parent, news, version)
                deployed_id = client.deploy(endpoint, news, version, model, traffic)
                traffic = _after_deploy(traffic, deployed_id)
                live_ids.add(deployed_id)
            state[version["name"]] = self._entry(news, version, model, deployed_id)
            if previous and previous["deployed_model_id"] != deployed_id:
                retired.append(previous)
        retired += [old for name, old in old_state.items() if name not in state]
        split = self._split(news, state)
        client.set_traffic(endpoint, split)  # traffic moves before anything is undeployed
        undeployed: set[str] = set()
        for old in retired:
            if old["deployed_model_id"] in live_ids:
                client.undeploy(endpoint, old["deployed_model_id"], split)
                undeployed.add(old["deployed_model_id"])
        # A model is deleted only when nothing deploys it any more: a version whose deployed model was
        # undeployed outside Pulumi is redeployed from the same (reused) model, which must stay.
        in_use = {entry["model"] for entry in state.values()}
        in_use |= {d.model for d in deployed if d.id not in undeployed}
        for model in dict.fromkeys(old["model"] for old in retired):
            if model not in in_use:
                client.delete_model(model)
        return UpdateResult(outs=self._outs(client, news, state, split))

    # -- read (pulumi refresh) -------------------------------------------------------------------------------
    def read(self, id_: str, props: dict) -> ReadResult:
        """Refresh re-reads what Vertex AI fills in after the fact (a private endpoint's PSC address); an
        endpoint that no longer exists means the deployment is gone too."""
        from google.api_core.exceptions import NotFound

        client = self.client(props)
        try:
            if props.get("private"):
                return ReadResult(id_=id_, outs={**props, "private_access": client.private_access(props["endpoint"], wait=False)})
            client.deployed_models(props["endpoint"])
        except NotFound:
            return ReadResult(id_="", outs={})
        return ReadResult(id_=id_, outs=dict(props))

    # -- delete ----------------------------------------------------------------------------------------------
    def delete(self, _id: str, props: dict) -> None:
        client = self.client(props)
        endpoint = props["endpoint"]
        owned = list((props.get("deployed") or {}).values())
        client.wait_for_pending(endpoint)
        deployed, traffic = client.deployed_models(endpoint)
        live_ids = {d.id for d in deployed}
        remaining = dict(traffic)
        undeployed: set[str] = set()
        for item in owned:
            if item["deployed_model_id"] in live_ids:
                remaining.pop(item["deployed_model_id"], None)
                client.undeploy(endpoint, item["deployed_model_id"], _renormalise(remaining))
                undeployed.add(item["deployed_model_id"])
        # Never delete a model another (not owned) deployed model on the endpoint still serves.
        in_use = {d.model for d in deployed if d.id not in undeployed}
        for model in dict.fromkeys(item["model"] for item in owned):
            if model not in in_use:
                client.delete_model(model)

    # -- helpers --------------------------------------------------------------------------------------------
    @staticmethod
    def _entry(props: dict, version: dict, model: str, deployed_model_id: str) -> dict:
        return {"model": model, "deployed_model_id": deployed_model_id, "fingerprint": fingerprint(props, version)}

    @staticmethod
    def _outs(client: VertexClient, props: dict, state: dict, split: dict) -> dict:
        access = {"ip_address": None, "forwarding_rule": None, "psc_error": None, "dedicated_endpoint_dns": None}
        if props.get("private"):
            access = client.private_access(props["endpoint"])
        return {**props, "deployed": state, "traffic_split": split, "private_access": access}

    @staticmethod
    def _split(props: dict, state: dict[str, dict]) -> dict[str, int]:
        split = {state[v["name"]]["deployed_model_id"]: _count(v["weight"]) for v in props["versions"]}
        if sum(split.values()) != 100:
            raise ValueError(f"traffic split {split} does not sum to 100")
        return split


def _after_deploy(traffic: dict[str, int], deployed_id: str) -> dict[str, int]:
    """The endpoint's split after `VertexClient.deploy`: the new model joins with 0, or with all of the
    traffic when the endpoint had none (deploy sent {"0": 100})."""
    return {**traffic, deployed_id: 0} if traffic else {deployed_id: 100}


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
    private_access: pulumi.Output[Any]

    def __init__(self, name: str, props: dict, opts: pulumi.ResourceOptions | None = None):
        outputs = {"deployed": None, "traffic_split": None, "private_access": None}
        super().__init__(VertexDeployerProvider(), name, {**props, **outputs}, opts)
