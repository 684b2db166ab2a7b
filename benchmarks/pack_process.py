"""The policy pack's process alone: CPU seconds and peak RSS of the pack process (started the way `mlplat policy
check` and the Pulumi CLI start it, `python -m pulumi.policy`), from its start through the analysis of one
stack's plan to its end, next to a bare analyzer (`benchmarks/bare_pack`) analysing the same resources.

Run: `python benchmarks/pack_process.py --stack aws-prod [--repeat N]`. Prints one JSON line:
{"mlplat": [[cpu, rss_mib], ...], "bare": [...]}, one pair per run. This process plans once (untimed); only
the pack processes it starts are measured (os.wait4 on each).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PACKS = {"mlplat": ROOT / "policies", "bare": ROOT / "benchmarks" / "bare_pack"}


def pack_run(plan, pack_dir: Path) -> tuple[float, float]:
    """(CPU s, peak RSS MiB) of one pack process that analyses `plan` and is then stopped."""
    from mlplat.policy_run import PolicyPackProcess, run_policies

    pack = PolicyPackProcess(pack_dir).start()
    try:
        run_policies(plan, pack)
        rss_mib = _peak_rss_mib(pack.process.pid)
        pack.channel.close()
        pack.channel = None
        pack.process.terminate()  # how `policy check` ends it (PolicyPackProcess.close)
        _, _, usage = os.wait4(pack.process.pid, 0)
    finally:
        pack.close()  # the process is already reaped: close only releases the pipes
    return usage.ru_utime + usage.ru_stime, rss_mib


def _peak_rss_mib(pid: int) -> float:
    """The process's own peak RSS (VmHWM). Not ru_maxrss: a child started by fork and exec reports at least
    the peak of the parent that forked it, here a process that has planned."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from mlplat.offline_plan import plan_stack

    plan = plan_stack(args.stack, ROOT / "stacks")
    runs = {name: [pack_run(plan, directory) for _ in range(args.repeat)] for name, directory in PACKS.items()}
    print(json.dumps(runs))


if __name__ == "__main__":
    main()
