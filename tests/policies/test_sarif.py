"""SARIF details code scanning relies on: topics from the module a policy is written in, a stack file given by
path keeps its stack name, and a result's fingerprint does not depend on its message."""

from __future__ import annotations

import copy
import json

from typer.testing import CliRunner

from cli.app import app
from mlplat.policy_run.sarif import policy_topic, to_sarif
from policies import budget_policy, cost, security
from tests.support.plans import ROOT

BAD = ROOT / "tests" / "fixtures" / "policy" / "Pulumi.aws-bad.yaml"


def test_topic_follows_the_module_of_the_policy():
    assert policy_topic(budget_policy.budget_within_estimate.name) == "cost"
    assert all(policy_topic(p.name) == "cost" for p in cost.POLICIES)
    assert all(policy_topic(p.name) == "security" for p in security.POLICIES)


def test_stack_file_by_path_keeps_its_name_and_fingerprints_ignore_messages(tmp_path):
    out = tmp_path / "bad.sarif"
    result = CliRunner().invoke(app, ["policy", "check", "--config", str(BAD), "-f", "sarif", "-o", str(out)])
    assert result.exit_code == 1, result.output
    run = json.loads(out.read_text())["runs"][0]
    assert run["automationDetails"]["id"] == "mlplat-policy/aws-bad/"
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    budget = rules["budget-within-estimate"]["properties"]
    assert "cost" in budget["tags"] and "security" not in budget["tags"] and "security-severity" not in budget
    assert "security" in rules["storage-encryption"]["properties"]["tags"]
    assert all("urn:pulumi:aws-bad::" in r["properties"]["urn"] for r in run["results"] if r["properties"]["urn"])

    json_result = CliRunner().invoke(app, ["policy", "check", "--config", str(BAD), "-f", "json"])
    assert json.loads(json_result.stdout)["stack"] == "aws-bad"


def test_fingerprint_is_stable_when_the_message_changes():
    from mlplat.policy_run.results import PolicyReport, Violation

    violation = Violation(policy="budget-within-estimate", enforcement_level="mandatory", urn="", resource_type="",
                          resource_name="", message="estimated monthly cost $100.00 exceeds the budget $50.00")
    report = PolicyReport(stack="s", source=str(BAD), cloud="aws", environment="prod", pack={}, policies=[],
                          levels={}, violations=[violation])
    changed = copy.deepcopy(report)
    changed.violations[0].message = "estimated monthly cost $120.00 exceeds the budget $50.00"
    first = to_sarif(report, ROOT)["runs"][0]["results"][0]["partialFingerprints"]
    second = to_sarif(changed, ROOT)["runs"][0]["results"][0]["partialFingerprints"]
    assert first == second
