"""What a user waits for: whole `mlplat` processes (interpreter start, imports, plan, output), each next to
its floor, medians over repeated runs.

Run: `uv run python benchmarks/process_times.py [--repeat N] [--quick] [--markdown] [--statistic min]`. Prints
one table; nothing is asserted (timings belong in docs/performance.md, not in tests).

Per row: CPU seconds (user + system of the process and the children it waited for: the policy pack, the
compare workers), wall seconds, peak RSS of the largest process, all from os.wait4. The floor of a plan is
`benchmarks/floor_program.py` over the same plan: a bare Pulumi mock program registering the same
resource types, names, parents and inputs through the same SDK modules; the floor of `--help` is
`python -c "import typer"`. Ratio = CPU / floor CPU. The policy pack's process is also timed alone (the part of
`policy check` above the plan) next to a bare analyzer, a pack with one policy that only reads the resources
(`benchmarks/pack_process.py`, `benchmarks/bare_pack`).

--quick skips the dev stacks; --heavy-repeat N times the heavy rows (100 endpoints, 50 use cases) N times
(0: skip them; default: --repeat). --growth-only runs only the growth points (--endpoints, --growth-use-cases),
each a plan row and a floor row. --statistic min reports the fastest of the repeats instead of the median:
on a machine shared with other jobs, contention only ever adds time, so the minimum is the better estimate.

Before timing, the project's own modules are compiled to bytecode (`compileall`, into their `__pycache__`), as
a user's second run finds them: with PYTHONDONTWRITEBYTECODE set (as in some CI and sandboxes) Python would
otherwise recompile mlplat's own modules in every measured process.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.growth_specs import write_grown_spec, write_tenancy_spec  # noqa: E402

PYTHON = sys.executable
MLPLAT = [PYTHON, "-m", "cli"]
FLOOR = [PYTHON, str(ROOT / "benchmarks" / "floor_program.py")]
CLOUDS = ("aws", "azure", "gcp")
EXAMPLE = "examples/fraud-ml.yaml"
# The targets, CPU seconds per whole process (help: a multiple of its floor).
TARGETS = {"plan prod": 1.5, "policy check prod": 2.0, "cost prod": 1.6, "compare": 4.0, "plan 100 endpoints": 5.0}
RSS_TARGET_MIB = {"plan 100 endpoints": 300}


@dataclass
class Timing:
    cpu: float
    wall: float | None
    rss_mib: float


def run_once(argv: list[str], env: dict | None = None) -> Timing:
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.returncode not in (0, 1):  # 1: findings (policy violations, unpriced lines) still measure the run
        raise SystemExit(f"{' '.join(argv)} exited {process.returncode}:\n{stderr[-2000:]}")
    return Timing(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024)


STATISTIC = {"median": statistics.median, "min": min}
statistic = statistics.median  # set by --statistic


def measure(argv: list[str], repeat: int, env: dict | None = None) -> Timing:
    runs = [run_once(argv, env) for _ in range(repeat)]
    return Timing(statistic(r.cpu for r in runs), statistic(r.wall for r in runs), statistic(r.rss_mib for r in runs))


def pack_alone(stack: str, repeat: int) -> tuple[Timing, Timing]:
    """The policy pack's process alone and a bare analyzer over the same plan (`benchmarks/pack_process.py`);
    wall seconds are not measured there."""
    out = subprocess.run([PYTHON, str(ROOT / "benchmarks" / "pack_process.py"), "--stack", stack, "--repeat", str(repeat)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    runs = json.loads(out.stdout.strip().splitlines()[-1])
    return tuple(Timing(statistic(cpu for cpu, _ in runs[name]), None, statistic(rss for _, rss in runs[name]))
                 for name in ("mlplat", "bare"))


PROJECT_PACKAGES = ("cli", "components", "mlplat", "policies", "benchmarks")


def compile_project() -> bool:
    """Write the bytecode of mlplat's own modules (what a user's first run leaves behind)."""
    return all(compileall.compile_dir(ROOT / name, quiet=1) for name in PROJECT_PACKAGES)


def plan_json(args: list[str], directory: Path, name: str) -> tuple[Path, int]:
    """The plan as JSON (untimed), for the floor program; and its number of cloud resources."""
    out = subprocess.run([*MLPLAT, "plan", *args, "--format", "json"], cwd=ROOT, capture_output=True, check=True)
    path = directory / f"{name}.json"
    path.write_bytes(out.stdout)
    resources = json.loads(out.stdout)["resources"]
    return path, sum(1 for r in resources if not r["type"].startswith("mlplat:"))


def no_bytecode_env(directory: Path) -> dict:
    """Python finds no .pyc (an empty cache prefix) and writes none: every run compiles every module."""
    empty = directory / "no-pyc"
    empty.mkdir(exist_ok=True)
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": str(empty)}


def bytecode_compiled() -> bool:
    import pulumi_aws

    package = Path(pulumi_aws.__file__).parent
    return any((package / "ec2" / "__pycache__").glob("vpc.*.pyc"))


class Table:
    def __init__(self):
        self.rows: list[list[str]] = []

    def add(self, case: str, resources, timing: Timing, floor: Timing | None = None, target: str = "") -> None:
        ratio = f"{timing.cpu / floor.cpu:.2f}" if floor else ""
        wall = "" if timing.wall is None else f"{timing.wall:.2f}"
        self.rows.append([case, str(resources or ""), f"{timing.cpu:.2f}", wall, f"{timing.rss_mib:.0f}",
                          f"{floor.cpu:.2f}" if floor else "", ratio, target])
        print(" | ".join(self.rows[-1]), file=sys.stderr, flush=True)  # progress while the runs go on

    HEADERS = ["case", "resources", "CPU s", "wall s", "peak MiB", "floor CPU s", "ratio", "target (CPU s)"]

    def text(self, markdown: bool) -> str:
        if markdown:
            lines = ["| " + " | ".join(self.HEADERS) + " |", "|" + "---|" * len(self.HEADERS)]
            return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in self.rows])
        widths = [max(len(r[i]) for r in [self.HEADERS, *self.rows]) for i in range(len(self.HEADERS))]
        fmt = lambda row: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))  # noqa: E731
        return "\n".join([fmt(self.HEADERS), *(fmt(r) for r in self.rows)])


def verdict(key: str, timing: Timing, floor: Timing | None = None) -> str:
    """Met or MISSED per target; a missed memory target names the floor's peak, the part mlplat cannot remove."""
    target = TARGETS[key]
    text = f"<= {target} {'met' if timing.cpu <= target else 'MISSED'}"
    if key in RSS_TARGET_MIB:
        met = timing.rss_mib <= RSS_TARGET_MIB[key]
        text += f"; <= {RSS_TARGET_MIB[key]} MiB {'met' if met else 'MISSED'}"
        if not met and floor:
            above = ", itself over the target;" if floor.rss_mib > RSS_TARGET_MIB[key] else ","
            text += f" (floor {floor.rss_mib:.0f} MiB{above} +{timing.rss_mib - floor.rss_mib:.0f} over it)"
    return text


