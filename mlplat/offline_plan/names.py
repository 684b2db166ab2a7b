"""Physical names of a plan checked against the clouds' naming rules (components/catalog/naming_rules.py).

A name the cloud refuses fails `pulumi up` halfway; the plan refuses it up front, naming the spec field the
name was built from: the spec string (platform name, endpoint, feature group...) that occurs in it, the
longest one when several do. Names the provider generates are checked in the form it generates them (the
logical name plus a 7-character suffix), where the type has a rule.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from components.catalog.naming_rules import AUTO_NAMED, RULES_BY_TYPE
from components.naming import auto_name
from components.spec.loading import field_path


def physical_name(resource) -> tuple[str, str] | None:
    """(input field, name) of a planned resource whose type has a naming rule, or None."""
    rule = RULES_BY_TYPE.get(resource.type)
    if rule is None:
        return None
    value = resource.inputs
    for key in rule.field.split("."):  # a nested name: Kubernetes objects' metadata.name
        value = value.get(key) if isinstance(value, dict) else None
    if value is None and resource.type in AUTO_NAMED:
        value = auto_name(resource.name)
    return (rule.field, value) if isinstance(value, str) else None


def _leaves(document: Any, path: tuple = ()) -> Iterable[tuple[tuple, str]]:
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _leaves(value, (*path, index))
    elif isinstance(document, str) and len(document) >= 2:
        yield path, document


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def source_field(raw: dict, name: str, prefix: str = "") -> str:
    """The spec field a physical name was built from: the longest spec string found in it (compared without
    case and separators, as names are re-cased and re-joined per cloud); the platform name otherwise."""
    squashed = _squash(name)
    found = [(len(_squash(value)), path) for path, value in _leaves(raw)
             if path and path[0] not in ("cloud", "region", "environment") and _squash(value)
             and _squash(value) in squashed]
    path = max(found, key=lambda item: item[0])[1] if found else ("name",)
    return field_path(*path, prefix=prefix)


def name_errors(resources, raw: dict, source: str, prefix: str = "") -> list[str]:
    """One `<file>: <field>: ...` line per physical name the cloud would refuse."""
    lines = []
    for resource in resources:
        found = physical_name(resource)
        problem = found and RULES_BY_TYPE[resource.type].problem(found[1])
        if problem:
            rule = RULES_BY_TYPE[resource.type]
            lines.append(f"{source}: {source_field(raw, found[1], prefix)}: {resource.type} {found[0]} "
                         f"{problem} ({rule.source})")
    return list(dict.fromkeys(lines))
