"""Property-based: random mutations of the example spec through validate, plan, cost and policy check
never crash, exit with a documented code, print valid JSON with -f json and name the file in every
error line. The profile in tests/conftest.py fixes the examples in CI; the slow tier runs thousands."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.app import app
from tests.support.fuzz import check_run, dump, mutate

runner = CliRunner()


def _run(tmp_path_factory, seed: int, argv: list[str], plausible: bool, json_output: bool):
    raw = mutate(random.Random(seed), mutations=2, plausible=plausible)
    path = dump(raw, tmp_path_factory.mktemp("fuzz"))
    result = runner.invoke(app, [*argv[:-1], str(path)] if argv[-1] == "{file}" else argv)
    check_run(argv[0], result, path, json_output)


@settings(max_examples=40)
@given(seed=st.integers(0, 2**32 - 1))
def test_validate_on_random_specs(tmp_path_factory, seed):
    _run(tmp_path_factory, seed, ["validate", "{file}"], plausible=False, json_output=False)


@settings(max_examples=6)
@given(seed=st.integers(0, 2**32 - 1), plausible=st.booleans())
def test_plan_json_on_random_specs(tmp_path_factory, seed, plausible):
    _run(tmp_path_factory, seed, ["plan", "-f", "json", "--config", "{file}"], plausible, json_output=True)


@settings(max_examples=4)
@given(seed=st.integers(0, 2**32 - 1), plausible=st.booleans())
def test_cost_json_on_random_specs(tmp_path_factory, seed, plausible):
    _run(tmp_path_factory, seed, ["cost", "-f", "json", "--config", "{file}"], plausible, json_output=True)


@settings(max_examples=2)
@given(seed=st.integers(0, 2**32 - 1))
def test_policy_check_json_on_random_specs(tmp_path_factory, seed):
    _run(tmp_path_factory, seed, ["policy", "check", "-f", "json", "--config", "{file}"], True, json_output=True)


@pytest.mark.parametrize("argv", [["plan", "-f", "json"], ["cost", "-f", "json"], ["policy", "check", "-f", "json"]])
def test_an_infinite_budget_is_one_clear_error_on_every_cloud(tmp_path, argv):
    from tests.support.fuzz import EXAMPLE, REGIONS

    for cloud, region in REGIONS.items():
        raw = dict(EXAMPLE, cloud=cloud, region=region, budget=dict(EXAMPLE["budget"], monthly_usd=float("inf")))
        path = dump(raw, tmp_path, f"{cloud}.yaml")
        result = runner.invoke(app, [*argv, "--config", str(path)])
        check_run(argv[0], result, path, json_output=True)
        assert result.exit_code == 2 and "budget.monthly_usd" in result.stderr
