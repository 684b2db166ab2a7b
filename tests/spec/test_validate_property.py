"""Property-based: random and malformed specs never crash `validate`; every error names a field."""

from __future__ import annotations

import copy
import json
import re

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.app import app
from components.spec import SpecError, parse_spec
from tests.support.plans import ROOT
from tests.support.fuzz import paths

EXAMPLE = yaml.safe_load((ROOT / "examples" / "fraud-ml.yaml").read_text())
SOURCE = "stacks/Pulumi.fuzz.yaml"
PREFIX = "mlplat:platform"

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.text(max_size=30)
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=12), children, max_size=3)),
    max_leaves=8,
)


ALL_PATHS = list(paths(EXAMPLE))
QUOTED_KEY = re.compile(r'\["(?:[^"\\]|\\.)*"\]')


def set_path(document, path, value):
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def assert_error_names_a_field(raw):
    try:
        parse_spec(raw, SOURCE, PREFIX)
    except SpecError as error:
        assert error.lines
        for line in error.lines:
            assert line.startswith(f"{SOURCE}: "), line
            rest = line[len(SOURCE) + 2 :]
            field = QUOTED_KEY.sub("", rest).split(": ", 1)[0]  # odd keys are quoted: a["x y"]
            assert field and " " not in field.strip("()") and ": " in rest, line
    # valid is fine too: a mutation can keep the spec valid


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(ALL_PATHS), value=values)
def test_mutating_any_field_of_the_example_never_crashes(path, value):
    raw = copy.deepcopy(EXAMPLE)
    set_path(raw, path, value)
    assert_error_names_a_field(raw)


@settings(max_examples=100, deadline=None)
@given(document=values)
def test_arbitrary_documents_never_crash(document):
    assert_error_names_a_field(document)


@settings(max_examples=60, deadline=None)
@given(path=st.sampled_from([p for p in ALL_PATHS if len(p) >= 1]), key=st.text(min_size=1, max_size=10))
def test_unknown_keys_are_named(path, key):
    raw = copy.deepcopy(EXAMPLE)
    target = raw
    for part in path[:-1]:
        target = target[part]
    if not isinstance(target, dict) or path[-1] == "features" or path[-2:] == ("finops", "tags"):
        return
    container = target[path[-1]] if isinstance(target[path[-1]], dict) else target
    if container is raw.get("finops", {}).get("tags") or "amount_30d" in container:
        return
    if key in container:
        return
    container[key] = 1
    try:
        parse_spec(raw, SOURCE, PREFIX)
    except SpecError as error:
        assert any(key in line or json.dumps(key) in line or "unknown key" in line for line in error.lines), error.lines
    else:
        raise AssertionError(f"unknown key {key!r} was accepted")


runner = CliRunner()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_validate_command_never_tracebacks(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("spec") / "spec.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code in (0, 1, 2)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code:
        assert str(path) in result.stderr
