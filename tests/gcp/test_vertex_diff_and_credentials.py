"""The Vertex AI deployer's diff (replace vs update, preview unknowns), its fingerprint, its credentials,
and the provider the way Pulumi runs it: dill-serialised and loaded by another process."""

from __future__ import annotations

import asyncio

from google.auth.credentials import AnonymousCredentials
import pulumi
from pulumi.runtime import rpc
import pytest

from components.gcp.vertex_deployer import VertexDeployerProvider, fingerprint
from tests.support.fake_vertex import fake, provider  # noqa: F401 (fixtures)
from tests.support.fake_vertex import ENDPOINT, PREVIEW_UNKNOWN, as_engine_sends, deployer_props, version_props


def test_moving_the_endpoint_replaces(provider):
    created = provider.create(deployer_props())
    moved = dict(deployer_props(), endpoint="projects/p/locations/us-central1/endpoints/456")
    assert provider.diff(ENDPOINT, created.outs, moved).replaces == ["endpoint"]


def test_a_moved_endpoint_is_not_listed_as_stable(provider):
    created = provider.create(deployer_props())
    moved = dict(deployer_props(), endpoint="projects/p/locations/us-central1/endpoints/456")
    result = provider.diff(ENDPOINT, created.outs, moved)
    assert result.replaces == ["endpoint"] and "endpoint" not in result.stables
    assert provider.diff(ENDPOINT, created.outs, deployer_props()).stables == ["project", "location", "endpoint"]


@pytest.mark.parametrize(
    "unknown",
    [
        {"endpoint": PREVIEW_UNKNOWN},  # the AiEndpoint is changing in the same preview
        {"service_account": PREVIEW_UNKNOWN},  # the workload account is changing
        {"versions": [dict(version_props("stable", 100, "gs://b/x/"), artifact_uri=PREVIEW_UNKNOWN)]},  # the bucket is changing
    ],
    ids=["endpoint", "service-account", "artifact-uri"],
)
def test_preview_unknowns_are_changes_not_replacements(provider, unknown):
    created = provider.create(deployer_props())
    olds = as_engine_sends(created.outs, keep_unknowns=True)
    news = as_engine_sends(deployer_props(**unknown), keep_unknowns=True)  # what Diff receives in a preview
    result = provider.diff(ENDPOINT, olds, news)
    assert result.changes is True
    assert result.replaces == []
    assert not set(unknown) & set(result.stables)
    # Nothing unknown and nothing changed: no diff (the round trip itself adds no change).
    assert not provider.diff(ENDPOINT, olds, as_engine_sends(deployer_props(), keep_unknowns=True)).changes


def test_the_deployer_impersonates_the_configured_account(monkeypatch):
    import google.auth
    from google.auth import impersonated_credentials

    source = AnonymousCredentials()
    monkeypatch.setattr(google.auth, "default", lambda scopes=None, **_: (source, "p"))
    props = deployer_props(impersonate_service_account="deployer@p.iam.gserviceaccount.com", impersonate_delegates=["hop@p.iam.gserviceaccount.com"])
    client = VertexDeployerProvider().client(props)  # the real client, as `pulumi up` builds it
    for gapic in (client.endpoints, client.models):
        used = gapic._transport._credentials
        assert isinstance(used, impersonated_credentials.Credentials)
        assert used.service_account_email == "deployer@p.iam.gserviceaccount.com"
        assert used._delegates == ["hop@p.iam.gserviceaccount.com"]
    # Not configured: Application Default Credentials as they are.
    plain = VertexDeployerProvider().client(deployer_props())
    assert plain.endpoints._transport._credentials is source


def test_fingerprint_ignores_weight_replicas_and_labels_but_not_key_or_account():
    props = deployer_props()
    a = version_props("stable", 90, "gs://b/x/")
    assert fingerprint(props, a) == fingerprint(props, {**a, "weight": 50, "min_replicas": 3})
    assert fingerprint(props, a) == fingerprint({**props, "labels": {"x": "y"}}, a)
    assert fingerprint(props, a) != fingerprint(props, {**a, "artifact_uri": "gs://b/y/"})
    assert fingerprint(props, a) != fingerprint({**props, "kms_key": "k"}, a)
    assert fingerprint(props, a) != fingerprint({**props, "service_account": "s"}, a)


# -- the provider the way Pulumi runs it: dill-serialized, loaded by another process, fed over the wire -----------

def _wire(props: dict):
    """The protobuf Struct the engine sends (what rpc.serialize_properties makes of the values)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(props, {}))
    finally:
        loop.close()


def test_the_serialized_provider_loads_in_another_process_and_diffs_engine_inputs(provider, tmp_path):
    """`pulumi.dynamic` pickles the provider with dill; the engine starts the dynamic-provider plugin
    (`python -m pulumi.dynamic`) elsewhere, which unpickles it and gets the engine's inputs over gRPC,
    unknowns (preview) included. This runs that very server in another working directory and talks
    gRPC to it."""
    import os
    import subprocess
    import sys

    import grpc
    from pulumi.dynamic.dynamic import serialize_provider
    from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

    serialized = serialize_provider(VertexDeployerProvider())  # what VertexDeployment stores
    stored = as_engine_sends(provider.create(deployer_props()).outs)  # the state after create
    olds = dict(stored, __provider=serialized)
    news = dict(deployer_props(), __provider=serialized)
    cases = [
        (news, "DIFF_NONE", []),
        (dict(deployer_props(stable=75, canary=25), __provider=serialized), "DIFF_SOME", []),
        (dict(news, endpoint=rpc.UNKNOWN), "DIFF_SOME", []),  # preview: the endpoint is being replaced
        (dict(news, endpoint="projects/p/locations/us-central1/endpoints/456"), "DIFF_SOME", ["endpoint"]),
        (dict(news, project="q"), "DIFF_SOME", ["project"]),
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_CURRENT_TEST")}
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.dynamic"], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        port = int(server.stdout.readline().strip())  # the plugin's handshake: its port
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            for new, changes, replaces in cases:
                response = stub.Diff(provider_pb2.DiffRequest(id=ENDPOINT, olds=_wire(olds), news=_wire(new)), timeout=120)
                assert (provider_pb2.DiffResponse.DiffChanges.Name(response.changes), list(response.replaces)) == (changes, replaces)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert str(tmp_path) != os.getcwd()
