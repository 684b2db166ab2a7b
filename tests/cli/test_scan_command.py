"""`mlplat scan`: checkov's results in the pack's report (violations, SARIF located in the stack file, skipped
checks as suppressions) and a clear exit 2 when checkov cannot be installed."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.app import app
from mlplat.policy_run.sarif import StackFileLines, to_sarif
from mlplat.scan import CheckResult, ScanResult
from mlplat.scan.report import empty_report, merge, sarif_with_scan
from tests.support.plans import ROOT, STACKS_DIR


class _Plan:
    stack, cloud, environment = "aws-prod", "aws", "prod"
    source = str(STACKS_DIR / "Pulumi.aws-prod.yaml")

    def custom_resources(self):
        return []


def scan_result() -> ScanResult:
    failed = CheckResult("CKV_AWS_158", "Ensure that CloudWatch Log Group is encrypted by KMS", "urn:a",
                         "aws:cloudwatch/logGroup:LogGroup", "training-logs", "training")
    skipped = CheckResult("CKV_AWS_144", "Ensure that S3 bucket has cross-region replication enabled", "urn:b",
                          "aws:s3/bucket:Bucket", "artifacts", "base", reason="dr: one region")
    return ScanResult("aws-prod", "aws", "prod", "terraform", failed=[failed], skipped=[skipped])


def test_failed_checks_are_mandatory_violations_located_in_the_stack_file():
    report = empty_report(_Plan())
    merge(report, scan_result())
    assert not report.passed and [v.policy for v in report.mandatory] == ["CKV_AWS_158"]
    sarif = sarif_with_scan(to_sarif(report, ROOT), report, scan_result(), ROOT)
    run = sarif["runs"][0]
    rule, skipped_rule = run["tool"]["driver"]["rules"]
    assert rule["id"] == "CKV_AWS_158" and "checkov" in rule["properties"]["tags"]
    assert skipped_rule["id"] == "CKV_AWS_144"
    found, suppressed = run["results"]
    training_line = StackFileLines(Path(_Plan.source)).keys["training"]
    assert found["locations"][0]["physicalLocation"]["region"]["startLine"] == training_line
    assert found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "stacks/Pulumi.aws-prod.yaml"
    assert suppressed["suppressions"] == [{"kind": "external", "justification": "dr: one region"}]
    assert suppressed["ruleIndex"] == 1


def test_exit_2_with_a_clear_message_when_checkov_cannot_be_installed(tmp_path, monkeypatch):
    import mlplat.scan.tool as tool

    monkeypatch.setenv("MLPLAT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("MLPLAT_CHECKOV", raising=False)
    monkeypatch.setattr(tool.shutil, "which", lambda name: None)
    result = CliRunner().invoke(app, ["scan", "--stack", "aws-dev"])
    assert result.exit_code == 2
    assert "cannot install checkov" in result.output and "Traceback" not in result.output


def test_text_report_lists_the_failed_check_under_the_plan_summary(monkeypatch):
    import mlplat.scan as scan

    monkeypatch.setattr(scan, "scan_plans", lambda plans, echo=None: [scan_result()])
    result = CliRunner().invoke(app, ["scan", "--stack", "aws-prod", "--no-pack"])
    assert result.exit_code == 1, result.output
    assert "CKV_AWS_158" in result.stdout and "Traceback" not in result.output


def test_without_the_pack_the_sarif_run_is_named_for_checkov():
    report = empty_report(_Plan())
    merge(report, scan_result())
    driver = sarif_with_scan(to_sarif(report, ROOT), report, scan_result(), ROOT, pack=False)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "checkov" and driver["properties"]["scanners"][0].startswith("checkov")
    with_pack = sarif_with_scan(to_sarif(report, ROOT), report, scan_result(), ROOT)["runs"][0]["tool"]["driver"]
    assert with_pack["name"] == "mlplat-policies"
