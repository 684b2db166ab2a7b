"""`mlplat compare` plans the three clouds in parallel worker processes; its figures stay exactly those of
planning them one after another (the golden compare document)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import partial

from tests.golden import capture
from tests.support.plans import ROOT


def _golden() -> dict:
    return json.loads(capture.path_of("compare", "fraud-ml").read_text())


def test_compare_command_in_its_own_process_equals_the_sequential_figures():
    # A fresh process has not loaded gRPC when compare starts: the workers are forked.
    environment = {**os.environ, "MLPLAT_COMPARE_PROCESSES": "2"}  # two workers even where one CPU is usable
    out = subprocess.run([sys.executable, "-m", "cli", "compare", "--config", "examples/fraud-ml.yaml", "-f", "json"],
                         cwd=ROOT, capture_output=True, text=True, check=True, env=environment)
    document = json.loads(out.stdout)
    document["source"] = "examples/fraud-ml.yaml"
    assert json.loads(capture.dump(document)) == _golden()


def test_compare_with_spawned_workers_equals_the_sequential_figures():
    import grpc  # noqa: F401 - loaded, as in any process that already planned: workers are spawned, not forked

    from mlplat.finops.compare import compare
    from mlplat.offline_plan import plan_file

    columns = compare(partial(plan_file, capture.EXAMPLE), processes=2)
    document = {"source": "examples/fraud-ml.yaml", "clouds": [c.to_dict() for c in columns]}
    assert json.loads(capture.dump(document)) == _golden()


def test_the_number_of_processes_must_be_at_least_one():
    from typer.testing import CliRunner

    from cli.app import app

    result = CliRunner().invoke(app, ["compare", "--config", str(capture.EXAMPLE), "--processes", "0"])
    assert result.exit_code == 2 and "--processes" in result.output
    result = CliRunner().invoke(app, ["compare", "--config", str(capture.EXAMPLE)],
                                env={"MLPLAT_COMPARE_PROCESSES": "many"})
    assert result.exit_code == 2 and "--processes" in result.output and "Traceback" not in result.output
