"""`mlplat policy check`: the reference stacks pass every mandatory policy, a bad stack fails with the expected
policies, JSON lists every violation, SARIF validates against the SARIF 2.1.0 schema, usage errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from cli.app import app
from mlplat.offline_plan import plan_stack
from mlplat.policy_run import run_policies
from mlplat.policy_run.sarif import StackFileLines, to_sarif
from tests.support.plans import ROOT

STACKS = ROOT / "stacks"
BAD = ROOT / "tests" / "fixtures" / "policy" / "Pulumi.aws-bad.yaml"
REQUIRE_CLASSIFICATION = ROOT / "tests" / "fixtures" / "policy" / "require-data-classification.json"
SARIF_SCHEMA = Path("/work/shared/reference/schemas/sarif-schema-2.1.0.json")

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, ["policy", "check", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod", "azure-dev", "azure-prod", "gcp-dev", "gcp-prod"])
def test_reference_stacks_pass_every_mandatory_policy(pack, stack):
    report = run_policies(plan_stack(stack, STACKS), pack)
    assert report.resources_checked > 10
    assert [(v.policy, v.resource_name, v.message) for v in report.mandatory] == []


@pytest.fixture(scope="module")
def bad_json():
    code, out, err = invoke("--config", str(BAD), "--policy-config", str(REQUIRE_CLASSIFICATION), "-f", "json")
    return code, json.loads(out), err


def test_bad_stack_fails_with_the_expected_policies(bad_json):
    code, document, _ = bad_json
    assert code == 1
    assert document["passed"] is False
    mandatory = {v["policy"] for v in document["violations"] if v["enforcementLevel"] == "mandatory"}
    assert {"training-spot-capacity", "no-public-network-in-prod", "required-finops-tags"} <= mandatory
    spot = [v for v in document["violations"] if v["policy"] == "training-spot-capacity"]
    assert spot[0]["resourceType"] == "aws:batch/computeEnvironment:ComputeEnvironment"
    assert "EC2" in spot[0]["message"]
    tags = [v for v in document["violations"] if v["policy"] == "required-finops-tags"]
    assert all("data-classification" in v["message"] for v in tags) and len(tags) > 10
    for violation in document["violations"]:
        assert set(violation) >= {"policy", "enforcementLevel", "urn", "resourceType", "message"}
        assert violation["urn"].startswith("urn:pulumi:")
    assert document["summary"]["mandatory"] == len([v for v in document["violations"]
                                                    if v["enforcementLevel"] == "mandatory"])


def test_bad_stack_text_output_and_downgraded_levels(tmp_path):
    code, out, _ = invoke("--config", str(BAD))
    assert code == 1
    assert "training-spot-capacity" in out and "must not be deployed" in out
    config = tmp_path / "advisory.json"
    config.write_text(json.dumps({"all": "advisory"}))
    code, out, _ = invoke("--config", str(BAD), "--policy-config", str(config))
    assert code == 0, out
    assert "advisory findings only" in out


def test_sarif_validates_and_locates_results_in_the_stack_file(pack):
    report = run_policies(plan_stack("aws-bad", BAD.parent), pack)
    document = to_sarif(report, ROOT)
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft7Validator(schema).validate(document)
    run = document["runs"][0]
    rules = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert rules == {p.name for p in report.policies}
    assert all(rule["helpUri"].endswith(f"docs/policies.md#{rule['id']}") for rule in run["tool"]["driver"]["rules"])
    lines = BAD.read_text().splitlines()
    spot = [r for r in run["results"] if r["ruleId"] == "training-spot-capacity"]
    assert spot and spot[0]["level"] == "error"
    location = spot[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "tests/fixtures/policy/Pulumi.aws-bad.yaml"
    assert lines[location["region"]["startLine"] - 1].strip() == "training:"
    network = [r for r in run["results"] if r["ruleId"] == "no-public-network-in-prod"]
    assert lines[network[0]["locations"][0]["physicalLocation"]["region"]["startLine"] - 1].strip() == "network:"


def test_sarif_from_the_command(tmp_path):
    out_file = tmp_path / "policy.sarif"
    code, _, _ = invoke("--stack", "aws-prod", "-f", "sarif", "-o", str(out_file))
    assert code == 0
    document = json.loads(out_file.read_text())
    jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text())).validate(document)
    assert document["version"] == "2.1.0" and document["runs"][0]["results"] == []


def test_stack_file_lines_for_spec_only_files(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("name: x\nenvironment: prod\ntraining:\n  gpu: t4\nbudget:\n  monthly_usd: 10\n")
    lines = StackFileLines(spec)
    assert lines.keys["training"] == 3 and lines.keys["budget"] == 5 and "gpu" not in lines.keys


@pytest.mark.parametrize("args,expected", [
    ([], "exactly one of --stack NAME or --config FILE"),
    (["--stack", "aws-prod", "--config", "x.yaml"], "exactly one of"),
    (["--stack", "no-such-stack"], "no-such-stack"),
    (["--config", "/nonexistent/spec.yaml"], "spec.yaml"),
    (["--stack", "aws-prod", "--policy-config", "/nonexistent/policy.json"], "cannot read the policy config"),
], ids=["no-stack-or-config", "both-stack-and-config", "unknown-stack", "missing-config-file", "missing-policy-config"])
def test_usage_errors_exit_2(args, expected):
    code, out, err = invoke(*args)
    assert code == 2
    assert expected in err
    assert "Traceback" not in err + out


def test_invalid_policy_config_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, _, err = invoke("--stack", "aws-dev", "--policy-config", str(bad))
    assert code == 2 and "not valid JSON" in err
    bad.write_text(json.dumps({"training-gpu-limits": {"maxNodes": 0}, "nope": "advisory"}))
    code, _, err = invoke("--stack", "aws-dev", "--policy-config", str(bad))
    assert code == 2
    assert "training-gpu-limits.maxNodes" in err and "nope: no such policy" in err
