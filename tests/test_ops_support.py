"""Shared helpers for tests/test_ops_*.py: a CLI app holding only the ops commands."""

from __future__ import annotations

import typer
from typer.testing import CliRunner


def ops_app() -> typer.Typer:
    from cli.commands import ops

    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:  # keeps typer from collapsing a one-command app
        pass

    ops.register(app)
    return app


def run(args: list[str], env: dict[str, str] | None = None, input: str | None = None):
    runner = CliRunner()
    return runner.invoke(ops_app(), args, env=env, input=input, catch_exceptions=False)


# -- moto in server mode (real HTTP): boto3 reaches it through AWS_ENDPOINT_URL, which boto3 honours --
import os  # noqa: E402
import socket  # noqa: E402

import pytest  # noqa: E402


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def moto_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(moto_server, monkeypatch, tmp_path):
    """Fake credentials + AWS_ENDPOINT_URL pointing at a freshly reset moto server."""
    import requests

    requests.post(f"{moto_server}/moto-api/reset", timeout=10).raise_for_status()
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return moto_server
