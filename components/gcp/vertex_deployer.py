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
fields refuse floats, so replica and accelerator counts are converted with `as_count` before use.

All cloud calls go through `VertexClient`, whose GAPIC clients can be passed in (tests pass real GAPIC
clients over a faked HTTP transport).

Credentials: the deployer runs in the Pulumi engine's dynamic-provider process, not in pulumi-gcp, so
it does not see the gcp provider's configuration. It uses Application Default Credentials, impersonating
`impersonate_service_account` (with `impersonate_delegates`) when set: the Endpoint component passes the
stack's `gcp:impersonateServiceAccount` / `gcp:impersonateServiceAccountDelegates` there. A stack that
authenticates pulumi-gcp with `gcp:credentials` or `gcp:accessToken` must also provide ADC (e.g.
GOOGLE_APPLICATION_CREDENTIALS naming the same key file): see docs/endpoints.md.
"""

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

# The provider is serialised (by reference: module and class name) into the resource's `__provider`
# input, so it and `VertexDeployment` stay in this module; what they call lives beside it.
from .vertex_client import OPERATION_TIMEOUT, REPLICA_MASK, VertexClient, credentials
from .vertex_versions import (
    REPLACE_KEYS,
    UPDATE_KEYS,
    split_after_deploy,
    as_count,
    has_unknown,
    renormalise,
    display_name,
    fingerprint,
)

__all__ = [
    "OPERATION_TIMEOUT", "REPLICA_MASK", "VertexClient", "VertexDeployerProvider", "VertexDeployment",
    "credentials", "display_name", "fingerprint",
]


class VertexDeployerProvider(ResourceProvider):
    """Inputs: project, location, endpoint (full resource name), display_name, labels, kms_key,
    service_account, upload_service_account (optional: the account a model upload reads its artifact and image
    as), private (a Private Service Connect endpoint: report where it is reached),
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
            traffic = split_after_deploy(traffic, deployed_id)
            state[version["name"]] = self._entry(props, version, model, deployed_id)
        split = self._split(props, state)
        client.set_traffic(endpoint, split)
        return CreateResult(id_=endpoint, outs=self._outs(client, props, state, split))

    # -- diff / update ------------------------------------------------------------------------------------
    def diff(self, _id: str, olds: dict, news: dict) -> DiffResult:
        """During a preview an input computed by a resource that is itself changing (e.g. the endpoint's
        name, the workload account's email) is unknown: that is a change, not a replacement; the diff of
        `up` sees the value and replaces when it really moved."""
        unknown = [key for key in (*REPLACE_KEYS, *UPDATE_KEYS) if has_unknown(news.get(key))]
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
                if (as_count(old.get("min_replicas")), as_count(old.get("max_replicas"))) != (
                    as_count(version["min_replicas"]), as_count(version["max_replicas"])
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
                traffic = split_after_deploy(traffic, deployed_id)
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
                client.undeploy(endpoint, item["deployed_model_id"], renormalise(remaining))
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
        split = {state[v["name"]]["deployed_model_id"]: as_count(v["weight"]) for v in props["versions"]}
        if sum(split.values()) != 100:
            raise ValueError(f"traffic split {split} does not sum to 100")
        return split


class VertexDeployment(pulumi.dynamic.Resource):
    """The model versions deployed on one Vertex AI endpoint, with their replicas and traffic split."""

    deployed: pulumi.Output[Any]
    traffic_split: pulumi.Output[Any]
    private_access: pulumi.Output[Any]

    def __init__(self, name: str, props: dict, opts: pulumi.ResourceOptions | None = None):
        outputs = {"deployed": None, "traffic_split": None, "private_access": None}
        super().__init__(VertexDeployerProvider(), name, {**props, **outputs}, opts)
