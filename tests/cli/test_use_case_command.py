"""`mlplat use-case add|list|remove`: the stack file is edited in place with comments, key order and
layout kept byte for byte outside the edited entry; refusals exit 1 naming the field and write nothing."""

from __future__ import annotations

import difflib
import json

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.support.plans import STACKS_DIR

COMMENTED = """\
# A hand-written stack: comments, quoting and key order must survive an edit.
config:
  aws:region: us-east-1   # provider region
  mlplat:platform:
    name: fraud-ml
    environment: dev
    cloud: aws
    region: "us-east-1"
    finops:
      cost_center: cc-4711
      owner: ml-platform@example.com   # the platform team
      team: ml-platform
    # Use cases, one per customer of the platform.
    use_cases:
    - name: fraud-scoring   # the first customer
      owner: fraud-team@example.com
      cost_center: cc-4711
    - name: support-rag
      cost_center: cc-5200
    endpoints:
    # The scorer serves the fraud use case.
    - name: fraud-scorer
      max_replicas: 2
      use_case: fraud-scoring
"""


def invoke(*args: str):
    return CliRunner().invoke(app, ["use-case", *args], catch_exceptions=False)


@pytest.fixture
def stack_file(tmp_path):
    path = tmp_path / "Pulumi.aws-dev.yaml"
    path.write_text(COMMENTED)
    return path


def only_inserted(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`; fails when anything else changed."""
    added = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before.splitlines(), after.splitlines()).get_opcodes():
        assert op in ("equal", "insert"), f"{op} of lines {i1}-{i2}: the edit touched lines outside its entry"
        if op == "insert":
            added += after.splitlines()[j1:j2]
    return added


def test_add_appends_the_entry_and_keeps_everything_else_byte_for_byte(stack_file):
    result = invoke("add", "churn", "--owner", "churn@example.com", "--cost-center", "cc-9",
                    "--budget-usd", "500", "--file", str(stack_file), "--no-diff")
    assert result.exit_code == 0, result.output
    added = only_inserted(COMMENTED, stack_file.read_text())
    assert added == ["    - name: churn", "      cost_center: cc-9", "      owner: churn@example.com",
                     "      budget:", "        monthly_usd: 500.0", "        notify:", "        - churn@example.com"]
    # The entry lands at the end of use_cases, before the next section and its comment.
    text = stack_file.read_text()
    assert text.index("- name: churn") < text.index("    endpoints:")


def test_remove_of_an_unreferenced_use_case_restores_the_file_byte_for_byte(stack_file):
    assert invoke("add", "churn", "--owner", "churn@example.com", "--file", str(stack_file), "--no-diff").exit_code == 0
    result = invoke("remove", "churn", "--file", str(stack_file), "--no-diff")
    assert result.exit_code == 0, result.output
    assert stack_file.read_text() == COMMENTED


def test_a_duplicate_name_is_refused_naming_the_field(stack_file):
    result = invoke("add", "support-rag", "--file", str(stack_file), "--no-diff")
    assert result.exit_code == 1
    assert "mlplat:platform.use_cases.1.name" in result.output and "already exists" in result.output
    assert stack_file.read_text() == COMMENTED


def test_removing_a_use_case_that_resources_name_is_refused_listing_them(stack_file):
    result = invoke("remove", "fraud-scoring", "--file", str(stack_file), "--no-diff")
    assert result.exit_code == 1
    assert "mlplat:platform.endpoints.0.use_case: still names use case 'fraud-scoring'" in result.output
    assert stack_file.read_text() == COMMENTED


@pytest.mark.parametrize("budget, field", [("-5", "budget.monthly_usd"), ("0", "budget.monthly_usd")])
def test_an_invalid_budget_is_refused_before_writing(stack_file, budget, field):
    result = invoke("add", "churn", "--budget-usd", budget, "--file", str(stack_file), "--no-diff")
    assert result.exit_code == 1
    assert f"mlplat:platform.use_cases.2.{field}" in result.output and "nothing written" in result.output
    assert stack_file.read_text() == COMMENTED


def test_an_invalid_name_is_refused_naming_the_field(stack_file):
    result = invoke("add", "Not_Valid", "--file", str(stack_file), "--no-diff")
    assert result.exit_code == 1 and "mlplat:platform.use_cases.2.name" in result.output
    assert stack_file.read_text() == COMMENTED


def test_add_shows_the_plan_diff_of_the_new_use_case(stack_file):
    result = invoke("add", "churn", "--owner", "churn@example.com", "--budget-usd", "500", "--file", str(stack_file))
    assert result.exit_code == 0, result.output
    assert "Diff of stack aws-dev" in result.output
    lines = [line.strip() for line in result.output.splitlines()]
    at = lines.index("+ create  fraud-ml-dev-churn-identity")  # the resource name, its type on the next line
    assert lines[at + 1] == "aws:iam/role:Role", result.output
    assert "fraud-ml-dev-churn-budget" in result.output


def test_list_names_what_references_each_use_case(stack_file):
    result = invoke("list", "--file", str(stack_file), "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.output)["use_cases"]}
    assert rows["fraud-scoring"]["named_by"] == ["endpoints.0.use_case"]
    assert rows["support-rag"]["named_by"] == [] and rows["support-rag"]["owner"] == "ml-platform@example.com"


def test_list_reads_a_reference_stack_by_name():
    result = invoke("list", "--stack", "aws-prod")
    assert result.exit_code == 0, result.output
    assert "fraud-scoring" in result.output and (STACKS_DIR / "Pulumi.aws-prod.yaml").exists()


def test_removing_a_use_case_whose_prod_resources_are_protected_is_refused_before_writing(tmp_path):
    prod = COMMENTED.replace("environment: dev", "environment: prod") + (
        "    registry: {}\n"
        "    alerts:\n"
        "      emails: [ml-oncall@example.com]\n"
    )
    path = tmp_path / "Pulumi.aws-prod.yaml"
    path.write_text(prod)
    assert invoke("add", "churn", "--owner", "churn@example.com", "--file", str(path), "--no-diff").exit_code == 0
    onboarded = path.read_text()
    result = invoke("remove", "churn", "--file", str(path), "--no-diff")
    assert result.exit_code == 1, result.output
    assert "delete of protected" in result.output and "nothing written" in result.output
    assert path.read_text() == onboarded
