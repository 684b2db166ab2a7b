"""The k-NN index inside the OpenSearch Serverless collection, created before the Bedrock knowledge base
that writes to it: a Pulumi dynamic provider.

pulumi_aws manages collections and their policies but not indexes (data plane), and Bedrock refuses to
create a knowledge base over an index that does not exist. The index is therefore this resource, created
with the mapping the vector search section implies plus the fields Bedrock writes:

- create: `PUT https://<collection endpoint>/<index>` with the mapping, signed with SigV4 for service
  `aoss` (the deploying identity must be in the collection's data access policy: the RAG component adds
  it); an index that already exists with the same name is adopted.
- diff: a changed mapping, index or endpoint replaces (k-NN dimensions cannot change in place).
- delete: `DELETE` the index (the collection is protected in prod, and so is this resource).

Credentials: botocore's default chain (environment, profile, instance/role), the same the aws provider
uses from the CLI. Every HTTP call goes through `send`, which tests replace.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider

REPLACE_ON = ("endpoint", "index_name", "mapping")


def send(method: str, url: str, body: bytes, region: str) -> tuple[int, dict]:
    """One SigV4-signed call to the collection; returns (status, JSON body)."""
    import botocore.session
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    headers = {"Content-Type": "application/json", "x-amz-content-sha256": hashlib.sha256(body).hexdigest()}
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(botocore.session.get_session().get_credentials(), "aoss", region).add_auth(request)
    http = urllib.request.Request(url, data=body or None, method=method, headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(http, timeout=60) as response:  # noqa: S310 (https endpoint from the provider)
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


class IndexProvider(ResourceProvider):
    def create(self, props: dict) -> CreateResult:
        url = f"{props['endpoint'].rstrip('/')}/{props['index_name']}"
        status, body = send("PUT", url, props["mapping"].encode(), props["region"])
        error_type = (body.get("error") or {}).get("type") if isinstance(body.get("error"), dict) else None
        if status >= 300 and error_type != "resource_already_exists_exception":
            raise RuntimeError(f"creating index {props['index_name']} at {props['endpoint']}: HTTP {status} {body}")
        return CreateResult(id_=url, outs=dict(props))

    def diff(self, _id: str, olds: dict, news: dict) -> DiffResult:
        replaces = [key for key in REPLACE_ON if olds.get(key) != news.get(key)]
        return DiffResult(changes=bool(replaces), replaces=replaces, delete_before_replace=True)

    def delete(self, _id: str, props: dict) -> None:
        status, body = send("DELETE", _id, b"", props["region"])
        if status >= 300 and status != 404:
            raise RuntimeError(f"deleting index {_id}: HTTP {status} {body}")


class VectorIndex(pulumi.dynamic.Resource):
    """The collection's k-NN index (`mapping`: the JSON body of the index creation)."""

    def __init__(self, name: str, endpoint, index_name: str, mapping: str, region: str,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            IndexProvider(),
            name,
            {"endpoint": endpoint, "index_name": index_name, "mapping": mapping, "region": region},
            opts,
        )
