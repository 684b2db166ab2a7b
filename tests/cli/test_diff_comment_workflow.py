"""The pull-request comment jobs of .github/workflows/policy.yml against the real code: `changed-stacks` selects
the stack files a pull request adds, changes or deletes (`mlplat.stack_changes`, run here on fixture git
repositories exactly as the step runs it), `diff-comment` runs one matrix entry per selected file, and its
`mlplat diff` command parses, writes the file the comment step posts, starting with the marker the comment
step looks for."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest
import yaml

from mlplat.diff.render import MARKER
from mlplat.stack_changes import StackChange, main, matrix, parse_name_status
from tests.support.gitrepo import StackRepo
from tests.support.plans import ROOT, STACKS_DIR
from tests.support.workflow import WORKFLOW, expand, job_matrix, parse


@pytest.fixture(scope="module")
def jobs() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())["jobs"]


def step(job: dict, name_start: str) -> dict:
    (found,) = [s for s in job["steps"] if s.get("name", "").startswith(name_start)]
    return found


def run_step(script: str, repo: StackRepo, env: dict | None = None) -> dict:
    """Run a step's shell script in the repository as the runner does (`python3` is this interpreter, with
    the project importable); the step outputs it wrote to $GITHUB_OUTPUT."""
    outputs = repo.root / "github-output"
    outputs.write_text("")
    script = script.replace("python3 -m mlplat.", f"{shlex.quote(sys.executable)} -m mlplat.")
    full_env = {**os.environ, **(env or {}), "GITHUB_OUTPUT": str(outputs),
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    subprocess.run(["bash", "-e", "-c", script], cwd=repo.root, env=full_env, check=True, capture_output=True)
    return dict(line.split("=", 1) for line in outputs.read_text().splitlines() if line)


def job_env(job: dict, entry: dict) -> dict:
    """The job's environment for one matrix entry, as the runner sets it."""
    return {name: value for name, text in job["env"].items() for value in expand(str(text), {"include": [entry]})}


def select(jobs: dict, repo: StackRepo, base_sha: str) -> tuple[bool, dict]:
    """The changed-stacks job's selection step on `repo`: (any?, the diff-comment matrix)."""
    job = jobs["changed-stacks"]
    outputs = run_step(step(job, "List the stack files")["run"], repo, {"BASE_SHA": base_sha})
    assert set(job["outputs"]) == {"matrix", "any"}
    return outputs["any"] == "true", json.loads(outputs["matrix"])


# -- the selection ------------------------------------------------------------------------------------------

def test_name_status_lines_select_stack_files_only():
    text = "\n".join([
        "M\tstacks/Pulumi.aws-prod.yaml",
        "A\tstacks/Pulumi.team-a.dev.yaml",
        "D\tstacks/Pulumi.gcp-dev.yaml",
        "M\tPulumi.yaml",  # the project file, not a stack
        "M\tstacks/README.md",
        "A\tstacks/old/Pulumi.aws-dev.yaml",  # not in stacks/ itself
        "M\tcomponents/aws/base.py",
    ])
    assert parse_name_status(text) == [StackChange("aws-prod", "modified"), StackChange("gcp-dev", "deleted"),
                                       StackChange("team-a.dev", "added")]
    assert matrix(parse_name_status(text))["include"][0] == {"stack": "aws-prod", "status": "modified"}


