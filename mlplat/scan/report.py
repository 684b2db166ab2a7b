"""checkov's results merged into the pack's report: the same violations list, text, JSON and SARIF."""

from __future__ import annotations

import hashlib
from pathlib import Path

from mlplat.policy_run.analyzer_client import PolicyInfo
from mlplat.policy_run.results import PolicyReport
from mlplat.policy_run.sarif import StackFileLines, _relative_uri

from .run import CHECKOV_DOCS, ScanResult
from .tool import CHECKOV_VERSION


def empty_report(plan) -> PolicyReport:
    """A report with no pack results, for a checkov-only scan."""
    return PolicyReport(stack=plan.stack, source=str(plan.source), cloud=plan.cloud, environment=plan.environment,
                        pack={"name": "checkov", "version": CHECKOV_VERSION}, policies=[], levels={},
                        resources_checked=len(plan.custom_resources()))


def merge(report: PolicyReport, scan: ScanResult) -> None:
    """Each failed check becomes a mandatory violation of a policy named by its check id."""
    known = {p.name for p in report.policies}
    for check in scan.failed:
        if check.check not in known:
            known.add(check.check)
            report.policies.append(PolicyInfo(name=check.check, description=f"checkov {check.check}: {check.name}",
                                              enforcement_level="mandatory", policy_type="resource"))
            report.levels[check.check] = "mandatory"
    report.violations.extend(scan.violations())


def text_summary(scan: ScanResult) -> str:
    lines = [f"checkov {CHECKOV_VERSION} ({scan.framework}): {len(scan.passed)} passed, {len(scan.failed)} failed, "
             f"{len(scan.skipped)} skipped by the documented skip list (docs/scanning.md)"]
    if scan.untranslated:
        lines.append(f"not translated (no checkov input for these types): {', '.join(scan.untranslated)}")
    return "\n".join(lines)


def sarif_with_scan(sarif: dict, report: PolicyReport, scan: ScanResult, root: Path, pack: bool = True) -> dict:
    """The pack's SARIF with checkov's rules tagged `checkov`, and the skipped checks as suppressed results
    (justification: the skip's reason), located in the stack file like the pack's results. Without the pack
    (`scan --no-pack`) the run is checkov's alone, and code scanning shows it under that tool's name."""
    run = sarif["runs"][0]
    checks = {c.check: c for c in scan.failed + scan.skipped}
    for rule in run["tool"]["driver"]["rules"]:
        if rule["id"] in checks:
            rule["properties"]["tags"] = ["security", "checkov"]
            rule["helpUri"] = checks[rule["id"]].guideline or CHECKOV_DOCS
            rule["properties"]["security-severity"] = "8.0"
    rules = run["tool"]["driver"]["rules"]
    for check in scan.skipped:  # a suppressed result still names a rule
        if check.check not in {rule["id"] for rule in rules}:
            rules.append({"id": check.check, "name": check.check.replace("_", ""),
                          "shortDescription": {"text": check.name or check.check},
                          "helpUri": check.guideline or CHECKOV_DOCS,
                          "defaultConfiguration": {"level": "note", "enabled": True},
                          "properties": {"tags": ["security", "checkov"], "skipped": True}})
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    uri = _relative_uri(report.source, root)
    lines = StackFileLines(Path(report.source) if Path(report.source).is_absolute() else root / report.source)
    for check in scan.skipped:
        violation = check.violation()
        fingerprint = hashlib.sha256(f"{check.check}|{check.urn}".encode()).hexdigest()[:32]
        run["results"].append({
            "ruleId": check.check,
            "ruleIndex": index[check.check],
            "level": "note",
            "message": {"text": f"{check.resource_type} {check.resource_name}: {check.name} (checkov {check.check})"},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                                     "region": {"startLine": lines.line_for(violation)}},
                "logicalLocations": [{"fullyQualifiedName": check.urn, "kind": "resource"}],
            }],
            "partialFingerprints": {"mlplatPolicyViolation/v1": fingerprint},
            "suppressions": [{"kind": "external", "justification": check.reason}],
            "properties": {"urn": check.urn, "resourceType": check.resource_type},
        })
    driver = run["tool"]["driver"]
    scanners = [f"checkov {CHECKOV_VERSION}"]
    if pack:
        scanners.insert(0, "mlplat-policies")
    else:
        driver["name"] = "checkov"
    driver.setdefault("properties", {})["scanners"] = scanners
    return sarif
