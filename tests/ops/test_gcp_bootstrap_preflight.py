"""GCP bootstrap and preflight through the real google-cloud clients, HTTP faked with `responses`."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
import responses

from tests.support.ops import by_check, run

from mlplat.ops import backend_gcp, quota_gcp
from mlplat.ops.preflight import GpuNeed
from mlplat.ops.results import OpsError
from components.spec import parse_spec

STORAGE = "https://storage.googleapis.com/storage/v1/b"


class FakeGcs:
    """Bucket metadata kept between requests, like the JSON API does."""

    def __init__(self, mock, forbidden: bool = False):
        self.buckets: dict[str, dict] = {}
        self.writes: list[tuple[str, dict]] = []
        self.forbidden = forbidden
        self.project_numbers: dict[str, int] = {}
        mock.add_callback(responses.GET, re.compile(r"https://storage.googleapis.com/storage/v1/projects/[^/]+/serviceAccount"),
                          callback=self.service_account)
        mock.add_callback(responses.GET, re.compile(rf"{STORAGE}/[^/?]+(\?.*)?$"), callback=self.get)
        mock.add_callback(responses.POST, re.compile(rf"{STORAGE}(\?.*)?$"), callback=self.insert)
        mock.add_callback(responses.PATCH, re.compile(rf"{STORAGE}/[^/?]+(\?.*)?$"), callback=self.patch)

    @staticmethod
    def _name(request) -> str:
        return request.path_url.split("?")[0].rsplit("/", 1)[-1]

    def service_account(self, request):
        project = request.path_url.split("/projects/", 1)[1].split("/", 1)[0]
        number = self.project_numbers.setdefault(project, 100000 + len(self.project_numbers))
        return 200, {}, json.dumps({"kind": "storage#serviceAccount",
                                    "email_address": f"service-{number}@gs-project-accounts.iam.gserviceaccount.com"})

    def get(self, request):
        if self.forbidden:
            return 403, {}, json.dumps({"error": {"code": 403, "message": "caller does not have storage.buckets.get access"}})
        bucket = self.buckets.get(self._name(request))
        if bucket is None:
            return 404, {}, json.dumps({"error": {"code": 404, "message": "The specified bucket does not exist."}})
        return 200, {}, json.dumps(bucket)

    def insert(self, request):
        body = json.loads(request.body)
        self.writes.append(("insert", body))
        body.setdefault("location", "US")
        body["location"] = body["location"].upper()
        self.buckets[body["name"]] = {"kind": "storage#bucket", "id": body["name"], **body}
        return 200, {}, json.dumps(self.buckets[body["name"]])

    def patch(self, request):
        body = json.loads(request.body)
        self.writes.append(("patch", body))
        bucket = self.buckets[self._name(request)]
        for key, value in body.items():
            if isinstance(value, dict) and isinstance(bucket.get(key), dict):
                bucket[key] = {**bucket[key], **value}
            else:
                bucket[key] = value
        return 200, {}, json.dumps(bucket)


def test_bootstrap_creates_bucket_then_no_op(gcp_http):
    gcs = FakeGcs(gcp_http)
    first = backend_gcp.ensure_backend("my-proj", "my-proj-mlplat-state", "us-central1")
    assert first.created and first.url == "gs://my-proj-mlplat-state"
    ((kind, body),) = gcs.writes
    assert kind == "insert"
    assert body["versioning"] == {"enabled": True}
    assert body["iamConfiguration"]["uniformBucketLevelAccess"]["enabled"] is True
    assert body["iamConfiguration"]["publicAccessPrevention"] == "enforced"
    assert body["lifecycle"]["rule"] == [{"action": {"type": "Delete"}, "condition": {"daysSinceNoncurrentTime": 90}}]
    assert body["location"].lower() == "us-central1"
    second = backend_gcp.ensure_backend("my-proj", "my-proj-mlplat-state", "us-central1")
    assert (second.created, second.changes) == (False, [])
    assert len(gcs.writes) == 1  # nothing written the second time


def test_bootstrap_completes_an_existing_bucket_keeping_its_rules(gcp_http):
    gcs = FakeGcs(gcp_http)
    gcs.buckets["state"] = {"name": "state", "location": "EU", "versioning": {"enabled": True},
                            "lifecycle": {"rule": [{"action": {"type": "Delete"}, "condition": {"age": 365}}]}}
    with pytest.raises(OpsError) as error:  # uniform access is irreversible after 90 days: not without consent
        backend_gcp.ensure_backend("p", "state", "eu")
    assert "--fix-existing" in str(error.value) and "uniform bucket-level access" in str(error.value)
    assert gcs.writes == []
    result = backend_gcp.ensure_backend("p", "state", "eu", fix_existing=True)
    assert result.created is False
    assert "enabled object versioning" not in result.changes
    assert "enforced public access prevention" in result.changes
    ((kind, body),) = gcs.writes
    assert kind == "patch"
    assert {"action": {"type": "Delete"}, "condition": {"age": 365}} in body["lifecycle"]["rule"]
    assert len(body["lifecycle"]["rule"]) == 2
    with pytest.raises(OpsError) as error:
        backend_gcp.ensure_backend("p", "state", "us-central1")
    assert "is in EU" in str(error.value)


def test_bootstrap_refuses_a_bucket_of_another_project(gcp_http):
    gcs = FakeGcs(gcp_http)
    gcs.project_numbers = {"mine": 111, "theirs": 222}
    gcs.buckets["shared-name"] = {"name": "shared-name", "location": "US", "projectNumber": "222",
                                  "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": True}}}
    with pytest.raises(OpsError) as error:
        backend_gcp.ensure_backend("mine", "shared-name", "us")
    assert "belongs to project number 222" in str(error.value)
    assert gcs.writes == []


def test_cli_bootstrap_gcp_fix_existing(gcp_http):
    gcs = FakeGcs(gcp_http)
    gcs.buckets["old"] = {"name": "old", "location": "US", "versioning": {"enabled": True}}
    result = run(["bootstrap", "backend", "--cloud", "gcp", "--project", "p", "--region", "us", "--bucket", "old"])
    assert result.exit_code == 1 and "--fix-existing" in result.stderr and gcs.writes == []
    result = run(["bootstrap", "backend", "--cloud", "gcp", "--project", "p", "--region", "us", "--bucket", "old",
                  "--fix-existing"])
    assert result.exit_code == 0, result.output
    assert "enabled uniform bucket-level access" in result.stdout


def test_bootstrap_forbidden_and_no_credentials(gcp_http, monkeypatch, tmp_path):
    FakeGcs(gcp_http, forbidden=True)
    with pytest.raises(OpsError) as error:
        backend_gcp.ensure_backend("p", "taken", "us")
    assert "access to bucket 'taken' in project 'p' was denied" in error.value.lines[0]
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    result = run(["bootstrap", "backend", "--cloud", "gcp", "--project", "p", "--region", "us"])
    assert result.exit_code == 1
    assert "no Google Cloud credentials found" in result.stderr
    assert "Traceback" not in result.output


def test_cli_bootstrap_gcp_json(gcp_http):
    FakeGcs(gcp_http)
    result = run(["bootstrap", "backend", "--cloud", "gcp", "--project", "acme", "--region", "us-central1", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["url"] == "gs://acme-mlplat-state" and report["created"] is True
    assert report["login"] == "pulumi login 'gs://acme-mlplat-state'"


# -- preflight ---------------------------------------------------------------------------------------
REGION_URL = "https://compute.googleapis.com/compute/v1/projects/acme/regions/us-central1"


def _region(quotas, status="UP"):
    return {"kind": "compute#region", "name": "us-central1", "status": status,
            "quotas": [{"metric": m, "limit": limit, "usage": usage} for m, limit, usage in quotas]}


def _spec():
    return parse_spec({"name": "fraud", "environment": "dev", "cloud": "gcp", "region": "us-central1",
                       "finops": {"cost_center": "cc", "owner": "o@example.com", "team": "t"}}, "test")


A100_8 = SimpleNamespace(instance_type="a2-highgpu-8g", accelerator="nvidia-tesla-a100", gpus=8, vcpus=96)
L4_1 = SimpleNamespace(instance_type="g2-standard-4", accelerator="nvidia-l4", gpus=1, vcpus=4)
NEEDS = [GpuNeed("training", "a100", 8, 2, True, A100_8), GpuNeed("endpoint e", "l4", 1, 3, False, L4_1)]
CONFIG = {"gcp:project": "acme", "gcp:region": "us-central1"}


def test_preflight_quota_enough_and_too_low(gcp_http):
    gcp_http.add(responses.GET, REGION_URL, json=_region([("PREEMPTIBLE_NVIDIA_A100_GPUS", 16, 0), ("NVIDIA_L4_GPUS", 2, 1)]))
    checks = by_check(quota_gcp.preflight(_spec(), CONFIG, NEEDS))
    assert checks["credentials"].status == "pass"
    assert checks["region"].status == "pass"
    assert checks["quota training"].status == "pass"
    assert "PREEMPTIBLE_NVIDIA_A100_GPUS limit is 16" in checks["quota training"].detail
    assert checks["quota endpoint e"].status == "fail"
    assert "3 x nvidia-l4 GPUs needed; NVIDIA_L4_GPUS limit is 2 (in use: 1)" in checks["quota endpoint e"].detail


def test_preflight_gpu_missing_in_region_and_region_down(gcp_http):
    gcp_http.add(responses.GET, REGION_URL, json=_region([("NVIDIA_L4_GPUS", 8, 0)], status="DOWN"))
    checks = by_check(quota_gcp.preflight(_spec(), CONFIG, NEEDS))
    assert checks["region"].status == "fail" and "DOWN" in checks["region"].detail
    assert checks["quota training"].status == "fail"
    assert "no PREEMPTIBLE_NVIDIA_A100_GPUS quota" in checks["quota training"].detail
    assert checks["quota endpoint e"].status == "pass"


def test_preflight_forbidden(gcp_http):
    gcp_http.add(responses.GET, REGION_URL, status=403,
                 json={"error": {"code": 403, "message": "Required 'compute.regions.get' permission for 'projects/acme'"}})
    checks = by_check(quota_gcp.preflight(_spec(), CONFIG, NEEDS))
    assert checks["region"].status == "fail"
    assert "permission denied" in checks["region"].detail and "compute.regions.get" in checks["region"].detail
    assert checks["quota training"].status == "skip"


def test_preflight_no_credentials_and_rejected_credentials(gcp_http, monkeypatch, tmp_path):
    gcp_http.replace(responses.POST, "https://oauth2.googleapis.com/token", status=400,
                     json={"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
    checks = quota_gcp.preflight(_spec(), CONFIG, NEEDS)
    assert checks[0].status == "fail" and "rejected" in checks[0].detail
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS")
    checks = quota_gcp.preflight(_spec(), CONFIG, NEEDS)
    assert [(c.check, c.status) for c in checks] == [
        ("credentials", "fail"), ("region", "skip"), ("quota training", "skip"), ("quota endpoint e", "skip")]
    assert "no Google Cloud credentials found" in checks[0].detail


def test_preflight_placeholder_project_and_region_mismatch(gcp_http):
    checks = by_check(quota_gcp.preflight(_spec(), {"gcp:project": "change-me-gcp-project"}, NEEDS))
    assert checks["project"].status == "fail"
    checks = by_check(quota_gcp.preflight(_spec(), {"gcp:project": "acme", "gcp:region": "europe-west1"}, NEEDS))
    assert checks["region"].status == "fail" and "europe-west1" in checks["region"].detail


def test_cli_preflight_gcp_with_catalog(gcp_http, tmp_path, monkeypatch):
    import yaml

    spec = {"name": "fraud", "environment": "dev", "cloud": "gcp", "region": "us-central1",
            "finops": {"cost_center": "cc", "owner": "o@example.com", "team": "t"},
            "training": {"gpu": "a100", "gpus_per_node": 8, "max_nodes": 1, "spot": False}}
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.g.yaml").write_text(yaml.safe_dump({"config": {**CONFIG, "mlplat:platform": spec}}))
    monkeypatch.setenv("MLPLAT_PROJECT_DIR", str(tmp_path))
    gcp_http.add(responses.GET, REGION_URL, json=_region([("NVIDIA_A100_GPUS", 4, 0)]))
    result = run(["preflight", "--stack", "g"])
    assert result.exit_code == 1
    assert "FAIL" in result.stdout and "NVIDIA_A100_GPUS limit is 4" in result.stdout
