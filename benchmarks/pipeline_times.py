"""What a pull-request check costs per reference stack: offline plan, cost estimate, policy check.

Run: `uv run python benchmarks/pipeline_times.py [--repeat N]`. Prints a table; nothing is asserted.
The policy pack is started once (as `mlplat policy check` does per invocation, its start-up is shown
separately) and every plan goes through the Analyzer protocol.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STACKS = [f"{cloud}-{env}" for cloud in ("aws", "azure", "gcp") for env in ("dev", "prod")]


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from mlplat.finops.estimate import estimate_plan
    from mlplat.offline_plan import plan_stack
    from mlplat.policy_run.analyzer_client import PolicyPackProcess
    from mlplat.policy_run.results import run_policies

    pack, start_seconds = timed(lambda: PolicyPackProcess().__enter__())
    rows = []
    try:
        for stack in STACKS:
            plan_t, cost_t, policy_t = [], [], []
            for _ in range(args.repeat):
                plan, seconds = timed(lambda: plan_stack(stack, ROOT / "stacks"))
                plan_t.append(seconds)
                _, seconds = timed(lambda: estimate_plan(plan))
                cost_t.append(seconds)
                report, seconds = timed(lambda: run_policies(plan, pack))
                policy_t.append(seconds)
            rows.append((stack, len(plan.custom_resources()), *(statistics.median(t) for t in (plan_t, cost_t, policy_t))))
    finally:
        pack.__exit__(None, None, None)

    print(f"policy pack start-up: {start_seconds:.2f}s; median of {args.repeat} runs per row")
    print(f"{'stack':<12} {'resources':>9} {'plan s':>7} {'cost s':>7} {'policy s':>9} {'total s':>8}")
    for stack, count, plan_s, cost_s, policy_s in rows:
        print(f"{stack:<12} {count:>9} {plan_s:>7.2f} {cost_s:>7.2f} {policy_s:>9.2f} {plan_s + cost_s + policy_s:>8.2f}")


if __name__ == "__main__":
    main()
