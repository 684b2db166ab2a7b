"""`mlplat diff` on fixture git repositories: the stack is committed, edited, and diffed against the
commit, the way a pull request changes a stack file."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.support.gitrepo import StackRepo

runner = CliRunner()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    def make(stack: str) -> StackRepo:
        made = StackRepo(tmp_path / "repo", stack)
        monkeypatch.setenv("MLPLAT_PROJECT_DIR", str(made.root))
        monkeypatch.chdir(made.root)
        return made
    return make


def diff(*args: str):
    result = runner.invoke(app, ["diff", *args], catch_exceptions=False)
    return result


def diff_json(*args: str):
    result = diff(*args, "-f", "json")
    return result.exit_code, json.loads(result.stdout)


def test_adding_an_endpoint_creates_its_resources_and_costs_more(repo):
    r = repo("aws-dev")
    r.edit_spec(lambda spec: spec["endpoints"].append(
        {"name": "churn", "compute": "cpu", "max_replicas": 2, "use_case": spec["endpoints"][0].get("use_case")}))
    code, report = diff_json("--stack", "aws-dev", "--base", "HEAD", "--no-policy")
    assert code == 0
    assert report["summary"]["create"] >= 3 and report["summary"]["delete"] == report["summary"]["replace"] == 0
    created = [c for c in report["changes"] if c["action"] == "create"]
    assert {c["capability"] for c in created} == {"endpoints"}
    assert "aws:sagemaker/endpoint:Endpoint" in {c["type"] for c in created}
    assert all("churn" in c["name"] for c in created)
    endpoints = report["cost"]["by_capability"]["endpoints"]
    assert endpoints["idle"]["delta"] > 0 and endpoints["idle"]["head"] > endpoints["idle"]["base"]
    assert report["cost"]["totals"]["loaded"]["delta"] == pytest.approx(
        sum(v["loaded"]["delta"] for v in report["cost"]["by_capability"].values()), abs=0.05)
    assert report["dataLossRisk"] == [] and report["failures"] == []


def test_a_feature_group_schema_change_in_prod_is_a_data_loss_replacement_and_fails(repo):
    r = repo("aws-prod")
    r.edit_spec(lambda spec: spec["feature_store"]["feature_groups"][0]["features"].update(country="string"))
    code, report = diff_json("--stack", "aws-prod", "--base", "HEAD", "--no-policy")
    assert code == 1
    risk = report["dataLossRisk"]
    assert [c["type"] for c in risk] == ["aws:sagemaker/featureGroup:FeatureGroup"]
    assert risk[0]["action"] == "replace" and risk[0]["protect"] and risk[0]["stateful"]
    assert "featureGroupName" in risk[0]["replaceOn"]
    assert report["changes"][0]["urn"] == risk[0]["urn"]  # risks come first
    assert report["failures"] and "protected" in report["failures"][0]
    text = diff("--stack", "aws-prod", "--base", "HEAD", "--no-policy")
    assert text.exit_code == 1
    assert text.stdout.index("DATA-LOSS RISK") < text.stdout.index("feature_store (")
    # the same change, allowed explicitly
    assert diff("--stack", "aws-prod", "--base", "HEAD", "--no-policy", "--fail-on", "never").exit_code == 0


def test_turning_spot_off_shows_the_new_mandatory_violation(repo):
    r = repo("aws-dev")
    r.edit_spec(lambda spec: spec["training"].update(spot=False))
    code, report = diff_json("--stack", "aws-dev", "--base", "HEAD")
    assert code == 1
    new = report["policies"]["new"]
    assert [v["policy"] for v in new] == ["training-spot-capacity"]
    assert new[0]["enforcementLevel"] == "mandatory"
    assert report["policies"]["resolved"] == []
    assert report["policies"]["passed"] == {"base": True, "head": False}
    assert any("training-spot-capacity" in f for f in report["failures"])
    # turning it back on (work tree = base with spot off) resolves it
    r.commit("spot off")
    r.edit_spec(lambda spec: spec["training"].update(spot=True))
    code, report = diff_json("--stack", "aws-dev", "--base", "HEAD")
    assert code == 0 and [v["policy"] for v in report["policies"]["resolved"]] == ["training-spot-capacity"]


def test_an_unchanged_stack_shows_no_changes(repo):
    repo("gcp-prod")
    code, report = diff_json("--stack", "gcp-prod", "--base", "HEAD", "--no-policy")
    assert code == 0
    assert report["changes"] == [] and report["summary"]["create"] == 0
    assert all(v["delta"] == 0 for v in report["cost"]["totals"].values())
    text = diff("--stack", "gcp-prod", "--base", "HEAD", "--no-policy")
    assert "no resource changes" in text.stdout and "passes the check" in text.stdout


def test_markdown_is_a_pull_request_comment_with_a_marker_and_collapsible_capabilities(repo, tmp_path):
    r = repo("azure-dev")
    r.edit_spec(lambda spec: spec["endpoints"].append({"name": "churn", "compute": "cpu", "max_replicas": 2}))
    out = tmp_path / "diff.md"
    result = diff("--stack", "azure-dev", "--base", "HEAD", "--no-policy", "-f", "markdown", "-o", str(out))
    assert result.exit_code == 0
    text = out.read_text()
    assert text.splitlines()[0] == "<!-- mlplat-diff stack=azure-dev -->"
    assert "<details><summary><b>endpoints</b>" in text and text.count("<details>") == text.count("</details>")
    assert "#### Monthly cost (USD)" in text and "| endpoints |" in text


def test_a_stack_file_new_at_the_base_is_all_creates(repo):
    r = repo("aws-dev")
    r.git("mv", "stacks/Pulumi.aws-dev.yaml", "stacks/Pulumi.aws-dev.yaml.bak")
    r.commit("no stack yet")
    r.git("mv", "stacks/Pulumi.aws-dev.yaml.bak", "stacks/Pulumi.aws-dev.yaml")
    code, report = diff_json("--stack", "aws-dev", "--base", "HEAD", "--no-policy")
    assert code == 0 and report["baseExists"] is False
    assert report["changes"] and {c["action"] for c in report["changes"]} == {"create"}


def test_base_config_compares_two_files_without_git(repo, tmp_path):
    r = repo("aws-prod")
    base = tmp_path / "Pulumi.aws-prod.yaml"
    base.write_text(r.file.read_text())
    r.edit_spec(lambda spec: spec["budget"].update(monthly_usd=30000))
    code, report = diff_json("--stack", "aws-prod", "--base-config", str(base), "--no-policy")
    assert code == 0
    assert [(c["action"], c["type"]) for c in report["changes"]] == [("update", "aws:budgets/budget:Budget")]
    assert any(p.startswith("limitAmount") for p in report["changes"][0]["changedInputs"])


def test_usage_errors_name_the_input(repo, tmp_path):
    r = repo("aws-dev")
    result = diff("--stack", "aws-dev", "--base", "no-such-ref", "--no-policy")
    assert result.exit_code == 2 and "no-such-ref" in result.stderr and "Traceback" not in result.stderr
    result = diff("--stack", "aws-dev", "--no-policy")
    assert result.exit_code == 2 and "--base" in result.stderr
    r.edit_spec(lambda spec: spec.update(environment="staging-ish"))
    r.commit("bad spec at base")
    r.git("checkout", "-q", "HEAD~1", "--", "stacks")
    result = diff("--stack", "aws-dev", "--base", "HEAD", "--no-policy")
    assert result.exit_code == 2
    assert "HEAD:stacks/Pulumi.aws-dev.yaml" in result.stderr and "environment" in result.stderr
    assert "mlplat-diff-" not in result.stderr  # the temporary copy is not what the user named
