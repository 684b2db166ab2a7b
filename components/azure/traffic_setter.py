"""Sets an Azure ML managed online endpoint's traffic split after its deployments exist: a Pulumi
dynamic provider.

Azure refuses traffic for a deployment that does not exist yet, and the deployments are children of
the endpoint, so the endpoint (`azure-native` `OnlineEndpoint`) is created without traffic and this
resource, which depends on every deployment, applies the split afterwards through the Azure Resource
Manager REST API (GET the endpoint, PUT it back with `properties.traffic`, wait for the operation):

- create / update: apply the split (weights must sum to 100); a split that is already live is left
  alone. The resource also carries a fingerprint of the endpoint's own inputs (name, location,
  identity, tags, description, network access), so an update of the endpoint, which PUTs it without
  traffic, is followed by the split being applied again in the same `pulumi up`.
- read (`pulumi refresh`): `applied` becomes the live split; diff compares it with the spec's split, so
  a split lost or changed out of band is re-applied by the next `up`. The endpoint itself ignores
  changes of `properties.traffic` / `properties.mirrorTraffic` (components/azure/endpoint.py): after a
  refresh azure-native copies the live traffic into its inputs, and without that the next `up` would
  PUT the endpoint without traffic.
- diff: a changed subscription / resource group / workspace / endpoint name replaces; one not known yet
  (preview) is "changes unknown".
- delete: sets every deployment the live endpoint routes to to 0 % (Azure refuses to delete a
  deployment that still receives traffic), so the deployments and the endpoint can be deleted after
  it; a deployment already deleted outside Pulumi is not named; an endpoint already gone is done.
- a version removed from the spec: the split moves away from it in the update, before Pulumi deletes its
  deployment (Pulumi deletes removed resources after all creates and updates).
- every PUT is awaited: the Azure-AsyncOperation or Location operation whenever ARM names one (also on
  a 200), then the endpoint until its provisioningState is Succeeded (Failed / Canceled fail the step).

Credentials: `azure.identity.DefaultAzureCredential` (environment `AZURE_*` variables, workload or
managed identity, Azure CLI login), i.e. the same identity `az` or the azure-native provider use
when they run from the CLI login or a managed identity. Every HTTP call goes through `ArmClient`,
whose credential and transport can be passed in (tests fake the HTTP layer).
"""

from __future__ import annotations

import time
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

ARM = "https://management.azure.com"
ARM_SCOPE = "https://management.azure.com/.default"
API_VERSION = "2025-12-01"  # the version pulumi-azure-native 3.x uses for onlineEndpoints
TERMINAL = {"succeeded", "failed", "canceled", "cancelled"}
# Read-only endpoint properties the GET returns and a PUT must not echo.
READ_ONLY = ("provisioningState", "scoringUri", "swaggerUri", "openapiUri")


def endpoint_id(props: dict) -> str:
    return (
        f"/subscriptions/{props['subscription_id']}/resourceGroups/{props['resource_group']}"
        f"/providers/Microsoft.MachineLearningServices/workspaces/{props['workspace']}"
        f"/onlineEndpoints/{props['endpoint']}"
    )


def normalise(traffic: dict) -> dict[str, int]:
    """Engine values arrive as floats: integer percentages, checked to sum to 100."""
    split = {str(name): int(weight) for name, weight in (traffic or {}).items()}
    if sum(split.values()) != 100:
        raise ValueError(f"traffic split {split} does not sum to 100")
    return split


class ArmError(RuntimeError):
    pass