def test_selection_on_a_repository_with_added_changed_deleted_and_renamed_stacks(jobs, tmp_path):
    repo = StackRepo(tmp_path / "repo", "aws-prod")
    shutil.copy(STACKS_DIR / "Pulumi.gcp-dev.yaml", repo.root / "stacks" / "Pulumi.gcp-dev.yaml")
    shutil.copy(STACKS_DIR / "Pulumi.azure-dev.yaml", repo.root / "stacks" / "Pulumi.azure-dev.yaml")
    base_sha = repo.commit("three stacks")
    assert select(jobs, repo, base_sha) == (False, {"include": []})  # nothing changed: the diff job is skipped

    repo.edit_spec(lambda spec: spec["finops"].update(owner="someone-else@example.com"))
    (repo.root / "stacks" / "Pulumi.gcp-dev.yaml").unlink()
    (repo.root / "stacks" / "Pulumi.azure-dev.yaml").rename(repo.root / "stacks" / "Pulumi.azure-test.yaml")
    shutil.copy(STACKS_DIR / "Pulumi.aws-dev.yaml", repo.root / "stacks" / "Pulumi.aws-dev.yaml")
    (repo.root / "README.md").write_text("not a stack\n")
    repo.commit("a pull request")
    assert select(jobs, repo, base_sha) == (True, {"include": [
        {"stack": "aws-dev", "status": "added"},
        {"stack": "aws-prod", "status": "modified"},
        {"stack": "azure-dev", "status": "deleted"},  # a rename: the stack name is the file name
        {"stack": "azure-test", "status": "added"},
        {"stack": "gcp-dev", "status": "deleted"},
    ]})


def test_a_file_name_that_is_no_stack_name_gets_no_matrix_entry(jobs, tmp_path, capsys):
    repo = StackRepo(tmp_path / "repo", "aws-dev")
    base_sha = repo.git("rev-parse", "HEAD")
    hostile = "stacks/Pulumi.x$(touch pwned).yaml"
    shutil.copy(repo.file, repo.root / hostile)
    repo.commit("a stack file named to run a command")
    assert select(jobs, repo, base_sha) == (False, {"include": []})
    assert not (repo.root / "pwned").exists()
    assert parse_name_status(f"A\t{hostile}\nA\tstacks/Pulumi.ok_1.2-x.yaml") == [StackChange("ok_1.2-x", "added")]
    assert f"warning: ignoring '{hostile}'" in capsys.readouterr().err


def test_no_run_script_splices_in_the_stack_name(jobs):
    """Actions pastes ${{ }} into a script's text before the shell runs it: a matrix value must come in
    through the environment, quoted."""
    for name, job in jobs.items():
        for each in job["steps"]:
            script = each.get("run", "")
            assert "matrix." not in script, f"{name}: {each.get('name')}: read $STACK from the environment"
            unquoted = re.sub(r'"[^"]*"', "", script)
            assert "$STACK" not in unquoted, f"{name}: {script}"
            if "$STACK" in script:
                assert job["env"]["STACK"] == "${{ matrix.stack }}"


def test_an_unknown_base_revision_is_an_error_not_an_empty_selection(tmp_path, monkeypatch, capsys):
    repo = StackRepo(tmp_path / "repo", "aws-dev")
    monkeypatch.chdir(repo.root)
    assert main(["--base", "0" * 40]) == 2
    assert "git diff" in capsys.readouterr().err


# -- the jobs -----------------------------------------------------------------------------------------------

