""".github/workflows/policy.yml cannot rot: every `mlplat` command it runs parses against the real CLI (command
names and options, matrix values substituted), the stacks it names exist, each policy SARIF file it writes is the
one it uploads, and the permissions code scanning needs are granted."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml
from tests.support.plans import REFERENCE_STACKS, ROOT, STACKS_DIR
from tests.support.workflow import WORKFLOW, expand, job_matrix, parse


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def mlplat_commands(workflow: dict) -> list[tuple[str, list[str]]]:
    found = []
    for job_name, job in workflow["jobs"].items():
        matrix = job_matrix(job)
        for step in job["steps"]:
            for line in (step.get("run") or "").splitlines():
                line = line.strip()
                if "mlplat" not in line.split():
                    continue
                for concrete in expand(line, matrix, job.get("env")):
                    words = shlex.split(concrete)
                    assert words[:3] == ["uv", "run", "mlplat"], f"{job_name}: run mlplat through the locked env: {line}"
                    found.append((job_name, words[3:]))
    return found


def test_every_mlplat_command_in_the_workflow_exists(workflow):
    commands = mlplat_commands(workflow)
    assert {tuple(args[:2]) for _, args in commands} >= {("validate", "--stack"), ("policy", "check"), ("preview", "--stack")}
    for job, args in commands:
        ctx = parse(args)  # raises click.UsageError for an unknown command or option
        stack = ctx.params.get("stack")
        if stack:
            assert (STACKS_DIR / f"Pulumi.{stack}.yaml").is_file(), f"{job}: no stack file for {stack}"
        file = ctx.params.get("file")
        if file:
            assert (ROOT / file).is_file(), f"{job}: {file} does not exist"


def test_every_install_compiles_bytecode(workflow):
    """Without bytecode every mlplat process recompiles the provider SDKs (docs/performance.md)."""
    installs = [(name, step["run"]) for name, job in workflow["jobs"].items() for step in job["steps"]
                if "uv sync" in step.get("run", "")]
    assert {name for name, _ in installs} >= {"policy-check", "diff-comment", "checkov-scan", "example"}
    for name, run in installs:
        assert "--compile-bytecode" in run, f"{name}: {run}"
    assert workflow["jobs"]["checkov-scan"]["env"]["UV_COMPILE_BYTECODE"] == "1"  # its checkov venv too


def test_an_unknown_option_would_be_caught():
    with pytest.raises(Exception, match="No such option"):
        parse(["policy", "check", "--stack", "aws-dev", "--no-such-option"])
    with pytest.raises(Exception, match="No such command"):
        parse(["policy", "chek", "--stack", "aws-dev"])


def test_policy_check_runs_on_every_reference_stack_and_uploads_its_sarif(workflow):
    job = workflow["jobs"]["policy-check"]
    assert job["permissions"]["security-events"] == "write"
    assert set(REFERENCE_STACKS) <= set(job["strategy"]["matrix"]["stack"])
    runs = [s.get("run", "") for s in job["steps"]]
    assert "uv sync --frozen --compile-bytecode" in runs  # locked install, bytecode compiled once
    checks = [r for r in runs if r.startswith("uv run mlplat policy check")]
    assert len(checks) == 1
    upload = [s for s in job["steps"] if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
    assert len(upload) == 1 and upload[0]["if"] == "always()"
    assert "matrix.stack" in upload[0]["with"]["category"]
    matrix = job["strategy"]["matrix"]
    commands = expand(checks[0], matrix, job["env"])
    assert len(commands) == len(matrix["stack"])
    for command, sarif in zip(commands, expand(upload[0]["with"]["sarif_file"], matrix)):
        params = parse(shlex.split(command)[3:]).params
        assert params["format"].value == "sarif" and str(params["output"]) == sarif


def test_the_real_preview_is_optional_and_guarded(workflow):
    job = workflow["jobs"]["pulumi-preview"]
    assert job["env"]["PULUMI_BACKEND_URL"] == "${{ secrets.PULUMI_BACKEND_URL }}"
    guarded = [s for s in job["steps"][1:]]
    assert guarded and all("steps.ready.outputs.ready == 'true'" in s.get("if", "") for s in guarded)


def test_docs_quote_the_workflow_that_exists():
    docs = (ROOT / "docs" / "policies.md").read_text()
    assert ".github/workflows/policy.yml" in docs
    for line in re.findall(r"^\s*(?:- )?run: (uv run mlplat .+)$", docs, re.M):
        text = WORKFLOW.read_text()
        assert line.strip() in text, f"docs/policies.md quotes a command the workflow does not run: {line}"
