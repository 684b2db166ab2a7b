"""The slow tier's fuzz run: 10,000 mutated specs through `validate` and 500 through `plan -f json`
(a third of them through `cost -f json` too), counting tracebacks and invalid JSON documents; both
must be zero. Run with `uv run pytest -m slow tests/cli/test_fuzz_slow.py -s` (prints the tally)."""

from __future__ import annotations

import random

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.support.fuzz import check_run, dump, mutate

VALIDATE_CASES = 10_000
PLAN_CASES = 500
runner = CliRunner()


def _fuzz(tmp_path, argv: list[str], cases: int, plausible: bool, seed: int) -> dict:
    rng = random.Random(seed)
    tally = {"runs": 0, "failures": [], "exit_codes": {}}
    for case in range(cases):
        raw = mutate(rng, mutations=rng.choice([1, 2, 3]), plausible=plausible and rng.random() < 0.8)
        path = dump(raw, tmp_path, f"case-{case % 50}.yaml")
        result = runner.invoke(app, [*argv, str(path)])
        tally["runs"] += 1
        tally["exit_codes"][result.exit_code] = tally["exit_codes"].get(result.exit_code, 0) + 1
        try:
            check_run(argv[0], result, path, json_output="json" in argv)
        except (AssertionError, ValueError) as error:
            tally["failures"].append(f"case {case} (seed {seed}): {str(error)[:300]}")
    print(f"{' '.join(argv)}: {tally['runs']} runs, exit codes {tally['exit_codes']}, "
          f"{len(tally['failures'])} failures (tracebacks, undocumented exit codes, invalid JSON)")
    return tally


@pytest.mark.slow
def test_fuzz_validate(tmp_path):
    tally = _fuzz(tmp_path, ["validate"], VALIDATE_CASES, plausible=False, seed=13)
    assert not tally["failures"], "\n".join(tally["failures"][:20])


@pytest.mark.slow
def test_fuzz_plan_and_cost(tmp_path):
    tally = _fuzz(tmp_path, ["plan", "-f", "json", "--config"], PLAN_CASES, plausible=True, seed=31)
    assert not tally["failures"], "\n".join(tally["failures"][:20])
    tally = _fuzz(tmp_path, ["cost", "-f", "json", "--config"], PLAN_CASES // 3, plausible=True, seed=37)
    assert not tally["failures"], "\n".join(tally["failures"][:20])
