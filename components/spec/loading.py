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
from .base import Cloud, FieldError, FieldErrors, field_path
from .platform import PlatformSpec
from .regions import RegionMappingError, equivalent_for_spec
from .tags import TagError, cloud_tags
from .yaml_loader import DuplicateKeyError, UniqueKeyLoader

CONFIG_KEY = "mlplat:platform"


# Longest error line printed: a multi-megabyte value is cut, never echoed whole.
MAX_LINE = 400


class SpecError(Exception):
    """Invalid spec. `lines` holds one `<file>: <field>: <message>` line per problem."""

    def __init__(self, lines: list[str], unreadable: bool = False):
        lines = [_shorten(line) for line in lines]
        super().__init__("\n".join(lines))
        self.lines = lines
        self.unreadable = unreadable  # the file could not be read at all (missing, a directory, no access)


def _shorten(line: str) -> str:
    """Cut the middle of an overlong line (a huge value), keeping the file, field and the explanation."""
    if len(line) <= MAX_LINE:
        return line
    head, tail = MAX_LINE * 3 // 4, MAX_LINE // 4
    return f"{line[:head]}...({len(line) - head - tail} characters cut)...{line[-tail:]}"


@dataclass
class LoadedStack:
    """A spec together with where it came from and the rest of the stack's config."""

    spec: PlatformSpec
    source: str
    field_prefix: str
    config: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


# Pydantic's wording names model classes ("a valid dictionary or instance of UseCase"); users wrote YAML.
_TYPE_MESSAGES = {
    "model_type": "expected a mapping of keys to values",
    "model_attributes_type": "expected a mapping of keys to values",
    "dict_type": "expected a mapping of keys to values",
    "list_type": "expected a list",
}
_PLAIN_PATH = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$")


def validation_lines(source: str, prefix: str, error: ValidationError) -> list[str]:
    lines = []
    for item in error.errors():
        loc = [str(p) for p in item["loc"]]
        message = _TYPE_MESSAGES.get(item["type"], item["msg"].removeprefix("Value error, "))
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, FieldErrors):
            lines += [f"{source}: {field_path(*loc, *e.parts, prefix=prefix)}: {e}" for e in cause.errors]
            continue
        if isinstance(cause, FieldError):
            loc, message = [*loc, *cause.parts], str(cause)
        else:
            # Validators that span sections report "<dotted field path>: <message>"; lift the path out.
            head, sep, rest = message.partition(": ")
            if sep and _PLAIN_PATH.match(head):
                loc, message = [*loc, *head.split(".")], rest
        if item["type"] == "extra_forbidden":
            message = "unknown key (not part of the platform spec)"
        lines.append(f"{source}: {field_path(*loc, prefix=prefix) or '(top level)'}: {message}")
    return lines


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
            try:
                region = equivalent_for_spec(raw, source_cloud, target)
            except RegionMappingError as error:
                raise SpecError([f"{source}: {_join(prefix, 'region')}: {error}"]) from None
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
        raise SpecError([f"{source}: {field_path(*error.parts, prefix=prefix)}: {error}"]) from None
    lines = physical_name_problems(spec, raw, source, prefix)
    if lines:
        raise SpecError(lines)
    parse_cache.keep(key, spec)
    return spec


def physical_name_problems(spec: PlatformSpec, raw: dict, source: str, prefix: str = "",
                           subscription: str | None = None) -> list[str]:
    """The physical names the spec's cloud would refuse (components/catalog/naming_rules.py), each naming
    the spec field it was built from: the names the components build, from the functions they call."""
    from ..naming import name_problems
    from ..registry import cloud_of

    return name_problems(cloud_of(spec.cloud.value).spec_names(spec, subscription), raw, source, prefix)


def _join(prefix: str, path: str) -> str:
    return f"{prefix}.{path}" if prefix else path


def _read_yaml(path: Path) -> Any:
    """The YAML document in `path`; unreadable files, bad encodings, bad YAML and duplicate keys are
    `SpecError`s naming the file (and the line)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SpecError([f"{path}: file not found"], unreadable=True) from None
    except IsADirectoryError:
        raise SpecError([f"{path}: is a directory, not a YAML file"], unreadable=True) from None
    except OSError as error:
        raise SpecError([f"{path}: cannot read: {error.strerror}"], unreadable=True) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SpecError([f"{path}: line {line}: not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8"]) from None
    return load_yaml_text(text, str(path))


def load_yaml_text(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)
    except DuplicateKeyError as error:
        raise SpecError([f"{source}: line {error.line}: {error.path}: duplicate key (YAML would keep only the last)"]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise SpecError([f"{source}: {where}not valid YAML ({getattr(error, 'problem', None) or error})"]) from None
    except RecursionError:
        raise SpecError([f"{source}: nested too deeply to be a platform spec"]) from None


def stack_file(stack: str, stacks_dir: Path) -> Path:
    return stacks_dir / f"Pulumi.{stack}.yaml"


def load_stack(
    stack: str, stacks_dir: Path, cloud: str | None = None, region: str | None = None
) -> LoadedStack:
    """Load `stacks/Pulumi.<stack>.yaml`; the spec is the value of `config: mlplat:platform`."""
    path = stack_file(stack, stacks_dir)
    if not path.exists():
        known = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in stacks_dir.glob("Pulumi.*.yaml"))
        raise SpecError([f"{path}: no such stack file (stacks here: {', '.join(known) or 'none'})"], unreadable=True)
    document = _read_yaml(path)
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict) or CONFIG_KEY not in config:
        raise SpecError([_missing_config_key(path, config)])
    raw = config[CONFIG_KEY]
    if isinstance(raw, dict) and set(raw) == {"secure"}:
        raise SpecError([f"{path}: {CONFIG_KEY}: must be plain YAML, not a secret"])
    spec = parse_spec(raw, str(path), CONFIG_KEY, cloud, region)
    return LoadedStack(spec=spec, source=str(path), field_prefix=CONFIG_KEY, config=dict(config), raw=raw)


def load_spec_file(path: Path, cloud: str | None = None, region: str | None = None) -> LoadedStack:
    """Load a YAML file holding just the spec (or a stack file: detected by its `config` key)."""
    document = _read_yaml(path)
    if isinstance(document, dict) and "config" in document:
        config = document["config"]
        if not isinstance(config, dict) or CONFIG_KEY not in config:
            raise SpecError([_missing_config_key(path, config)])
        spec = parse_spec(config[CONFIG_KEY], str(path), CONFIG_KEY, cloud, region)
        return LoadedStack(spec, str(path), CONFIG_KEY, dict(config), config[CONFIG_KEY])
    spec = parse_spec(document, str(path), "", cloud, region)
    return LoadedStack(spec=spec, source=str(path), field_prefix="", config={}, raw=document)


def _missing_config_key(path: Path, config: Any) -> str:
    """The error for a stack file without `config: mlplat:platform`, naming a near miss when there is one."""
    hint = ""
    if isinstance(config, dict):
        import difflib

        near = difflib.get_close_matches(CONFIG_KEY, [k for k in config if isinstance(k, str)], n=1, cutoff=0.6)
        if near:
            hint = f"; found {near[0]!r}, did you mean {CONFIG_KEY!r}?"
    return f"{path}: config.{CONFIG_KEY}: missing (the platform spec lives under this key{hint})"


def spec_from_config_value(value: Any, source: str) -> PlatformSpec:
    """The spec as `pulumi.Config('mlplat').require_object('platform')` returns it (dict or JSON text)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            value = load_yaml_text(value, source)
    return parse_spec(value, source, CONFIG_KEY)
