"""Physical names, cloud-neutral: the platform's `<platform>-<env>-<parts>` form, the length bound, and
the check of the names a spec gives against the clouds' naming rules (components/catalog/naming_rules.py).

Pure functions (no Pulumi, no provider SDK): the components build their names with them, and
`validate` calls the same functions (each cloud's `names.py`, through `CloudProvider.spec_names`) to
refuse a name the cloud would refuse before anything is planned.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


def platform_name(prefix: str, *parts: str) -> str:
    """`<platform>-<env>-<parts...>`: the logical name, and the physical name of most resources."""
    return "-".join([prefix, *parts])


# The form of a name the provider generates (Pulumi's auto-name): the logical name, a dash, 7 random hex
# digits. Checked in this form where the type has a naming rule.
AUTO_NAME_SUFFIX = "-0000000"


def auto_name(logical: str) -> str:
    return logical + AUTO_NAME_SUFFIX


def bounded_name(name: str, limit: int) -> str:
    """`name` when it fits `limit`; otherwise its head plus a stable 6-character hash of the whole name,
    so two long names that share a head stay distinct and the same name always gives the same result."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[: limit - 7].rstrip('-_')}-{digest}"


@dataclass(frozen=True)
class SpecName:
    """A physical name the components build from the spec: the resource type it names, the name, and the
    spec field it was built from (its path from the spec's top; ("name",) for the platform prefix)."""

    type_token: str
    name: str
    parts: tuple = ("name",)


def _value(raw, parts: tuple):
    for part in parts:
        try:
            raw = raw[part]
        except (KeyError, IndexError, TypeError):
            return None
    return raw


def name_problems(names, raw: dict, source: str, prefix: str = "") -> list[str]:
    """One `<file>: <field>: ...` line per name a cloud would refuse, naming the spec field and its value (the
    rule's source stays in the naming rules table: a URL would push the line past the printed length)."""
    from .catalog.naming_rules import RULES_BY_TYPE
    from .spec.base import field_path

    lines = []
    for item in names:
        rule = RULES_BY_TYPE.get(item.type_token)
        if rule is None or rule.problem(item.name) is None:
            continue
        if not rule.min_length <= len(item.name) <= rule.max_length:
            why = f"{len(item.name)} characters; the limit is {rule.min_length}-{rule.max_length}"
        else:
            why = f"must be {rule.characters}"
        value = _value(raw, item.parts)
        gives = f"{value!r} gives" if isinstance(value, str) else "gives"
        if item.parts == ("name",) and isinstance(raw.get("environment"), str):
            gives = f"{value!r} (environment {raw['environment']!r}) gives"
        lines.append(f"{source}: {field_path(*item.parts, prefix=prefix)}: {gives} the {rule.type_token} "
                     f"{rule.field} {item.name!r} ({why})")
    return list(dict.fromkeys(lines))


def use_case_prefix(name: str) -> str:
    """A use case's own prefix in the platform's data and artifacts storage."""
    return f"use-cases/{name}/"


def share_identifier(name: str) -> str:
    """A use case's fair-share identifier (AWS Batch: alphanumeric only, so the hyphens go)."""
    return name.replace("-", "")


def use_case_namespace(name: str) -> str:
    """A use case's namespace on a Kubernetes training cluster (GKE); the names fit a DNS label with the prefix."""
    return f"uc-{name}"
