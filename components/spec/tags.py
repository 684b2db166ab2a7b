"""One neutral FinOps tag set, normalised to AWS tags, Azure tags and GCP labels.

The per-cloud rules live in each cloud's `components/<cloud>/cloud.py` (`tag_rules`); in short (see
docs/ARCHITECTURE.md, "Tags and labels"):
- AWS: keys 1-128 characters, values 0-256, letters, digits, space and `+ - = . _ : / @`; `aws:` reserved.
- Azure: keys up to 512, values up to 256; keys must not contain `< > % & \\ ? /`; keys are case-insensitive.
- GCP: keys and values up to 63 characters of lowercase letters, digits, `_` and `-`; keys start with a
  lowercase letter. `@` becomes `_at_`, `.` and other characters become `_`, upper case is lowered.
Two different neutral keys that normalise to the same key are an error, never a silent merge.
"""

from __future__ import annotations

from .base import field_path

MANAGED_BY = "mlplat"


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


def cloud_tags(spec, cloud: str | None = None, use_case: str | None = None) -> dict[str, str]:
    """The normalised tags (AWS, Azure) or labels (GCP) to pass to every taggable resource."""
    from ..registry import cloud_of

    provider = cloud_of(cloud or spec.cloud)
    rules = provider.tag_rules()
    result: dict[str, str] = {}
    origin: dict[str, str] = {}
    fold = (lambda k: k.lower()) if rules.case_insensitive_keys else (lambda k: k)
    for key, (value, field) in neutral_tags(spec, use_case).items():
        out_key = rules.normalise_key(key, field)
        if fold(out_key) in {fold(k) for k in result}:
            other = next(k for k in origin if fold(k) == fold(out_key))
            raise TagError(
                field,
                f"tag {key!r} and tag {origin[other]!r} both become {out_key!r} on {provider.name}; rename one",
            )
        if out_key in rules.reserved_keys:
            raise TagError(field, f"{out_key!r} is reserved on {provider.name}")
        result[out_key] = rules.normalise_value(value, field)
        origin[out_key] = key
    if len(result) > rules.max_tags:
        raise TagError(("finops", "tags"), f"{len(result)} tags exceed the {provider.name} limit of {rules.max_tags}")
    return result