USE_CASE_POINTS = (1, 10, 25, 50)


def use_case_growth(table: Table, work: Path, cloud: str, repeat: int) -> None:
    """use_cases growth: plan, policy check and cost of the tenancy sample at 1/10/25/50 use cases (each with an
    endpoint, a feature group, a budget and a GPU share), next to the floor program over the same plan."""
    ends: list[tuple[int, float, float]] = []  # (resources, plan CPU, floor CPU) at the first and last point
    for count in USE_CASE_POINTS:
        spec = write_tenancy_spec(work, count, cloud)
        path, resources = plan_json(["--config", str(spec)], work, spec.stem)
        floor = measure([*FLOOR, str(path)], repeat)
        for command in (["plan"], ["policy", "check"], ["cost", "--by", "use-case"]):
            timing = measure([*MLPLAT, *command, "--config", str(spec)], repeat)
            table.add(f"{' '.join(command[:2])} {count} use cases ({cloud}, tenancy sample)", resources, timing, floor)
            if command == ["plan"] and count in (USE_CASE_POINTS[0], USE_CASE_POINTS[-1]):
                ends.append((resources, timing.cpu, floor.cpu))
        table.add(f"floor {count} use cases ({cloud}, tenancy sample)", resources, floor)
    (first, plan_first, floor_first), (last, plan_last, floor_last) = ends
    added = max(1, last - first)
    print(f"use_cases growth: plan {1000 * (plan_last - plan_first) / added:.1f} ms CPU per added resource, "
          f"floor {1000 * (floor_last - floor_first) / added:.1f} ms ({first} -> {last} resources)", file=sys.stderr)


HEAVY_ENDPOINTS = 100


def growth_schedule(args, heavy_repeat: int) -> list[tuple[int, int, int]]:
    """(endpoints, use cases, runs) per growth point; the heavy points (100 endpoints, the use cases) run
    `heavy_repeat` times, none when it is 0."""
    endpoints = args.endpoints or ([1, 10, 30] + ([HEAVY_ENDPOINTS] if heavy_repeat else []))
    points = [(n, 0, heavy_repeat if n >= HEAVY_ENDPOINTS else args.repeat) for n in endpoints]
    if heavy_repeat and args.growth_use_cases:
        points.append((0, args.growth_use_cases, heavy_repeat))
    return [point for point in points if point[2]]


