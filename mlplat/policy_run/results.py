"""Resolve policy configuration like the Pulumi CLI, run the pack over a plan, and collect violations."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from .analyzer_client import (
    ENFORCEMENT_VALUES,
    AnalyzerResource,
    Diagnostic,
    PolicyInfo,
    PolicyPackProcess,
    PolicyRunError,
)

LEVELS = tuple(ENFORCEMENT_VALUES)  # advisory, mandatory, disabled, remediate


@dataclass
class Violation:
    policy: str
    enforcement_level: str
    urn: str
    resource_type: str
    resource_name: str
    message: str
    capability: str = ""

    def to_dict(self) -> dict:
        return {
            "policy": self.policy,
            "enforcementLevel": self.enforcement_level,
            "urn": self.urn,
            "resourceType": self.resource_type,
            "resourceName": self.resource_name,
            "message": self.message,
        }


@dataclass
class PolicyReport:
    stack: str
    source: str
    cloud: str
    environment: str
    pack: dict
    policies: list[PolicyInfo]
    levels: dict[str, str]  # effective enforcement level per policy
    violations: list[Violation] = field(default_factory=list)
    resources_checked: int = 0

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level in ("mandatory", "remediate")]

    @property
    def passed(self) -> bool:
        return not self.mandatory

    def to_dict(self) -> dict:
        return {
            "stack": self.stack,
            "source": self.source,
            "cloud": self.cloud,
            "environment": self.environment,
            "policyPack": self.pack,
            "resourcesChecked": self.resources_checked,
            "passed": self.passed,
            "summary": {
                "mandatory": len(self.mandatory),
                "advisory": len([v for v in self.violations if v.enforcement_level == "advisory"]),
            },
            "policies": [
                {"name": p.name, "description": p.description, "enforcementLevel": self.levels.get(p.name, p.enforcement_level),
                 "type": p.policy_type}
                for p in self.policies
            ],
            "violations": [v.to_dict() for v in self.violations],
        }


# ---------------------------------------------------------------------------------------------------
# Policy configuration (same JSON shape as `pulumi preview --policy-pack-config FILE`)


def load_policy_config(path: Optional[Path]) -> dict:
    if path is None:
        return {}
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise PolicyRunError(f"{path}: cannot read the policy config: {error.strerror or error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PolicyRunError(f"{path}:{error.lineno}: not valid JSON: {error.msg}") from None
    if not isinstance(document, dict):
        raise PolicyRunError(f"{path}: the policy config must be a JSON object keyed by policy name")
    return document


def resolve_config(policies: list[PolicyInfo], document: dict, source: str = "policy config") -> dict[str, tuple[str, dict]]:
    """{policy: (enforcement level, settings)} for every policy: the document over the schema defaults, validated
    against each policy's config schema, the way the Pulumi CLI prepares Configure."""
    import jsonschema

    by_name = {p.name: p for p in policies}
    errors: list[str] = []
    all_level = None
    for key, value in document.items():
        if key == "all":
            level = value if isinstance(value, str) else (value or {}).get("enforcementLevel") if isinstance(value, dict) else None
            if level not in LEVELS:
                errors.append(f"{source}: all: enforcement level must be one of {', '.join(LEVELS)}")
            all_level = level
        elif key not in by_name:
            errors.append(f"{source}: {key}: no such policy in the pack (policies: {', '.join(sorted(by_name))})")
    resolved: dict[str, tuple[str, dict]] = {}
    for policy in policies:
        level = all_level or policy.enforcement_level
        settings = {k: v["default"] for k, v in policy.config_schema.items() if isinstance(v, dict) and "default" in v}
        entry = document.get(policy.name)
        if isinstance(entry, str):
            level = entry
        elif isinstance(entry, dict):
            entry = dict(entry)
            level = entry.pop("enforcementLevel", level)
            settings.update(entry)
        elif entry is not None:
            errors.append(f"{source}: {policy.name}: expected an enforcement level or an object")
            continue
        if level not in LEVELS:
            errors.append(f"{source}: {policy.name}: enforcement level {level!r} must be one of {', '.join(LEVELS)}")
            continue
        schema = {"type": "object", "properties": policy.config_schema, "required": policy.required}
        if not policy.config_schema:
            schema["additionalProperties"] = False
        validator = jsonschema.Draft7Validator(schema)
        for error in sorted(validator.iter_errors(settings), key=lambda e: list(e.path)):
            where = ".".join(str(p) for p in error.path)
            errors.append(f"{source}: {policy.name}{'.' + where if where else ''}: {error.message}")
        resolved[policy.name] = (level, settings)
    if errors:
        raise PolicyRunError(errors)
    return resolved


# ---------------------------------------------------------------------------------------------------
# Running the pack


# The provider package of each cloud and the stack config key its default provider takes the region from.
PROVIDER_PACKAGE = {"aws": "aws", "azure": "azure-native", "gcp": "gcp"}
REGION_CONFIG = {"aws": ("aws:region", "region"), "azure": ("azure-native:location", "location"),
                 "gcp": ("gcp:region", "region")}


def stack_file_config(source: str) -> dict:
    """The `config:` of a Pulumi stack file (empty for a spec-only file or an unreadable one)."""
    import yaml

    try:
        document = yaml.safe_load(Path(source).read_text())
    except (OSError, yaml.YAMLError):
        return {}
    config = document.get("config") if isinstance(document, dict) else None
    return config if isinstance(config, dict) else {}


