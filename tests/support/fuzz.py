"""A mutation fuzzer over the example spec, and the checks every command run must pass: no traceback,
a documented exit code, valid JSON (no NaN/Infinity) with -f json (a document on failure too, never an
empty stdout), and every error line naming the file and the field path (or the line of a text error).

Used by the property tests (a few Hypothesis examples per run) and the slow tier (tests marked `slow`:
thousands of validate runs and hundreds of plans)."""

from __future__ import annotations

import copy
import json
import random
import re
from pathlib import Path

import yaml

from tests.support.plans import ROOT

EXAMPLE = yaml.safe_load((ROOT / "examples" / "fraud-ml.yaml").read_text())
REGIONS = {"aws": "us-east-1", "azure": "eastus", "gcp": "us-central1"}
# Exit codes each command documents (README, "Exit codes").
EXIT_CODES = {"validate": {0, 1, 2}, "plan": {0, 2}, "cost": {0, 1, 2}, "policy": {0, 1, 2}}

NASTY = [
    None, True, 0, -1, 1, 3, 17, 2**63, 1e308, float("inf"), float("-inf"), float("nan"), -0.5, "", " ",
    "x" * 5000, "a b", ".\x1f", "ünïcødé", "${HOME}", "null", [], {}, [1, [2, [3]]], {"k": {"k": None}},
    "a100", "t4", "cpu", "dev", "prod", "staging", "eastus", "us-central1", "ca-central-1", "pytorch",
    # names the spec accepts that give physical names a cloud refuses (the longest name; double hyphens)
    "fraud-detection-platform", "fraud--ml",
]


def paths(document, prefix=()):
    """Every key path in a nested document."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield (*prefix, key)
            yield from paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield (*prefix, index)
            yield from paths(value, (*prefix, index))


ALL_PATHS = list(paths(EXAMPLE))


def _set(document, path, value):
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def _get(document, path):
    for part in path:
        document = document[part]
    return document


def mutate(rng: random.Random, mutations: int = 2, plausible: bool = False) -> dict:
    """The example spec on a random cloud with `mutations` random changes. `plausible` keeps values
    close to what the field held (scaled numbers, other fields' strings) so that most specs stay valid
    and reach the planner."""
    raw = copy.deepcopy(EXAMPLE)
    cloud = rng.choice(sorted(REGIONS))
    raw["cloud"], raw["region"] = cloud, REGIONS[cloud]
    for _ in range(mutations):
        path = rng.choice(ALL_PATHS)
        try:
            current = _get(raw, path)
        except (KeyError, IndexError, TypeError):
            continue
        if plausible:
            value = _plausible(rng, current)
        elif rng.random() < 0.2 and isinstance(current, dict):
            value = dict(current, **{rng.choice(["extra", "cost center", ".\x1f", "x" * 50]): 1})
        else:
            value = rng.choice(NASTY)
        try:
            _set(raw, path, value)
        except (KeyError, IndexError, TypeError):
            continue
    return raw


def _plausible(rng: random.Random, current):
    if isinstance(current, bool):
        return not current
    if isinstance(current, (int, float)):
        return type(current)(max(0, current * rng.choice([0, 0.5, 2, 10]) + rng.choice([0, 1])))
    if isinstance(current, str):
        return rng.choice([current, current + "x", current[:3], "a100", "t4", "cpu", "dev", "prod", "staging",
                           (current + "-long-name-xxxxxxxxxxxxx")[:24].rstrip("-")])
    return current


def dump(raw: dict, directory: Path, name: str = "spec.yaml") -> Path:
    path = directory / name
    try:
        path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    except yaml.YAMLError:
        path.write_text(json.dumps(raw, default=str))
    return path


# A quoted odd key in a field path: finops.tags["cost center"].
QUOTED_KEY = re.compile(r'\["(?:[^"\\]|\\.)*"\]')
# Where a text-level error (YAML syntax, encoding) points instead of a field.
TEXT_LOCATION = re.compile(r"line \d+(, column \d+)?: ")


def field_of(message: str) -> str | None:
    """The field path an error message (after `<file>: `) starts with, or None when it names none:
    `endpoints.0.model.image: ...`, `finops.tags["cost center"]: ...`; a YAML or encoding error names the
    line instead (`line 3, column 2: ...`), which counts as its location."""
    if TEXT_LOCATION.match(message):
        return message.split(": ", 1)[0]
    head, separator, _ = QUOTED_KEY.sub("", message).partition(": ")
    if head == "(top level)":  # the document itself is not a mapping
        return head
    field = head.strip("()")
    return field if separator and field and " " not in field else None


def _reject_constant(value: str):
    raise ValueError(f"not JSON: {value}")


def check_run(command: str, result, path: Path, json_output: bool) -> None:
    """The checks every fuzzed command run must pass (AssertionError names what broke)."""
    assert result.exit_code in EXIT_CODES[command], (command, result.exit_code, result.output[-2000:])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "this is a bug" not in result.stderr, result.stderr[-2000:]
    if json_output:
        assert result.stdout.strip(), f"{command} -f json printed nothing on stdout (exit {result.exit_code})"
        json.loads(result.stdout, parse_constant=_reject_constant)
    if result.exit_code == 2 or (command == "validate" and result.exit_code):
        # findings of policy check and cost (exit 1) are in the report; errors name file and field
        lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert lines, result.stderr[-2000:]
        for line in lines:
            assert line.startswith(f"error: {path}: "), line[:500]
            assert field_of(line[len(f"error: {path}: "):]), f"no field path: {line[:500]}"