def growth_points(table: Table, work: Path, cloud: str, points: list[tuple[int, int, int]]) -> None:
    """The growth curve of `examples/fraud-ml.yaml` (N endpoints, or N use cases owning one endpoint each): the
    plan and, in its own row, the floor program over the same plan (CPU and peak memory each)."""
    for endpoints, use_cases, runs in points:
        spec = write_grown_spec(work, endpoints, use_cases)
        path, count = plan_json(["--config", str(spec), "--cloud", cloud], work, spec.stem)
        floor = measure([*FLOOR, str(path)], runs)
        timing = measure([*MLPLAT, "plan", "--config", str(spec), "--cloud", cloud], runs)
        # "grown example" tells these rows from the tenancy sample's use-case rows (use_case_growth)
        case = f"{use_cases} use cases ({cloud}, grown example)" if use_cases else f"{endpoints} endpoints ({cloud})"
        target = verdict("plan 100 endpoints", timing, floor) if endpoints == HEAVY_ENDPOINTS else ""
        table.add(f"plan {case}", count, timing, floor, target)
        table.add(f"floor {case}", count, floor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip the dev stacks")
    parser.add_argument("--heavy-repeat", type=int, default=None, help="runs of the heavy rows (0: skip them)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--growth-cloud", choices=CLOUDS, default="aws")
    parser.add_argument("--statistic", choices=sorted(STATISTIC), default="median",
                        help="median of the repeats, or min (the better estimate on a loaded machine)")
    parser.add_argument("--use-cases-only", action="store_true", help="only the use_cases growth rows")
    parser.add_argument("--growth-only", action="store_true", help="only the growth points (N endpoints, 50 use cases)")
    parser.add_argument("--endpoints", type=int, nargs="+", default=None,
                        help="the endpoint growth points (default: 1 10 30, and 100 unless --heavy-repeat 0)")
    parser.add_argument("--growth-use-cases", type=int, default=50,
                        help="the use-case growth point, a heavy row (0: skip it)")
    args = parser.parse_args()
    global statistic
    statistic = STATISTIC[args.statistic]
    repeat = args.repeat
    heavy_repeat = repeat if args.heavy_repeat is None else args.heavy_repeat
    project_compiled = compile_project()
    load_at_start = os.getloadavg()[0]
    table = Table()

    def report(scope: str, repeats: str) -> None:
        print(f"{args.statistic} of {repeats}{scope}; bytecode compiled: SDKs {bytecode_compiled()}, mlplat "
              f"{project_compiled}; {os.cpu_count()} CPUs; load average {load_at_start:.1f} at the start, "
              f"{os.getloadavg()[0]:.1f} at the end")
        print(table.text(args.markdown))

    if args.use_cases_only:
        with tempfile.TemporaryDirectory() as tmp:
            use_case_growth(table, Path(tmp), args.growth_cloud, args.repeat)
        return report("; use_cases growth only", f"{repeat} runs")
    if args.growth_only:
        with tempfile.TemporaryDirectory() as tmp:
            growth_points(table, Path(tmp), args.growth_cloud, growth_schedule(args, heavy_repeat))
        return report("; growth points only", f"{repeat} runs (heavy rows: {heavy_repeat})")
    stacks = [f"{c}-prod" for c in CLOUDS] + ([] if args.quick else [f"{c}-dev" for c in CLOUDS])

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        typer_floor = measure([PYTHON, "-c", "import typer"], repeat)
        help_run = measure([*MLPLAT, "--help"], repeat)
        table.add("--help", "", help_run, typer_floor, f"<= 1.5x floor {'met' if help_run.cpu <= 1.5 * typer_floor.cpu else 'MISSED'}")

        for stack in stacks:
            path, count = plan_json(["--stack", stack], work, stack)
            floor = measure([*FLOOR, str(path)], repeat)
            prod = stack.endswith("-prod")
            for command, key in ((["plan"], "plan prod"), (["policy", "check"], "policy check prod"), (["cost"], "cost prod")):
                timing = measure([*MLPLAT, *command, "--stack", stack], repeat)
                table.add(f"{' '.join(command)} {stack}", count, timing, floor, verdict(key, timing) if prod else "")
            table.add(f"floor {stack}", count, floor)
            if prod:
                pack, bare = pack_alone(stack, repeat)
                table.add(f"policy pack process {stack}", count, pack, bare)
                table.add(f"bare analyzer {stack}", count, bare)

        floors = []
        for cloud in CLOUDS:
            path, _ = plan_json(["--config", EXAMPLE, "--cloud", cloud], work, f"example-{cloud}")
            floors.append(measure([*FLOOR, str(path)], repeat))
        floor = Timing(sum(f.cpu for f in floors), sum(f.wall for f in floors), max(f.rss_mib for f in floors))
        timing = measure([*MLPLAT, "compare", "--config", EXAMPLE], repeat)
        table.add(f"compare {EXAMPLE}", "", timing, floor, verdict("compare", timing))

        cloud = args.growth_cloud
        growth_points(table, work, cloud, growth_schedule(args, heavy_repeat))
        use_case_growth(table, work, cloud, heavy_repeat or 1)

        env = no_bytecode_env(work)
        table.add("--help, no bytecode", "", measure([*MLPLAT, "--help"], repeat, env))
        for stack in (f"{c}-prod" for c in CLOUDS):
            table.add(f"plan {stack}, no bytecode", "", measure([*MLPLAT, "plan", "--stack", stack], repeat, env))

    report("", f"{repeat} runs (heavy rows: {heavy_repeat})")


if __name__ == "__main__":
    main()
