"""What the policies read about a stack's resources beyond a single row: tags merged with provider defaults,
the stack's environment, the component a resource sits in, and the catalogue subject of a resource."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any, Iterable, Optional

from components.catalog import resources as catalogue
from components.catalog.resources.props import UNKNOWN, get, plain


def subject(resource: Any, stack: Iterable[Any] = (), settings: Optional[dict] = None) -> catalogue.Subject:
    """The analyzer resource as the catalogue's readers see it."""
    return catalogue.Subject(type=resource.resource_type, props=resource.props, urn=resource.urn,
                             name=getattr(resource, "name", ""), stack=tuple(stack), settings=settings or {},
                             resource=resource)


def tags_of(type_token: str, props: Any, provider_props: Any = None) -> Optional[dict]:
    """The resource's tags/labels merged over the provider's default tags/labels; None if unknown."""
    prop = catalogue.tag_input(type_token)
    if prop is None:
        return {}
    own = plain(get(props, prop, {}))
    if own is UNKNOWN:
        return None
    merged: dict = {}
    if provider_props is not None:
        defaults = plain(get(provider_props, "defaultTags.tags" if prop == "tags" else "defaultLabels", {}))
        if isinstance(defaults, str):  # provider inputs are JSON-encoded strings on the wire
            try:
                defaults = json.loads(defaults)
                if prop == "tags":
                    defaults = defaults.get("tags", {})
            except (ValueError, AttributeError):
                defaults = {}
        if isinstance(defaults, dict):
            merged.update(defaults)
    if isinstance(own, dict):
        merged.update(own)
    return merged


def environment_of(type_token: str, props: Any) -> Optional[str]:
    """The resource's own `environment` tag/label, lower-cased; None if absent or computed. Reads that one tag,
    not a plain copy of all of them: every stack policy asks this of every resource."""
    prop = catalogue.tag_input(type_token)
    own = get(props, prop, {}) if prop is not None else {}
    if not isinstance(own, Mapping):
        return None
    for key in own:
        if isinstance(key, str) and key.lower() == "environment":
            value = get(own, key)
            if isinstance(value, str):
                return value.lower()
    return None


def stack_environment(resources: Iterable[Any]) -> Optional[str]:
    """The stack's environment: the most common `environment` tag/label over its resources."""
    counts: Counter = Counter()
    for resource in resources:
        env = environment_of(resource.resource_type, resource.props)
        if env:
            counts[env] += 1
    return counts.most_common(1)[0][0] if counts else None
