"""The pull-request comment job of .github/workflows/policy.yml against the real CLI: its `mlplat diff`
command parses, writes the file the comment step posts, starts with the marker the comment step looks
for, and its shell steps behave on a fixture repository (changed / unchanged stack file, exit codes)."""

from __future__ import annotations

import os
import sys
import shlex
import subprocess

import pytest
import yaml

from mlplat.diff.render import MARKER
from tests.support.gitrepo import StackRepo
from tests.support.plans import REFERENCE_STACKS
from tests.support.workflow import WORKFLOW, expand, parse


@pytest.fixture(scope="module")
def job() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())["jobs"]["diff-comment"]


def step(job: dict, name_start: str) -> dict:
    (found,) = [s for s in job["steps"] if s.get("name", "").startswith(name_start)]
    return found


def diff_line(job: dict) -> str:
    (line,) = [l.strip() for l in step(job, "Diff the stack")["run"].splitlines() if "mlplat diff" in l]
    return line


def test_the_job_runs_on_pull_requests_for_every_stack_with_permission_to_comment(job):
    assert job["if"] == "github.event_name == 'pull_request'"
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert set(REFERENCE_STACKS) <= set(job["strategy"]["matrix"]["stack"])
    assert job["steps"][0]["with"]["fetch-depth"] == 0  # the base revision must be in the clone
    assert job["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    guarded = job["steps"][2:]
    assert all("steps.changed.outputs.changed == 'true'" in s["if"] for s in guarded)


def test_the_diff_command_writes_the_report_the_comment_step_posts(job):
    matrix = job["strategy"]["matrix"]
    post = step(job, "Post or update")
    for command, report, marker, stack in zip(expand(diff_line(job), matrix), expand(post["env"]["REPORT"], matrix),
                                              expand(post["env"]["MARKER"], matrix), matrix["stack"]):
        params = parse(shlex.split(command)[3:]).params
        assert params["stack"] == stack and params["base"] == "$BASE_SHA"
        assert params["format"].value == "markdown" and str(params["output"]) == report
        assert marker == MARKER.format(stack=stack)
    assert "startswith(\\\"$MARKER\\\")" in post["run"] and "-F body=@\"$REPORT\"" in post["run"]


def run_step(script: str, repo: StackRepo, env: dict) -> dict:
    """Run a step's shell script in the repository; the step outputs it wrote to $GITHUB_OUTPUT."""
    outputs = repo.root / "github-output"
    outputs.write_text("")
    full_env = {**os.environ, **env, "GITHUB_OUTPUT": str(outputs)}
    subprocess.run(["bash", "-e", "-c", script], cwd=repo.root, env=full_env, check=True, capture_output=True)
    return dict(line.split("=", 1) for line in outputs.read_text().splitlines() if line)


def test_the_steps_on_a_pull_request_that_replaces_a_protected_feature_group(job, tmp_path, monkeypatch):
    repo = StackRepo(tmp_path / "repo", "aws-prod")
    base_sha = repo.git("rev-parse", "HEAD")
    matrix = {"stack": ["aws-prod"]}
    (changed_script,) = expand(step(job, "Did the pull request").get("run"), matrix)
    assert run_step(changed_script, repo, {"BASE_SHA": base_sha}) == {"changed": "false"}
    repo.edit_spec(lambda spec: spec["feature_store"]["feature_groups"][0]["features"].update(country="string"))
    repo.commit("a new feature")
    assert run_step(changed_script, repo, {"BASE_SHA": base_sha}) == {"changed": "true"}
    # the diff step, run as the workflow runs it (mlplat through the test's interpreter instead of uv)
    (script,) = expand(step(job, "Diff the stack")["run"], matrix)
    script = script.replace("uv run mlplat diff", "mlplat diff")
    script = script.replace('-o diff-', '--no-policy -o diff-')  # the pack is exercised in tests/diff
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mlplat").write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m cli.app \"$@\"\n")
    (bin_dir / "mlplat").chmod(0o755)
    env = {"BASE_SHA": base_sha, "PATH": f"{bin_dir}:{os.environ['PATH']}", "MLPLAT_PROJECT_DIR": str(repo.root),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(WORKFLOW.parents[2]), os.environ.get("PYTHONPATH")]))}
    assert run_step(script, repo, env) == {"exit": "1"}  # the last step fails the job with it
    report = (repo.root / "diff-aws-prod.md").read_text()
    assert report.splitlines()[0] == MARKER.format(stack="aws-prod")
    assert "Data-loss risk" in report and "FeatureGroup" in report
    fail_step = step(job, "Fail on")
    assert "steps.diff.outputs.exit != '0'" in fail_step["if"] and fail_step["run"] == "exit ${{ steps.diff.outputs.exit }}"
