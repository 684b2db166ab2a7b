"""What a new user and a script see: exit codes as documented, a JSON document on failure with -f json,
file and field in every error, readable tables and one count wording across commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.support.ops import run as run_ops
from tests.support.plans import ROOT, golden_count_phrase

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize("target", ["does-not-exist.yaml", "."])
def test_validate_exits_2_when_the_file_cannot_be_read(target):
    result = invoke("validate", target)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {target}: ")


@pytest.mark.parametrize("fixture", ["non_utf8.yaml", "deep_nesting.yaml", "duplicate_keys.yaml",
                                     "wrong_config_key.yaml", "infinite_budget.yaml"])
def test_validate_exits_1_on_bad_content_naming_the_file(fixture):
    result = invoke("validate", str(FIXTURES / fixture))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith(f"error: {FIXTURES / fixture}: ") for line in lines), lines


def test_validate_takes_region_on_the_target_cloud():
    path = FIXTURES / "aws_region_without_default_image.yaml"  # il-central-1
    result = invoke("validate", str(path), "--cloud", "gcp", "--region", "me-west1")
    assert result.exit_code == 0, result.stderr
    result = invoke("validate", str(path), "--cloud", "gcp", "--region", "northamerica-northeast9")
    assert result.exit_code == 1 and "did you mean" in result.stderr and "region" in result.stderr


@pytest.mark.parametrize("command", [
    ["plan", "--config", "{fixture}", "-f", "json"],
    ["cost", "--config", "{fixture}", "-f", "json"],
    ["compare", "--config", "{fixture}", "-f", "json"],
    ["policy", "check", "--config", "{fixture}", "-f", "json"],
])
def test_json_commands_emit_a_json_document_on_failure(command):
    fixture = str(FIXTURES / "infinite_budget.yaml")
    result = invoke(*[part.format(fixture=fixture) for part in command])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["result"] == "failed"
    assert any("budget.monthly_usd" in line for line in document["error"])


def test_bootstrap_backend_json_failure_is_a_json_document(project):
    result = run_ops(["bootstrap", "backend", "-f", "json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["result"] == "failed" and "--cloud is required" in document["error"][0]


def test_init_does_not_repeat_the_environment_in_resource_names(project):
    result = run_ops(["init", "fraud-dev", "--cloud", "aws", "--environment", "dev", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    text = (project / "stacks" / "Pulumi.fraud-dev.yaml").read_text()
    assert "name: fraud\n" in text


def test_init_hints_name_when_the_stack_name_is_not_a_platform_name(project):
    result = run_ops(["init", "Fraud_Stack", "--cloud", "aws", "--environment", "dev"])
    assert result.exit_code == 2 and "pass --name" in result.stderr


def test_flags_show_no_bool_metavar_and_aliases_do_not_run_together():
    result = runner.invoke(app, ["bootstrap", "backend", "--help"], env={"COLUMNS": "100"})
    # typer's own --help flag keeps its metavar; ours show none
    assert [line for line in result.stdout.splitlines() if "<bool>" in line and "--help" not in line] == []
    assert "--fix-existing,--yes" not in result.stdout


def test_plan_table_has_a_header_for_every_column_and_the_shared_count_wording(plan_of):
    from mlplat.offline_plan.render import count_phrase, plan_table

    plan = plan_of("aws-prod")
    text = plan_table(plan)
    assert "protected" in text.splitlines()[3]  # the first group's header row
    assert "(1 resources)" not in text
    assert f"To create: {count_phrase(plan)};" in text
    assert count_phrase(plan) == golden_count_phrase("aws-prod", "aws")
    table_lines = [line for line in text.split("\n\n", 1)[1].split("To create:")[0].splitlines()]
    assert table_lines and max(len(line) for line in table_lines) <= 100


def test_cost_text_fits_100_columns_and_names_the_platform_for_config():
    result = invoke("cost", "--config", str(ROOT / "examples" / "fraud-ml.yaml"))
    assert result.exit_code in (0, 1), result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Monthly estimate for platform fraud-ml ")
    counts = [re.match(r"(\d+) resources \((\d+) custom, (\d+) components\)", line) for line in lines]
    total, custom, components = next(map(int, m.groups()) for m in counts if m)
    assert total == custom + components and components > 0
    assert max(len(line) for line in lines) <= 100
    assert "$inf" not in result.stdout and "nan" not in result.stdout.lower().replace("financ", "")


@pytest.mark.parametrize("command", [
    ["diff", "--stack", "no-such-stack", "--base", "HEAD", "-f", "json"],
    ["diff", "--config", "/nonexistent/spec.yaml", "--base-config", "/nonexistent/base.yaml", "-f", "json"],
    ["scan", "--stack", "no-such-stack", "-f", "json"],
], ids=["diff-unknown-stack", "diff-missing-files", "scan-unknown-stack"])
def test_diff_and_scan_emit_a_json_document_on_failure(command):
    result = invoke(*command)
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["result"] == "failed" and document["error"]
