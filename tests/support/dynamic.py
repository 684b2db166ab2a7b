"""Dynamic providers the way the Pulumi engine drives them: props through the wire format (numbers as
floats, unknowns in previews) and the provider dill-serialised and served by `python -m pulumi.dynamic`
in another process, spoken to over gRPC."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys

import pulumi
from pulumi.runtime import rpc

PREVIEW_UNKNOWN = object()  # in test props: an input the engine does not know yet (preview)


def _run(coroutine):
    # A private loop: asyncio.run() would leave the thread without a current loop, which breaks the
    # Pulumi mocks of the offline-plan tests that run after this one in the same process.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def as_engine_sends(props: dict, keep_unknowns: bool | None = None) -> dict:
    """Props the way the Pulumi engine hands them to a dynamic provider (numbers become floats):
    serialised to the wire struct and deserialised the way pulumi/dynamic/__main__.py does
    (`keep_unknowns=True` for Diff/Check, default for Create/Update). PREVIEW_UNKNOWN becomes an unknown
    Output, as a value computed by a resource that is still changing."""

    async def serialise():
        loop = asyncio.get_running_loop()

        def done(value):
            future = loop.create_future()
            future.set_result(value)
            return future

        def swap(value):
            if value is PREVIEW_UNKNOWN:
                return pulumi.Output(set(), done(None), done(False), done(False))
            if isinstance(value, dict):
                return {k: swap(v) for k, v in value.items()}
            if isinstance(value, list):
                return [swap(v) for v in value]
            return value

        return await rpc.serialize_properties(swap(props), {})

    return rpc.deserialize_properties(_run(serialise()), keep_unknowns)


def wire(props: dict):
    """The protobuf Struct the engine sends (what rpc.serialize_properties makes of the values)."""
    return _run(rpc.serialize_properties(props, {}))


@contextlib.contextmanager
def dynamic_provider_server(cwd):
    """The engine's dynamic-provider plugin (`python -m pulumi.dynamic`) started in `cwd` without the test
    run's PYTHONPATH: yields a ResourceProvider gRPC stub connected to it."""
    import grpc
    from pulumi.runtime.proto import provider_pb2_grpc

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_CURRENT_TEST")}
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.dynamic"], cwd=cwd, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        port = int(server.stdout.readline().strip())  # the plugin's handshake: its port
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield provider_pb2_grpc.ResourceProviderStub(channel)
    finally:
        server.terminate()
        server.wait(timeout=30)


def rest_client(client_class, region: str = "us-central1"):
    """A GAPIC client (e.g. aiplatform_v1.JobServiceClient) over the REST transport with anonymous
    credentials, so that `responses` can answer its requests."""
    from google.auth.credentials import AnonymousCredentials

    options = {"api_endpoint": f"{region}-aiplatform.googleapis.com"}
    return client_class(credentials=AnonymousCredentials(), transport="rest", client_options=options)