class ArmClient:
    """GET / PUT of one ARM resource with long-running-operation polling (Azure-AsyncOperation or
    Location headers), over azure-core's requests transport."""

    def __init__(self, credential=None, transport=None, poll_seconds: float = 10.0, timeout_seconds: float = 3600.0, sleep=time.sleep):
        from azure.core import PipelineClient
        from azure.core.pipeline import policies

        if credential is None:
            from azure.identity import DefaultAzureCredential

            credential = DefaultAzureCredential()
        self.poll_seconds = poll_seconds
        self.timeout_seconds = timeout_seconds
        self.sleep = sleep
        self.pipeline = PipelineClient(
            base_url=ARM,
            policies=[
                policies.HeadersPolicy({"Accept": "application/json"}),
                policies.UserAgentPolicy(base_user_agent="mlplat-traffic-setter"),
                policies.RetryPolicy(retry_total=5),
                policies.BearerTokenCredentialPolicy(credential, ARM_SCOPE),
                policies.NetworkTraceLoggingPolicy(),
            ],
            transport=transport,
        )

    def _send(self, method: str, url: str, body: Any = None):
        from azure.core.rest import HttpRequest

        request = HttpRequest(method, url if url.startswith("http") else ARM + url, json=body)
        return self.pipeline.send_request(request)

    def get(self, resource_id: str) -> dict | None:
        response = self._send("GET", f"{resource_id}?api-version={API_VERSION}")
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise ArmError(f"GET {resource_id}: HTTP {response.status_code}: {response.text()}")
        return response.json()

    def put(self, resource_id: str, body: dict) -> dict:
        """PUT, then wait: follow the operation whenever ARM names one (Azure-AsyncOperation or
        Location, on a 200 as much as on a 201/202), then GET the resource until its
        provisioningState is terminal."""
        response = self._send("PUT", f"{resource_id}?api-version={API_VERSION}", body)
        if response.status_code >= 400:
            raise ArmError(f"PUT {resource_id}: HTTP {response.status_code}: {response.text()}")
        operation = response.headers.get("Azure-AsyncOperation") or response.headers.get("Location")
        deadline = time.monotonic() + self.timeout_seconds
        if operation:
            self._wait(resource_id, operation, deadline)
        return self._settled(resource_id, deadline)

    def _settled(self, resource_id: str, deadline: float) -> dict:
        while True:
            current = self.get(resource_id)
            if current is None:
                raise ArmError(f"PUT {resource_id}: the resource is gone")
            state = str((current.get("properties") or {}).get("provisioningState") or "Succeeded")
            if state.lower() in TERMINAL:
                if state.lower() != "succeeded":
                    raise ArmError(f"PUT {resource_id}: provisioning state {state}")
                return current
            if time.monotonic() > deadline:
                raise ArmError(f"PUT {resource_id}: provisioning state {state} after {self.timeout_seconds:.0f}s")
            self.sleep(self.poll_seconds)

    def _wait(self, resource_id: str, operation_url: str, deadline: float) -> None:
        while True:
            response = self._send("GET", operation_url)
            if response.status_code >= 400:
                raise ArmError(f"operation of {resource_id}: HTTP {response.status_code}: {response.text()}")
            if response.status_code != 202:
                # Azure-AsyncOperation: {"status": ...}; Location: 200/204 once done, without a status.
                status = str((response.json() if response.text() else {}).get("status") or "Succeeded")
                if status.lower() in TERMINAL:
                    if status.lower() != "succeeded":
                        raise ArmError(f"operation of {resource_id}: {status}: {response.text()}")
                    return
            if time.monotonic() > deadline:
                raise ArmError(f"operation of {resource_id}: not finished after {self.timeout_seconds:.0f}s")
            self.sleep(float(response.headers.get("Retry-After") or self.poll_seconds))


class TrafficClient:
    """Reads and sets one online endpoint's traffic."""

    def __init__(self, arm: ArmClient):
        self.arm = arm

    def current(self, resource_id: str) -> dict[str, int] | None:
        endpoint = self.arm.get(resource_id)
        if endpoint is None:
            return None
        return {k: int(v) for k, v in ((endpoint.get("properties") or {}).get("traffic") or {}).items()}

    def set_traffic(self, resource_id: str, split: dict[str, int]) -> dict[str, int]:
        endpoint = self.arm.get(resource_id)
        if endpoint is None:
            raise ArmError(f"online endpoint {resource_id} not found")
        properties = dict(endpoint.get("properties") or {})
        live = {k: int(v) for k, v in (properties.get("traffic") or {}).items()}
        if live == split:
            return live
        for key in READ_ONLY:
            properties.pop(key, None)
        properties["traffic"] = split
        body: dict[str, Any] = {"location": endpoint["location"], "properties": properties}
        for key in ("tags", "kind", "sku"):
            if endpoint.get(key) is not None:
                body[key] = endpoint[key]
        identity = endpoint.get("identity")
        if identity:
            body["identity"] = {"type": identity["type"]}
            if identity.get("userAssignedIdentities"):
                body["identity"]["userAssignedIdentities"] = {k: {} for k in identity["userAssignedIdentities"]}
        result = self.arm.put(resource_id, body)
        return {k: int(v) for k, v in ((result.get("properties") or {}).get("traffic") or split).items()}


