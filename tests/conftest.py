"""Every shared fixture of the test suite. Helpers that are not fixtures live in tests/support/."""

from __future__ import annotations

import gc
import json as _json
import os
import socket
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.plans import ROOT, changed_reference_plans, reference_plan

# Property tests: by default a fixed, derandomised run (the same examples every time, in CI or not, so a red
# build is a real regression and reproducible); HYPOTHESIS_PROFILE=dev explores more examples at random.
settings.register_profile(
    "ci", derandomize=True, max_examples=60, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "dev", max_examples=200, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "ci")

# pytest-xdist workers get COLUMNS=80; the CLI's tables follow COLUMNS, so output would depend on -n. Tests
# that check a width set COLUMNS themselves (tests/cli/test_cli_output.py).
os.environ.pop("COLUMNS", None)
# `compare` run in a test process plans the three clouds one after another: in a process that has loaded gRPC
# its workers would be spawned, each importing the CLI and the SDKs again, and the test workers already use both
# cores. The parallel path has its own tests (tests/finops/test_compare_in_parallel_processes.py).
os.environ["MLPLAT_COMPARE_PROCESSES"] = "1"


def pytest_configure(config):
    # Each worker plans dozens of stacks in one process: with the default thresholds the collector keeps
    # rescanning the provider SDKs' long-lived objects (docs/performance.md). Fewer, larger collections
    # still free the cycles a long test session leaves.
    gc.set_threshold(100_000, 50, 100)


@pytest.fixture(scope="session")
def plan_of():
    return reference_plan


@pytest.fixture(scope="session", autouse=True)
def reference_plans_stay_unchanged():
    """Every test shares the reference plans of its process: one that changed a plan would change what the
    tests after it see, so the session ends in an error naming the plans."""
    yield
    changed = changed_reference_plans()
    assert not changed, f"a test changed the shared reference plans {changed}: copy.deepcopy before changing"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


# -- moto in server mode (real HTTP): boto3 reaches it through AWS_ENDPOINT_URL, which boto3 honours --



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


# -- Google Cloud: Application Default Credentials from a file, all HTTP faked with `responses` -------


@pytest.fixture
def gcp_http(tmp_path, monkeypatch):
    """A `responses` mock of the HTTP layer (google-auth and google-cloud clients use `requests`) with
    authorized-user ADC whose token refresh is answered; tests add the API responses they need."""
    import responses

    adc = tmp_path / "adc.json"
    adc.write_text(_json.dumps({"type": "authorized_user", "client_id": "id.apps.googleusercontent.com",
                                "client_secret": "secret", "refresh_token": "refresh"}))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    for name in ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.POST, "https://oauth2.googleapis.com/token",
                 json={"access_token": "ya29.test", "expires_in": 3600, "token_type": "Bearer"})
        yield mock


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project directory with the policy pack marker and two AWS stacks (dev, prod), used via
    MLPLAT_PROJECT_DIR; no backend and an empty passphrase in the environment."""
    from mlplat.ops.stack_template import write_stack
    from components.spec import Cloud, Environment

    root = tmp_path / "project"
    (root / "policies").mkdir(parents=True)
    (root / "policies" / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (root / "Pulumi.yaml").write_text("name: mlplat\nruntime: python\nstackConfigDir: stacks\n")
    for stack, env in [("app-dev", Environment.dev), ("app-prod", Environment.prod)]:
        write_stack(stack, root / "stacks", Cloud("aws"), env, region="us-east-1")
    monkeypatch.setenv("MLPLAT_PROJECT_DIR", str(root))
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "")
    return root


# -- what the program asks the engine for, beyond what the plan records -----------------------------------


@pytest.fixture
def registrations(monkeypatch):
    """{logical name: RegisterResource request} of every resource planned while the fixture is active:
    the resource options the plan omits (deleteBeforeReplace, retainOnDelete, ignoreChanges, aliases...)."""
    from mlplat.offline_plan import recorder

    seen: dict = {}
    original = recorder.RecordingMonitor.RegisterResource

    def register(self, request):
        seen[request.name] = request
        return original(self, request)

    monkeypatch.setattr(recorder.RecordingMonitor, "RegisterResource", register)
    return seen


@pytest.fixture(scope="session")
def pack():
    """The policy pack running as a separate process, started the way the Pulumi CLI starts it."""
    from mlplat.policy_run import PolicyPackProcess

    with PolicyPackProcess() as running:
        yield running


@pytest.fixture
def no_aws_config(monkeypatch, tmp_path):
    """No AWS credentials, profile, endpoint override or instance metadata: botocore finds nothing."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                 "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_PRICING", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