def default_provider(plan, project: str = "mlplat") -> dict | None:
    """The default provider the engine describes with every custom resource (AnalyzerProviderResource):
    its type, URN and inputs from the stack config (`aws:region`, `azure-native:location`, `gcp:region`,
    `gcp:project`). Offline, for a spec-only file or a spec rendered on another cloud (--cloud/--region),
    the region is the spec's own: `mlplat preflight` requires the provider config to equal it before `up`."""
    cloud = getattr(plan, "cloud", None)
    package = PROVIDER_PACKAGE.get(cloud)
    if package is None:
        return None
    config = stack_file_config(plan.source)
    region = (plan.spec or {}).get("region")
    properties: dict = {}
    for key, value in config.items():
        if isinstance(key, str) and key.startswith(package + ":") and isinstance(value, (str, int, float, bool)):
            properties[key.split(":", 1)[1]] = str(value) if not isinstance(value, str) else value
    config_key, prop = REGION_CONFIG[cloud]
    if region and (config.get(config_key) is None or str(config.get(config_key)).lower() != str(region).lower()):
        properties[prop] = region  # no stack config for this cloud, or a what-if rendering: the spec's region
    name = "default"
    return {"type": f"pulumi:providers:{package}", "name": name, "properties": properties,
            "urn": f"urn:pulumi:{plan.stack}::{project}::pulumi:providers:{package}::{name}"}


def analyzer_resources(plan) -> list[AnalyzerResource]:
    """The plan's resources as the engine sends them (the stack resource itself is not sent), with the URNs
    each depends on; every custom resource of the cloud's package carries the default provider, the way the
    engine describes it."""
    provider = default_provider(plan)
    package = provider["type"].removeprefix("pulumi:providers:") + ":" if provider else None
    out = []
    for r in plan.resources:
        if r.type == "pulumi:pulumi:Stack":
            continue
        own = provider if package and r.custom and r.type.startswith(package) else None
        out.append(AnalyzerResource(urn=r.urn, type=r.type, name=r.name, properties=r.inputs or {},
                                    protect=bool(r.protect), parent=r.parent, provider=own,
                                    dependencies=list(r.dependencies or [])))
    return out


def analyze(pack: PolicyPackProcess, resources: list[AnalyzerResource], resolved: dict[str, tuple[str, dict]],
            stack: str, project: str = "mlplat", stack_config: dict[str, str] | None = None) -> list[Diagnostic]:
    """Configure, ConfigureStack, Analyze per resource, AnalyzeStack; the diagnostics in that order."""
    pack.configure(resolved)
    pack.configure_stack(stack=stack, project=project, config=stack_config or {})
    diagnostics: list[Diagnostic] = []
    for resource in resources:
        if resource.type.startswith("pulumi:providers:"):
            continue  # providers are described in each resource's `provider` field
        diagnostics.extend(pack.analyze(resource))
    diagnostics.extend(pack.analyze_stack(resources))
    return diagnostics


def to_violations(diagnostics: Iterable[Diagnostic], resources: list[AnalyzerResource],
                  capabilities: dict[str, str] | None = None) -> list[Violation]:
    by_urn = {r.urn: r for r in resources}
    capabilities = capabilities or {}
    seen = set()
    out = []
    for d in diagnostics:
        resource = by_urn.get(d.urn)
        key = (d.policy_name, d.urn, d.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(Violation(policy=d.policy_name, enforcement_level=d.enforcement_level, urn=d.urn,
                             resource_type=resource.type if resource else "", resource_name=resource.name if resource else "",
                             message=d.message, capability=capabilities.get(d.urn, "")))
    return out


def pack_version(pack_dir: Path) -> str:
    """The version in PulumiPolicy.yaml (the Pulumi CLI uses it over the SDK's placeholder)."""
    import yaml

    try:
        document = yaml.safe_load((Path(pack_dir) / "PulumiPolicy.yaml").read_text())
    except (OSError, yaml.YAMLError):
        return ""
    return str(document.get("version", "")) if isinstance(document, dict) else ""


def run_policies(plan, pack: PolicyPackProcess, policy_config: dict | None = None,
                 config_source: str = "policy config") -> PolicyReport:
    """Run the pack over an offline plan and return the report."""
    pack_info, policies = pack.info()
    pack_info = {**pack_info, "version": pack_version(pack.pack_dir) or pack_info.get("version", "")}
    resolved = resolve_config(policies, policy_config or {}, config_source)
    resources = analyzer_resources(plan)
    stack_config = {"mlplat:platform": json.dumps(plan.spec)} if getattr(plan, "spec", None) else {}
    diagnostics = analyze(pack, resources, resolved, stack=plan.stack, stack_config=stack_config)
    capabilities = {r.urn: r.capability for r in plan.resources}
    violations = to_violations(diagnostics, resources, capabilities)
    order = {p.name: i for i, p in enumerate(policies)}
    violations.sort(key=lambda v: (v.enforcement_level != "mandatory", order.get(v.policy, 999), v.urn))
    return PolicyReport(stack=plan.stack, source=str(plan.source), cloud=plan.cloud, environment=plan.environment,
                        pack=pack_info, policies=policies, levels={k: v[0] for k, v in resolved.items()},
                        violations=violations, resources_checked=len(resources))


__all__ = ["PolicyReport", "Violation", "analyze", "analyzer_resources", "asdict", "load_policy_config",
           "resolve_config", "run_policies", "to_violations"]
