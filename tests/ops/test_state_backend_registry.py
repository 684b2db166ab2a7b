"""The state backend is chosen by one registration per cloud (mlplat/ops/backends.py)."""

import pytest

from mlplat.ops import backends


def test_a_registered_cloud_gets_its_backend(monkeypatch):
    monkeypatch.setitem(backends._BACKENDS, "fake", lambda request, progress: ("fake", request.region))
    assert backends.ensure_backend("fake", backends.BackendRequest(region="r1")) == ("fake", "r1")


def test_an_unregistered_cloud_is_a_usage_error():
    with pytest.raises(backends.BackendUsageError, match="no state backend is registered for nowhere"):
        backends.ensure_backend("nowhere", backends.BackendRequest())


@pytest.mark.parametrize("cloud,request_,flag", [
    ("aws", backends.BackendRequest(), "--region"),
    ("azure", backends.BackendRequest(region="westeurope"), "--subscription"),
    ("azure", backends.BackendRequest(subscription="s"), "--region"),
    ("gcp", backends.BackendRequest(region="us"), "--project"),
    ("gcp", backends.BackendRequest(config={"gcp:project": "p"}), "--region"),
])
def test_a_missing_flag_is_named_before_any_cloud_call(cloud, request_, flag, monkeypatch):
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    with pytest.raises(backends.BackendUsageError, match=f"^{flag} .*--cloud {cloud}"):
        backends.ensure_backend(cloud, request_)


def test_every_registry_cloud_has_a_backend():
    from components.registry import cloud_names

    assert set(cloud_names()) <= set(backends._BACKENDS)
