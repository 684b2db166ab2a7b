"""The skip list holds design choices only, each documented with its reason in docs/scanning.md."""

from __future__ import annotations

from mlplat.scan.skips import SKIPS, skips_for
from tests.support.plans import ROOT

KINDS = {"dr", "organisation", "not a control", "cost", "environment default"}


def test_every_skip_is_a_documented_design_choice():
    docs = (ROOT / "docs" / "scanning.md").read_text()
    for skip in SKIPS:
        assert skip.kind in KINDS and skip.reason
        assert f"| `{skip.check}` | {skip.cloud} | {', '.join(skip.environments)} | {skip.kind} | {skip.reason} |" in docs
    # cost choices are dev-only; prod gets only disaster-recovery, organisation-level and non-controls
    assert all(s.environments == ("dev",) or s.kind != "cost" or "prod" not in s.environments for s in SKIPS)
    assert {s.kind for s in SKIPS if "prod" in s.environments} <= {"dr", "organisation", "not a control"}


def test_skips_apply_per_cloud_and_environment():
    assert ("CKV_AWS_18", "cost: no S3 access logging in dev (cost)") in skips_for("aws", "dev")
    assert "CKV_AWS_18" not in {check for check, _ in skips_for("aws", "prod")}
    assert "CKV_GCP_66" in {check for check, _ in skips_for("gcp", "prod")}
