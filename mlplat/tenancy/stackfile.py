"""Onboarding edits of a stack file: add, list and remove use cases in place.

The file is read and written with a round-trip YAML library (ruamel.yaml), so comments, key order,
quoting and layout outside the edited entry stay byte for byte; the edited document is validated as a
spec before anything is written, and written atomically (a temporary file renamed over the original).
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

CONFIG_KEY = "mlplat:platform"


class UseCaseEditError(Exception):
    """A refused edit; `lines` name the file and the field."""

    def __init__(self, lines: list[str] | str):
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        super().__init__("\n".join(self.lines))


def _yaml() -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096  # never re-wrap a long line of the user's file
    rt.indent(mapping=2, sequence=2, offset=0)
    return rt


@dataclass
class StackFile:
    """A stack file (or a file holding just the spec) opened for editing."""

    path: Path
    text: str
    document: object
    prefix: str  # field path of the spec in the file: "mlplat:platform" or "" (a spec file)

    @classmethod
    def open(cls, path: Path) -> "StackFile":
        try:
            text = path.read_text()
        except OSError as error:
            raise UseCaseEditError(f"{path}: cannot read: {error.strerror}") from None
        try:
            document = _yaml().load(text)
        except Exception as error:  # ruamel raises several parser/scanner error classes
            raise UseCaseEditError(f"{path}: not valid YAML: {error}") from None
        config = document.get("config") if isinstance(document, CommentedMap) else None
        if isinstance(config, CommentedMap) and isinstance(config.get(CONFIG_KEY), CommentedMap):
            return cls(path, text, document, CONFIG_KEY)
        if isinstance(document, CommentedMap) and "finops" in document:
            return cls(path, text, document, "")
        raise UseCaseEditError(f"{path}: {CONFIG_KEY}: no platform spec in this file")

    @property
    def spec(self) -> CommentedMap:
        return self.document["config"][CONFIG_KEY] if self.prefix else self.document

    def field(self, *parts) -> str:
        return ".".join(str(p) for p in ([self.prefix] if self.prefix else []) + list(parts))

    def use_cases(self) -> list:
        return list(self.spec.get("use_cases") or [])

    def dump(self) -> str:
        out = io.StringIO()
        _yaml().dump(self.document, out)
        return out.getvalue()

    def plain_spec(self) -> dict:
        """The spec as plain data (what the validator and the planner read)."""
        document = yaml.safe_load(self.dump())
        return document["config"][CONFIG_KEY] if self.prefix else document

    def validate(self):
        """The edited spec, validated; SpecError names this file and the field."""
        from components.spec import parse_spec

        return parse_spec(self.plain_spec(), str(self.path), self.prefix)

    def write(self) -> None:
        text = self.dump()
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(handle, "w") as out:
                out.write(text)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def references(spec: dict, name: str, path: tuple = ()) -> list[str]:
    """Field paths of every `use_case: <name>` in the spec (resources that still name the use case)."""
    found = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "use_case" and value == name:
                found.append(".".join(str(p) for p in (*path, key)))
            else:
                found += references(value, name, (*path, key))
    elif isinstance(spec, list):
        for i, item in enumerate(spec):
            found += references(item, name, (*path, i))
    return found


def add_use_case(stack: StackFile, name: str, owner: str | None, cost_center: str | None,
                 budget_usd: float | None, notify: list[str]) -> CommentedMap:
    """Append a use case to the spec (creating `use_cases:` when absent); refuses a duplicate name."""
    existing = [u.get("name") for u in stack.use_cases() if isinstance(u, dict)]
    if name in existing:
        index = existing.index(name)
        raise UseCaseEditError(f"{stack.path}: {stack.field('use_cases', index, 'name')}: "
                               f"use case {name!r} already exists")
    entry = CommentedMap()
    entry["name"] = name
    if cost_center is not None:
        entry["cost_center"] = cost_center
    if owner is not None:
        entry["owner"] = owner
    if budget_usd is not None:
        budget = CommentedMap()
        budget["monthly_usd"] = budget_usd
        recipients = notify or ([owner] if owner and "@" in owner else [])
        if recipients:
            budget["notify"] = CommentedSeq(recipients)
        entry["budget"] = budget
    spec = stack.spec
    if spec.get("use_cases") is None:
        # After the finops/budget sections, where the reference stacks keep it.
        keys = list(spec.keys())
        anchor = max((keys.index(k) for k in ("budget", "finops") if k in keys), default=len(keys) - 1)
        spec.insert(anchor + 1, "use_cases", CommentedSeq())
    spec["use_cases"].append(entry)
    return entry


def remove_use_case(stack: StackFile, name: str) -> None:
    """Remove a use case no resource names; refuses otherwise, listing the fields that still name it."""
    names = [u.get("name") if isinstance(u, dict) else None for u in stack.use_cases()]
    if name not in names:
        raise UseCaseEditError(f"{stack.path}: {stack.field('use_cases')}: no use case named {name!r} "
                               f"(declared: {[n for n in names if n]})")
    still = references(stack.plain_spec(), name)
    if still:
        raise UseCaseEditError(
            [f"{stack.path}: {stack.field(where)}: still names use case {name!r}; move or remove it first"
             for where in still])
    del stack.spec["use_cases"][names.index(name)]
