"""How long the offline plan takes per reference stack and cloud (the unit every other command builds on).

Run: `uv run python benchmarks/plan_times.py [--repeat N]`. Prints a table; nothing is asserted.
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
CLOUDS = ("aws", "azure", "gcp")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    from mlplat.offline_plan import plan_stack  # noqa: E402  (import cost is reported separately)

    import_seconds = time.perf_counter() - started
    rows = []
    for stack in STACKS:
        for cloud in CLOUDS:
            times, count = [], 0
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                plan = plan_stack(stack, ROOT / "stacks", cloud)
                times.append(time.perf_counter() - t0)
                count = len(plan.custom_resources())
            rows.append((stack, cloud, count, min(times), statistics.median(times)))

    print(f"import mlplat.offline_plan: {import_seconds:.2f}s; {args.repeat} runs per row (first run includes SDK imports)")
    print(f"{'stack':<12} {'cloud':<6} {'resources':>9} {'min s':>7} {'median s':>9}")
    for stack, cloud, count, fastest, median in rows:
        print(f"{stack:<12} {cloud:<6} {count:>9} {fastest:>7.2f} {median:>9.2f}")
    print(f"{'total':<12} {'':<6} {sum(r[2] for r in rows):>9} {sum(r[3] for r in rows):>7.2f} {sum(r[4] for r in rows):>9.2f}")


if __name__ == "__main__":
    main()
