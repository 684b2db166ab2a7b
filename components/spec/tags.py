"""One neutral FinOps tag set, normalised to AWS tags, Azure tags and GCP labels.

Rules (see docs/ARCHITECTURE.md, "Tags and labels"):
- AWS: keys 1-128 characters, values 0-256, letters, digits, space and `+ - = . _ : / @`; `aws:` reserved.
- Azure: keys up to 512, values up to 256; keys must not contain `< > % & \\ ? /`; keys are case-insensitive.
- GCP: keys and values up to 63 characters of lowercase letters, digits, `_` and `-`; keys start with a
  lowercase letter. `@` becomes `_at_`, `.` and other characters become `_`, upper case is lowered.
Two different neutral keys that normalise to the same key are an error, never a silent merge.
"""

from __future__ import annotations

import re

from ..catalog.naming_rules import TAGS_PER_RESOURCE
from .base import Cloud, field_path

MANAGED_BY = "mlplat"
MAX_TAGS = {cloud: TAGS_PER_RESOURCE[cloud.value].limit for cloud in Cloud}
# Keys the providers reserve or add themselves (pulumi-gcp adds goog-pulumi-provisioned).
RESERVED_KEYS = {Cloud.gcp: {"goog-pulumi-provisioned"}}

_AWS_ALLOWED = re.compile(r"^[\w\s+\-=.:/@]*$", re.UNICODE)
_AZURE_FORBIDDEN = set('<>%&\\?/')
_GCP_ALLOWED = re.compile(r"^[a-z0-9_-]*$")


class TagError(ValueError):
    """A tag that cannot be expressed on a cloud; `parts` is the path of the spec key it came from."""

    def __init__(self, parts: tuple, message: str):
        super().__init__(message)
        self.parts = tuple(parts)

    @property
    def field(self) -> str:
        return field_path(*self.parts)


def neutral_tags(spec, use_case: str | None = None) -> dict[str, tuple[str, str]]:
    """The neutral tag set of `spec`: {key: (value, spec field it came from)}.

    `use_case` adds a `use-case` tag (and that use case's cost center/owner when it has its own).
    """
    tags: dict[str, tuple[str, tuple]] = {
        "cost-center": (spec.finops.cost_center, ("finops", "cost_center")),
        "owner": (spec.finops.owner, ("finops", "owner")),
        "team": (spec.finops.team, ("finops", "team")),
        "environment": (spec.environment.value, ("environment",)),
        "platform": (spec.name, ("name",)),
        "managed-by": (MANAGED_BY, ("name",)),
    }
    for key, value in spec.finops.tags.items():
        if key in tags:
            raise TagError(("finops", "tags", key), f"{key!r} is set by mlplat itself and cannot be overridden")
        tags[key] = (value, ("finops", "tags", key))
    if use_case:
        found = spec.use_case(use_case)
        index = next((i for i, u in enumerate(spec.use_cases) if u.name == use_case), None)
        tags["use-case"] = (use_case, ("use_cases",) if index is None else ("use_cases", index, "name"))
        if found and found.cost_center:
            tags["cost-center"] = (found.cost_center, ("use_cases", index, "cost_center"))
        if found and found.owner:
            tags["owner"] = (found.owner, ("use_cases", index, "owner"))
    return tags


def _gcp_text(text: str) -> str:
    text = text.lower().replace("@", "_at_")
    return re.sub(r"[^a-z0-9_-]", "_", text)


def normalise_key(cloud: Cloud, key: str, field: tuple) -> str:
    if cloud == Cloud.aws:
        if not 1 <= len(key) <= 128 or not _AWS_ALLOWED.match(key):
            raise TagError(field, f"AWS tag key {key!r} must be 1-128 letters, digits, spaces or + - = . _ : / @")
        if key.lower().startswith("aws:"):
            raise TagError(field, f"AWS tag key {key!r} uses the reserved prefix 'aws:'")
        return key
    if cloud == Cloud.azure:
        if not 1 <= len(key) <= 512 or set(key) & _AZURE_FORBIDDEN:
            raise TagError(field, f"Azure tag key {key!r} must be 1-512 characters without < > % & \\ ? /")
        return key
    normalised = _gcp_text(key)
    if not normalised or not normalised[0].isalpha() or len(normalised) > 63:
        raise TagError(
            field, f"GCP label key {key!r} (normalised {normalised!r}) must start with a letter and be at most 63 characters"
        )
    return normalised


def normalise_value(cloud: Cloud, value: str, field: tuple) -> str:
    if cloud == Cloud.aws:
        if len(value) > 256 or not _AWS_ALLOWED.match(value):
            raise TagError(field, f"AWS tag value {value!r} must be at most 256 letters, digits, spaces or + - = . _ : / @")
        return value
    if cloud == Cloud.azure:
        if len(value) > 256:
            raise TagError(field, f"Azure tag value {value!r} is longer than 256 characters")
        return value
    normalised = _gcp_text(value)
    if len(normalised) > 63:
        raise TagError(field, f"GCP label value {value!r} (normalised {normalised!r}) is longer than 63 characters")
    return normalised


def cloud_tags(spec, cloud: Cloud | None = None, use_case: str | None = None) -> dict[str, str]:
    """The normalised tags (AWS, Azure) or labels (GCP) to pass to every taggable resource."""
    cloud = cloud or spec.cloud
    result: dict[str, str] = {}
    origin: dict[str, str] = {}
    # Azure keys are case-insensitive: compare them folded.
    fold = (lambda k: k.lower()) if cloud == Cloud.azure else (lambda k: k)
    for key, (value, field) in neutral_tags(spec, use_case).items():
        out_key = normalise_key(cloud, key, field)
        if fold(out_key) in {fold(k) for k in result}:
            other = next(k for k in origin if fold(k) == fold(out_key))
            raise TagError(
                field,
                f"tag {key!r} and tag {origin[other]!r} both become {out_key!r} on {cloud.value}; rename one",
            )
        if out_key in RESERVED_KEYS.get(cloud, set()):
            raise TagError(field, f"{out_key!r} is reserved on {cloud.value}")
        result[out_key] = normalise_value(cloud, value, field)
        origin[out_key] = key
    if len(result) > MAX_TAGS[cloud]:
        raise TagError(("finops", "tags"), f"{len(result)} tags exceed the {cloud.value} limit of {MAX_TAGS[cloud]}")
    return result