def test_the_jobs_run_on_pull_requests_with_the_computed_matrix(jobs):
    select_job, job = jobs["changed-stacks"], jobs["diff-comment"]
    for each in (select_job, job):
        assert "github.event_name == 'pull_request'" in each["if"]
        assert each["steps"][0]["with"]["fetch-depth"] == 0  # the base revision must be in the clone
    assert select_job["permissions"] == {"contents": "read"}
    assert step(select_job, "List the stack files")["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert job["needs"] == "changed-stacks"
    assert "needs.changed-stacks.outputs.any == 'true'" in job["if"]  # an empty matrix is an error in Actions
    assert job["strategy"]["matrix"] == "${{ fromJSON(needs.changed-stacks.outputs.matrix) }}"
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert job["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"


def test_the_diff_command_writes_the_report_the_comment_step_posts(jobs):
    job = jobs["diff-comment"]
    entries = [e for e in job_matrix(job)["include"] if e["status"] != "deleted"]
    (line,) = [l.strip() for l in step(job, "Diff the stack")["run"].splitlines() if "mlplat diff" in l]
    post = step(job, "Post or update")
    assert "if" not in post  # posted for every entry, the deleted-file note included
    assert step(job, "Diff the stack")["if"] == "matrix.status != 'deleted'"
    commands = expand(line, {"include": entries}, job["env"])
    assert len(commands) == len(entries)
    for entry, command in zip(entries, commands):
        params = parse(shlex.split(command)[3:]).params
        (report,) = expand(post["env"]["REPORT"], {"include": [entry]})
        (marker,) = expand(post["env"]["MARKER"], {"include": [entry]})
        assert params["stack"] == entry["stack"] and params["base"] == "$BASE_SHA"
        assert params["format"].value == "markdown" and str(params["output"]) == report
        assert marker == MARKER.format(stack=entry["stack"])
    assert "startswith(\\\"$MARKER\\\")" in post["run"] and "-F body=@\"$REPORT\"" in post["run"]
    fail_step = step(job, "Fail on")
    assert fail_step["if"] == "matrix.status != 'deleted' && steps.diff.outputs.exit != '0'"
    assert fail_step["run"] == "exit ${{ steps.diff.outputs.exit }}"


def diff_step(job: dict, entry: dict, tmp_path, repo: StackRepo, base_sha: str) -> dict:
    """The diff step of one matrix entry, run as the workflow runs it (mlplat through the test's interpreter
    instead of uv; --no-policy: the pack is exercised in tests/diff)."""
    script = step(job, "Diff the stack")["run"]
    script = script.replace("uv run mlplat diff", "mlplat diff").replace("-o diff-", "--no-policy -o diff-")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "mlplat").write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m cli.app \"$@\"\n")
    (bin_dir / "mlplat").chmod(0o755)
    env = {"BASE_SHA": base_sha, "STACK": job_env(job, entry)["STACK"], "PATH": f"{bin_dir}:{os.environ['PATH']}", "MLPLAT_PROJECT_DIR": str(repo.root)}
    return run_step(script, repo, env)


def test_a_pull_request_that_replaces_a_protected_feature_group(jobs, tmp_path):
    repo = StackRepo(tmp_path / "repo", "aws-prod")
    base_sha = repo.git("rev-parse", "HEAD")
    repo.edit_spec(lambda spec: spec["feature_store"]["feature_groups"][0]["features"].update(country="string"))
    repo.commit("a new feature")
    any_changed, computed = select(jobs, repo, base_sha)
    assert any_changed and computed == {"include": [{"stack": "aws-prod", "status": "modified"}]}
    assert diff_step(jobs["diff-comment"], computed["include"][0], tmp_path, repo, base_sha) == {"exit": "1"}
    report = (repo.root / "diff-aws-prod.md").read_text()
    assert report.splitlines()[0] == MARKER.format(stack="aws-prod")
    assert "Data-loss risk" in report and "FeatureGroup" in report


def test_a_pull_request_that_adds_and_deletes_stack_files(jobs, tmp_path):
    repo = StackRepo(tmp_path / "repo", "gcp-dev")
    base_sha = repo.git("rev-parse", "HEAD")
    repo.file.unlink()
    shutil.copy(STACKS_DIR / "Pulumi.aws-dev.yaml", repo.root / "stacks" / "Pulumi.aws-dev.yaml")
    repo.commit("aws instead of gcp")
    _, computed = select(jobs, repo, base_sha)
    added, deleted = computed["include"]
    assert (added, deleted) == ({"stack": "aws-dev", "status": "added"}, {"stack": "gcp-dev", "status": "deleted"})

    job = jobs["diff-comment"]
    assert diff_step(job, added, tmp_path, repo, base_sha) == {"exit": "0"}  # a new stack: everything created
    report = (repo.root / "diff-aws-dev.md").read_text()
    assert report.splitlines()[0] == MARKER.format(stack="aws-dev") and "create" in report

    note_step = step(job, "Note the deleted stack file")
    assert note_step["if"] == "matrix.status == 'deleted'"
    run_step(note_step["run"], repo, {"BASE_SHA": base_sha, **job_env(job, deleted)})
    note = (repo.root / "diff-gcp-dev.md").read_text()
    assert note.splitlines()[0] == MARKER.format(stack="gcp-dev")
    assert "stacks/Pulumi.gcp-dev.yaml" in note and "does not destroy" in note
