"""The start-up tuning of the `mlplat` process (no cyclic garbage collector) leaves what the program registers
unchanged: the engine registrations (URNs, types, inputs, protect, aliases, dependencies, every other
option) of the six reference stacks, planned in a process set up like the CLI, equal tests/golden."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.golden import capture
from tests.support.plans import REFERENCE_STACKS, ROOT

PROBE = """
import json, sys
from cli.app import tune_gc
tune_gc()
from mlplat.offline_plan import plan_stack
from tests.golden import capture
print(json.dumps({stack: capture.registrations(plan_stack(stack, capture.STACKS)) for stack in sys.argv[1:]}))
"""


def test_reference_registrations_in_a_cli_process_equal_the_golden_plans():
    out = subprocess.run([sys.executable, "-c", PROBE, *REFERENCE_STACKS], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    planned = json.loads(out.stdout.strip().splitlines()[-1])
    for stack in REFERENCE_STACKS:
        cloud = stack.split("-")[0]
        golden = json.loads(capture.path_of("plans", f"{stack}.{cloud}").read_text())
        assert json.loads(capture.dump(planned[stack])) == golden, stack
