"""The skip list holds design choices only, each documented with its reason in docs/scanning.md."""

from __future__ import annotations

from mlplat.scan.skips import RESOURCES, SKIPS, skip_comments, skips_for
from tests.support.plans import ROOT

KINDS = {"dr", "organisation", "not a control", "cost", "environment default", "equivalent control", "exception"}


def test_every_skip_is_a_documented_design_choice():
    docs = (ROOT / "docs" / "scanning.md").read_text()
    for skip in SKIPS:
        assert skip.kind in KINDS and skip.reason
        scope = skip.resources or "all"
        row = f"| `{skip.check}` | {skip.cloud} | {', '.join(skip.environments)} | {skip.kind} | {scope} | {skip.reason} |"
        assert row in docs, row
    # cost choices are dev-only; prod gets only disaster-recovery, organisation-level and non-controls
    assert all(s.environments == ("dev",) or s.kind != "cost" or "prod" not in s.environments for s in SKIPS)
    assert {s.kind for s in SKIPS if "prod" in s.environments} <= {"dr", "organisation", "not a control",
                                                                    "equivalent control", "exception"}
    # an exception is limited to the named resources it is about, never a whole stack
    assert all(s.resources in RESOURCES for s in SKIPS if s.kind == "exception")


def test_skips_apply_per_cloud_and_environment():
    assert ("CKV_AWS_18", "cost: no S3 access logging in dev (cost)") in [s[:2] for s in skips_for("aws", "dev")]
    assert "CKV_AWS_18" not in {s[0] for s in skips_for("aws", "prod")}
    assert "CKV_GCP_66" in {s[0] for s in skips_for("gcp", "prod")}


def test_a_resource_scoped_skip_applies_to_its_resources_only():
    from types import SimpleNamespace

    prod = skips_for("aws", "prod")
    log_bucket = SimpleNamespace(type="aws:s3/bucket:Bucket", name="p-prod-access-logs", inputs={})
    data_bucket = SimpleNamespace(type="aws:s3/bucket:Bucket", name="p-prod-data", inputs={})
    assert "CKV_AWS_145" in dict(skip_comments(prod, log_bucket))
    assert "CKV_AWS_145" not in dict(skip_comments(prod, data_bucket))
    # the pack's analyzer resources (resource_type, props) are matched alike
    view = SimpleNamespace(resource_type="gcp:bigquery/table:Table", name="v", props={"view": {"query": "q"}})
    table = SimpleNamespace(resource_type="gcp:bigquery/table:Table", name="t", props={})
    assert "CKV_GCP_80" in dict(skip_comments(skips_for("gcp", "prod"), view))
    assert "CKV_GCP_80" not in dict(skip_comments(skips_for("gcp", "prod"), table))
