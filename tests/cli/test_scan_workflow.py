"""The pull-request workflow runs the checkov scan beside the pack: every reference stack, checkov only (the
pack's results come from the policy-check job), its SARIF uploaded under its own category, the tool env cached."""

from __future__ import annotations

import shlex

import yaml
from typer.main import get_command

from cli.app import app
from tests.support.plans import REFERENCE_STACKS, ROOT
from tests.support.workflow import expand


def test_the_checkov_scan_job_scans_every_reference_stack_and_uploads_its_sarif():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "policy.yml").read_text())
    job = workflow["jobs"]["checkov-scan"]
    assert job["permissions"]["security-events"] == "write"
    assert set(job["strategy"]["matrix"]["stack"]) == set(REFERENCE_STACKS)
    (scan,) = [s["run"] for s in job["steps"] if "mlplat scan" in s.get("run", "")]
    (upload,) = [s for s in job["steps"] if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
    assert upload["if"] == "always()" and upload["with"]["category"].startswith("mlplat-checkov/")
    (words,) = [shlex.split(c) for c in expand(scan, {"stack": ["aws-prod"]}, job["env"])]
    assert words[:4] == ["uv", "run", "mlplat", "scan"]
    command = get_command(app).get_command(None, "scan")
    params = command.make_context("scan", words[4:]).params
    assert params["pack"] is False and params["stack"] == "aws-prod" and params["format"].value == "sarif"
    assert str(params["output"]) == upload["with"]["sarif_file"].replace("${{ matrix.stack }}", "aws-prod")
    cache = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/cache@")]
    assert cache and cache[0]["with"]["path"] == "~/.cache/mlplat/tools"
