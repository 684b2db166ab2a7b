"""Translate offline plans, run checkov once over them, and map its results back to the plan's resources."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from mlplat.policy_run.results import Violation

from .arm import to_arm_template, untranslated_types
from .skips import skip_comments, skips_for
from .terraform import terraform_type, to_hcl
from .tool import CHECKOV_VERSION, ScanToolError, ensure_checkov, run_checkov

FRAMEWORK = {"aws": "terraform", "gcp": "terraform", "azure": "arm"}
CHECKOV_DOCS = "https://www.checkov.io/5.Policy%20Index/all.html"


@dataclass
class CheckResult:
    check: str
    name: str
    urn: str
    resource_type: str
    resource_name: str
    capability: str
    guideline: str = ""
    reason: str = ""  # for a skipped check: the skip comment's reason

    def violation(self) -> Violation:
        """As the pack's violation: a failed check is mandatory (the skip list holds the accepted ones)."""
        return Violation(policy=self.check, enforcement_level="mandatory", urn=self.urn,
                         resource_type=self.resource_type, resource_name=self.resource_name,
                         message=f"{self.name} (checkov {self.check})", capability=self.capability)

    def to_dict(self) -> dict:
        out = {"check": self.check, "name": self.name, "urn": self.urn, "resourceType": self.resource_type,
               "resourceName": self.resource_name}
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass
class ScanResult:
    """checkov's verdict on one plan."""

    stack: str
    cloud: str
    environment: str
    framework: str
    failed: list[CheckResult] = field(default_factory=list)
    skipped: list[CheckResult] = field(default_factory=list)
    passed: list[CheckResult] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)  # types checkov was not shown
    parsing_errors: list[str] = field(default_factory=list)

    def failed_ids(self) -> set[str]:
        return {c.check for c in self.failed}

    def violations(self) -> list[Violation]:
        return [c.violation() for c in self.failed]

    def to_dict(self) -> dict:
        return {"scanner": f"checkov {CHECKOV_VERSION}", "framework": self.framework,
                "failed": [c.to_dict() for c in self.failed], "skipped": [c.to_dict() for c in self.skipped],
                "passedCount": len(self.passed), "untranslatedTypes": self.untranslated,
                "parsingErrors": self.parsing_errors}


def write_plan(plan, directory: Path) -> dict[str, object]:
    """The plan translated into `directory` (main.tf or template.json); its address -> resource map."""
    directory.mkdir(parents=True, exist_ok=True)
    skips = skips_for(plan.cloud, plan.environment)
    if plan.cloud == "azure":
        template, by_address = to_arm_template(plan, skips)
        (directory / "template.json").write_text(json.dumps(template, indent=2) + "\n")
    elif plan.cloud in ("aws", "gcp"):
        text, by_address = to_hcl(plan, skips)
        (directory / "main.tf").write_text(text)
    else:
        raise ScanToolError(f"{plan.source}: cannot scan cloud {plan.cloud!r}")
    return by_address


def _untranslated(plan) -> list[str]:
    if plan.cloud == "azure":
        return untranslated_types(plan)
    return sorted({r.type for r in plan.custom_resources() if terraform_type(r.type) is None})


def scan_plans(plans: list, echo=None, workdir: Path | None = None) -> list[ScanResult]:
    """Run checkov once over all `plans` (one sub-directory each) with the frameworks they need."""
    executable = ensure_checkov(echo=echo)
    with tempfile.TemporaryDirectory(prefix="mlplat-scan-") as tmp:
        root = Path(workdir or tmp)
        addresses, results = {}, []
        for i, plan in enumerate(plans):
            folder = f"{i:02d}-{plan.stack}"
            addresses[folder] = write_plan(plan, root / folder)
            results.append(ScanResult(plan.stack, plan.cloud, plan.environment, FRAMEWORK[plan.cloud],
                                      untranslated=_untranslated(plan)))
        frameworks = sorted({FRAMEWORK[p.cloud] for p in plans})
        reports = run_checkov(executable, root, frameworks)
    by_folder = {f"{i:02d}-{p.stack}": results[i] for i, p in enumerate(plans)}
    for report in reports:
        for kind in ("failed_checks", "skipped_checks", "passed_checks"):
            for record in report["results"].get(kind, []):
                folder = record.get("file_path", "").lstrip("/").split("/")[0]
                target = by_folder.get(folder)
                if target is None:
                    continue
                resource = addresses[folder].get(record.get("resource", ""))
                suppressed = ""
                if kind == "failed_checks" and resource is not None:
                    # checkov does not honour inline skips in ARM graph checks: the skip list applies here
                    suppressed = dict(skip_comments(skips_for(target.cloud, target.environment), resource)).get(
                        record["check_id"], "")
                listed_as = "skipped_checks" if suppressed else kind
                target_list = {"failed_checks": target.failed, "skipped_checks": target.skipped,
                               "passed_checks": target.passed}[listed_as]
                target_list.append(CheckResult(
                    check=record["check_id"], name=record.get("check_name", ""),
                    urn=resource.urn if resource else "", resource_type=resource.type if resource else "",
                    resource_name=resource.name if resource else record.get("resource", ""),
                    capability=resource.capability if resource else "",
                    guideline=record.get("guideline") or "",
                    reason=suppressed or ((record.get("check_result") or {}).get("suppress_comment", "")
                                          if listed_as == "skipped_checks" else "")))
        for error in report["results"].get("parsing_errors", []) if isinstance(report["results"], dict) else []:
            for result in results:
                result.parsing_errors.append(str(error))
    for result in results:
        for bucket in (result.failed, result.skipped):
            bucket.sort(key=lambda c: (c.check, c.urn))
    return results
