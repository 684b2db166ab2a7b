"""SARIF 2.1.0 for GitHub code scanning: one rule per policy, each result located in the stack file."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Optional

from .results import PolicyReport, Violation

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS_URI = "https://github.com/mlplat/mlplat/blob/main/docs/policies.md"

# The spec key a policy is about (first found wins), then the violating resource's capability key.
POLICY_SPEC_KEYS = {
    "training-spot-capacity": ["training"],
    "training-scale-to-zero": ["training"],
    "training-gpu-limits": ["training"],
    "endpoint-autoscaling": ["endpoints"],
    "nonprod-endpoint-scale-to-zero": ["endpoints", "environment"],
    "required-finops-tags": ["finops"],
    "stack-budget": ["budget", "finops"],
    "storage-encryption": ["encryption"],
    "no-public-buckets": [],
    "no-public-network-in-prod": ["network"],
    "local-auth-disabled": [],
    "no-wildcard-iam-actions": [],
    "protect-stateful-in-prod": ["environment"],
    "customer-key-rotation": ["encryption"],
}
CAPABILITY_SPEC_KEYS = {"training": "training", "endpoints": "endpoints", "feature_store": "feature_store",
                        "registry": "registry", "vector_search": "vector_search", "budget": "budget"}


class StackFileLines:
    """Line numbers of spec keys in a stack file (under `mlplat:platform:`) or a spec-only YAML file."""

    def __init__(self, path: Path):
        self.keys: dict[str, int] = {}
        self.anchor = 1
        try:
            lines = Path(path).read_text().splitlines()
        except OSError:
            return
        spec_indent: Optional[int] = None
        for number, line in enumerate(lines, start=1):
            match = re.match(r"^(\s*)([A-Za-z0-9_:.-]+):", line)
            if not match or line.lstrip().startswith("#"):
                continue
            indent, key = len(match.group(1)), match.group(2)
            if key == "mlplat:platform":
                self.anchor = number
                spec_indent = None
                self._platform_indent = indent
                continue
            if hasattr(self, "_platform_indent"):
                if indent <= self._platform_indent:
                    break
                if spec_indent is None:
                    spec_indent = indent
                if indent == spec_indent:
                    self.keys.setdefault(key, number)
            else:  # spec-only file: top-level keys
                if indent == 0:
                    self.keys.setdefault(key, number)

    def line_for(self, violation: Violation) -> int:
        for key in POLICY_SPEC_KEYS.get(violation.policy, []):
            if key in self.keys:
                return self.keys[key]
        key = CAPABILITY_SPEC_KEYS.get(violation.capability)
        if key and key in self.keys:
            return self.keys[key]
        return self.anchor


def policy_topic(name: str) -> str:
    """`cost` for the policies of policies/cost.py and the budget policy, `security` for policies/security.py
    (module membership, so a new policy is tagged by where it is written), `policy` otherwise."""
    return _topics().get(name, "policy")


@lru_cache(maxsize=1)
def _topics() -> dict[str, str]:
    from policies import budget_policy, cost, security

    topics = {p.name: "cost" for p in [*cost.POLICIES, budget_policy.budget_within_estimate]}
    topics.update({p.name: "security" for p in security.POLICIES})
    return topics


def _level(enforcement: str) -> str:
    return "error" if enforcement in ("mandatory", "remediate") else "warning" if enforcement == "advisory" else "none"


def _relative_uri(source: str, root: Path) -> str:
    path = Path(source)
    try:
        path = path.resolve().relative_to(root.resolve())
    except ValueError:
        pass
    return path.as_posix()


def to_sarif(report: PolicyReport, root: Path) -> dict:
    """The report as a SARIF 2.1.0 log; artifact URIs relative to `root` (the repository root)."""
    uri = _relative_uri(report.source, root)
    lines = StackFileLines(Path(report.source) if Path(report.source).is_absolute() else root / report.source)
    rules = []
    index = {}
    for i, policy in enumerate(report.policies):
        index[policy.name] = i
        level = report.levels.get(policy.name, policy.enforcement_level)
        topic = policy_topic(policy.name)
        rule = {
            "id": policy.name,
            "name": "".join(part.capitalize() for part in policy.name.split("-")),
            "shortDescription": {"text": policy.description.split(". ")[0].rstrip(".") + "."},
            "fullDescription": {"text": policy.description},
            "helpUri": f"{DOCS_URI}#{policy.name}",
            "help": {"text": f"{policy.description} See docs/policies.md#{policy.name}."},
            "defaultConfiguration": {"level": _level(level), "enabled": level != "disabled"},
            "properties": {"tags": [topic, "mlplat", "pulumi-policy"], "enforcementLevel": level},
        }
        if topic == "security":
            rule["properties"]["security-severity"] = "8.0" if level == "mandatory" else "5.0"
        rules.append(rule)
    results = []
    for v in report.violations:
        line = lines.line_for(v)
        where = f"{v.resource_type} {v.resource_name}" if v.resource_type else f"stack {report.stack}"
        # The same finding on the same resource keeps its identity when its message changes (an estimate's
        # figure, a count): code scanning tracks it instead of closing one alert and opening another.
        fingerprint = hashlib.sha256(f"{v.policy}|{v.urn or 'stack ' + report.stack}".encode()).hexdigest()[:32]
        result = {
            "ruleId": v.policy,
            "level": _level(v.enforcement_level),
            "message": {"text": f"{where}: {v.message}"},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": line},
                },
                "logicalLocations": [{"fullyQualifiedName": v.urn or f"stack {report.stack}", "kind": "resource"}],
            }],
            "partialFingerprints": {"mlplatPolicyViolation/v1": fingerprint},
            "properties": {"enforcementLevel": v.enforcement_level, "urn": v.urn, "resourceType": v.resource_type},
        }
        if v.policy in index:
            result["ruleIndex"] = index[v.policy]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mlplat-policies",
                "version": report.pack.get("version") or "0.0.1",
                "informationUri": DOCS_URI,
                "rules": rules,
            }},
            "automationDetails": {"id": f"mlplat-policy/{report.stack}/"},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}},
            "artifacts": [{"location": {"uri": uri, "uriBaseId": "%SRCROOT%"}}],
            "results": results,
        }],
    }
