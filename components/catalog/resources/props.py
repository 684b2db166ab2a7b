"""Unknown-safe readers of resource properties: plain dicts (offline plan inputs) or the policy analyzer's
proxies, where a value computed during `pulumi preview` raises on access.

Free of pulumi_policy imports except the unknown-value marker, so the pack starts fast.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

try:  # the unknown-value marker raised by the pack's property proxy during preview
    from pulumi_policy.proxy import UnknownValueError
except ImportError:  # pragma: no cover - pulumi_policy is a dependency of the project
    class UnknownValueError(Exception):  # type: ignore[no-redef]
        pass


class _Unknown:
    """A value not known until the resource is created (computed during `pulumi preview`)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()


def get(props: Any, path: str, default: Any = None) -> Any:
    """props["a"]["b"][0]... along a dotted path ("a.b.0"); UNKNOWN when a value on the path is computed."""
    current = props
    try:
        for part in path.split("."):
            if current is None:
                return default
            if isinstance(current, Mapping):
                current = current.get(part)
            elif isinstance(current, Sequence) and not isinstance(current, (str, bytes)) and part.isdigit():
                index = int(part)
                current = current[index] if index < len(current) else None
            else:
                return default
    except UnknownValueError:
        return UNKNOWN
    return default if current is None else current


def plain(value: Any) -> Any:
    """A deep plain copy (dict/list) of a proxied value; UNKNOWN exactly where a value is computed (each
    key/item on its own: one computed field does not hide its known siblings)."""

    def item(read) -> Any:
        try:
            return plain(read())
        except UnknownValueError:
            return UNKNOWN

    try:
        if isinstance(value, Mapping):
            return {k: item(lambda k=k: value[k]) for k in value}
        if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
            return [item(lambda i=i: value[i]) for i in range(len(value))]
        return value
    except UnknownValueError:
        return UNKNOWN


def plain_list(props: Any, path: str) -> list:
    """The list at `path` as plain values; [] when absent, unknown or not a list."""
    value = plain(get(props, path, []))
    return value if isinstance(value, list) else []


def is_known(value: Any) -> bool:
    return value is not UNKNOWN


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def lower(value: Any) -> str:
    return value.lower() if isinstance(value, str) else ""


def parse_json(value: Any) -> Any:
    """A JSON document input (IAM policies are strings on the wire, objects in the analyzer)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return plain(value)
