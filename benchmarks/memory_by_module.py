"""Where a plan's memory goes: the Python allocations still alive after one in-process plan, summed by the
package of the line that allocated them (`tracemalloc`, one frame), next to the same for the floor program.

Run: `uv run python benchmarks/memory_by_module.py plan SPEC.yaml [--cloud aws]` or
`uv run python benchmarks/memory_by_module.py floor PLAN.json` (`mlplat plan --format json` output);
`--within pulumi` lists that installed package by file. Each runs
with the CLI's collector setting (no cyclic collector), as the measured processes do. tracemalloc counts Python
allocations only (not the interpreter, shared libraries or allocator slack), so its totals sit below the peak
RSS `benchmarks/process_times.py` reports; the split between packages is what it is for.
"""

from __future__ import annotations

import argparse
import gc
import sys
import sysconfig
import tracemalloc
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SITE = Path(sysconfig.get_paths()["purelib"]).resolve()
STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()


def package_of(filename: str) -> str:
    """The top-level package (or project directory) a source file belongs to; `<frozen ...>` as is."""
    path = Path(filename)
    if not path.is_absolute():
        return filename
    path = path.resolve()
    for base, prefix in ((SITE, ""), (ROOT, "mlplat repo: "), (STDLIB, "stdlib: ")):
        if path.is_relative_to(base):
            parts = path.relative_to(base).parts
            top = parts[0].removesuffix(".py")
            if top == "google" and len(parts) > 1:  # protobuf and the other google.* distributions
                top = f"google.{parts[1]}"
            return prefix + top
    return str(path)


def run(mode: str, target: str, cloud: str | None, within: str | None) -> None:
    gc.disable()  # the CLI's setting (cli/app.py: tune_gc)
    tracemalloc.start(1)
    if mode == "plan":
        from mlplat.offline_plan import plan_file

        result = plan_file(Path(target), cloud)
        resources = len(result.resources)
    else:
        from benchmarks import floor_program

        floor_program.main(target)
        resources = None
    current, peak = tracemalloc.get_traced_memory()
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    by_package: Counter[str] = Counter()
    for stat in snapshot.statistics("filename"):
        filename = stat.traceback[0].filename
        package = package_of(filename)
        # --within PACKAGE: that package's files one by one, the rest by package
        by_package[str(Path(filename).relative_to(SITE)) if package == within else package] += stat.size
    print(f"{mode} {target}: {resources or ''} registrations; traced now {current / 2**20:.0f} MiB, "
          f"traced peak {peak / 2**20:.0f} MiB")
    for package, size in by_package.most_common(15):
        print(f"{size / 2**20:8.1f} MiB  {package}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("plan", "floor"))
    parser.add_argument("target", help="the spec (plan) or the plan JSON (floor)")
    parser.add_argument("--cloud", default=None)
    parser.add_argument("--within", default=None, help="list this installed package by file")
    args = parser.parse_args()
    run(args.mode, args.target, args.cloud, args.within)


if __name__ == "__main__":
    main()
