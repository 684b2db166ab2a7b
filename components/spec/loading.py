"""Read a platform spec from a stack file or a plain spec file, with errors that name file and field.

Every failure is a `SpecError` whose lines read `<file>: <field path>: <message>`; callers print them,
never a traceback.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from . import parse_cache
from .base import Cloud
from .platform import PlatformSpec
from .regions import equivalent_region
from .tags import TagError, cloud_tags

CONFIG_KEY = "mlplat:platform"


class SpecError(Exception):
    """Invalid spec. `lines` holds one `<file>: <field>: <message>` line per problem."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass
class LoadedStack:
    """A spec together with where it came from and the rest of the stack's config."""

    spec: PlatformSpec
    source: str
    field_prefix: str
    config: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


def _location(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def validation_lines(source: str, prefix: str, error: ValidationError) -> list[str]:
    lines = []
    for item in error.errors():
        loc = [str(p) for p in item["loc"]]
        message = item["msg"].removeprefix("Value error, ")
        # Validators that span sections report "<field path>: <message>"; lift the path out.
        head, sep, rest = message.partition(": ")
        if sep and " " not in head:
            loc, message = [*loc, *head.split(".")], rest
        if item["type"] == "extra_forbidden":
            message = "unknown key (not part of the platform spec)"
        elif item["type"] == "model_type":
            # Spec classes are named `<Section>Spec`; users read the section's name.
            message = message.replace(item["ctx"]["class_name"], item["ctx"]["class_name"].removesuffix("Spec"))
        path = _field_path(prefix, loc)
        lines.append(f"{source}: {path}: {message}")
    return lines


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_:-]+$")


def _field_path(prefix: str, loc: list) -> str:
    """`prefix.a.b.0`; keys that are not plain words are quoted (`finops.tags[" odd key"]`)."""
    path = prefix
    for part in loc:
        part = str(part)
        if _PLAIN_KEY.match(part):
            path = f"{path}.{part}" if path else part
        else:
            path = f"{path}[{json.dumps(part)}]"
    return path or "(top level)"


def parse_spec(
    raw: Any, source: str, prefix: str = "", cloud: str | None = None, region: str | None = None
) -> PlatformSpec:
    """Validate `raw` (a dict) as a spec; `cloud`/`region` render it on another cloud."""
    if not isinstance(raw, dict):
        raise SpecError([f"{source}: {prefix or '(top level)'}: expected a mapping, got {type(raw).__name__}"])
    raw = dict(raw)
    if cloud is not None:
        from ..registry import CLOUDS

        if cloud not in CLOUDS:
            raise SpecError([f"{source}: --cloud: {cloud!r} is not one of {', '.join(CLOUDS.names())}"]) from None
        target = Cloud(cloud)
        source_cloud = Cloud(raw["cloud"]) if isinstance(raw.get("cloud"), str) and raw["cloud"] in CLOUDS else None
        if region is None and source_cloud is not None and isinstance(raw.get("region"), str):
            region = equivalent_region(raw["region"], source_cloud, target)
            if region is None:
                raise SpecError(
                    [f"{source}: {_join(prefix, 'region')}: no known {target.value} equivalent of "
                     f"{raw['region']!r}; pass --region"]
                )
        raw["cloud"] = target.value
    if region is not None:
        raw["region"] = region
    key = parse_cache.cache_key(raw)
    spec = parse_cache.cached(key)
    if spec is not None:
        return spec
    try:
        spec = PlatformSpec.model_validate(raw)
    except ValidationError as error:
        raise SpecError(validation_lines(source, prefix, error)) from None
    try:
        cloud_tags(spec)
        for use_case in spec.use_cases:
            cloud_tags(spec, use_case=use_case.name)
    except TagError as error:
        raise SpecError([f"{source}: {_join(prefix, error.field)}: {error}"]) from None
    parse_cache.keep(key, spec)
    return spec


def _join(prefix: str, path: str) -> str:
    return f"{prefix}.{path}" if prefix else path


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise SpecError([f"{path}: file not found"]) from None
    except OSError as error:
        raise SpecError([f"{path}: cannot read: {error.strerror}"]) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise SpecError([f"{path}: {where}not valid YAML ({getattr(error, 'problem', error)})"]) from None


def stack_file(stack: str, stacks_dir: Path) -> Path:
    return stacks_dir / f"Pulumi.{stack}.yaml"


def load_stack(
    stack: str, stacks_dir: Path, cloud: str | None = None, region: str | None = None
) -> LoadedStack:
    """Load `stacks/Pulumi.<stack>.yaml`; the spec is the value of `config: mlplat:platform`."""
    path = stack_file(stack, stacks_dir)
    if not path.exists():
        known = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in stacks_dir.glob("Pulumi.*.yaml"))
        raise SpecError([f"{path}: no such stack file (stacks here: {', '.join(known) or 'none'})"])
    document = _read_yaml(path)
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict) or CONFIG_KEY not in config:
        raise SpecError([f"{path}: config.{CONFIG_KEY}: missing (the platform spec lives under this key)"])
    raw = config[CONFIG_KEY]
    if isinstance(raw, dict) and set(raw) == {"secure"}:
        raise SpecError([f"{path}: {CONFIG_KEY}: must be plain YAML, not a secret"])
    spec = parse_spec(raw, str(path), CONFIG_KEY, cloud, region)
    return LoadedStack(spec=spec, source=str(path), field_prefix=CONFIG_KEY, config=dict(config), raw=raw)


def load_spec_file(path: Path, cloud: str | None = None, region: str | None = None) -> LoadedStack:
    """Load a YAML file holding just the spec (or a stack file: detected by its `config` key)."""
    document = _read_yaml(path)
    if isinstance(document, dict) and isinstance(document.get("config"), dict) and CONFIG_KEY in document["config"]:
        spec = parse_spec(document["config"][CONFIG_KEY], str(path), CONFIG_KEY, cloud, region)
        return LoadedStack(spec, str(path), CONFIG_KEY, dict(document["config"]), document["config"][CONFIG_KEY])
    spec = parse_spec(document, str(path), "", cloud, region)
    return LoadedStack(spec=spec, source=str(path), field_prefix="", config={}, raw=document)


def spec_from_config_value(value: Any, source: str) -> PlatformSpec:
    """The spec as `pulumi.Config('mlplat').require_object('platform')` returns it (dict or JSON text)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            value = yaml.safe_load(value)
    return parse_spec(value, source, CONFIG_KEY)