class TrafficSetterProvider(ResourceProvider):
    """Inputs: subscription_id, resource_group, workspace, endpoint (online endpoint name), traffic
    {deployment: percent}, endpoint_revision (fingerprint of the endpoint's own inputs)."""

    IDENTITY = ("subscription_id", "resource_group", "workspace", "endpoint")

    def __init__(self, client_factory=None):
        super().__init__()
        self._client_factory = client_factory

    def client(self) -> TrafficClient:
        if self._client_factory is not None:
            return self._client_factory()
        return TrafficClient(ArmClient())

    def create(self, props: dict) -> CreateResult:
        split = normalise(props["traffic"])
        resource_id = endpoint_id(props)
        applied = self.client().set_traffic(resource_id, split)
        return CreateResult(id_=resource_id, outs={**props, "traffic": split, "applied": applied})

    def read(self, id_: str, props: dict) -> ReadResult:
        """`pulumi refresh`: `applied` becomes the live split, so a split changed out of band (or lost
        to an endpoint PUT without traffic) is a diff on the next `up`. An endpoint gone is a setter gone."""
        live = self.client().current(endpoint_id(props))
        if live is None:
            return ReadResult(id_="", outs={})
        return ReadResult(id_=id_, outs={**props, "applied": live})

    def diff(self, _id: str, olds: dict, news: dict) -> DiffResult:
        # `__provider` (the serialized provider) is the engine's, not an input of the split.
        unknown = [key for key, value in news.items() if key != "__provider" and _is_unknown(value)]
        replaces = [key for key in self.IDENTITY if key not in unknown and olds.get(key) != news.get(key)]
        stables = [key for key in self.IDENTITY if key not in unknown and key not in replaces]
        if replaces:
            return DiffResult(changes=True, replaces=replaces, stables=stables, delete_before_replace=False)
        if unknown:
            # Preview with inputs not known yet (e.g. the endpoint itself being replaced): say so
            # instead of guessing a replace or no change.
            return DiffResult(changes=None, replaces=[], stables=stables, delete_before_replace=False)
        desired = _ints(news.get("traffic"))
        applied = olds.get("applied")
        changed = (
            olds.get("endpoint_revision") != news.get("endpoint_revision")
            or _ints(olds.get("traffic")) != desired
            # the live split as last seen (create/update, or `pulumi refresh`) differs from the spec
            or (isinstance(applied, dict) and _ints(applied) != desired)
        )
        return DiffResult(changes=changed, replaces=[], stables=stables, delete_before_replace=False)

    def update(self, _id: str, olds: dict, news: dict) -> UpdateResult:
        split = normalise(news["traffic"])
        applied = self.client().set_traffic(endpoint_id(news), split)
        return UpdateResult(outs={**news, "traffic": split, "applied": applied})

    def delete(self, _id: str, props: dict) -> None:
        client = self.client()
        resource_id = endpoint_id(props)
        live = client.current(resource_id)
        if live is None:
            return  # the endpoint is gone: nothing routes anywhere
        # Drain what the live endpoint routes to, nothing else: a deployment deleted outside Pulumi is
        # no longer in the live traffic, and naming it would make Azure refuse the PUT.
        if any(live.values()):
            client.set_traffic(resource_id, {name: 0 for name in live})


def _is_unknown(value) -> bool:
    """A value the engine does not know yet: the dynamic-provider host deserializes it to
    `pulumi.output.Unknown` (the wire form is the `rpc.UNKNOWN` string)."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, dict):
        return any(_is_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_is_unknown(v) for v in value)
    return False


def _ints(traffic) -> dict[str, int]:
    return {str(k): int(v) for k, v in (traffic or {}).items()}


class TrafficSplit(pulumi.dynamic.Resource):
    """The traffic split of one Azure ML online endpoint, applied once its deployments exist."""

    traffic: pulumi.Output[Any]
    applied: pulumi.Output[Any]

    def __init__(self, name: str, props: dict, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TrafficSetterProvider(), name, {**props, "applied": None}, opts)
