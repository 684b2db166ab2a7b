"""The same spec on every registered cloud (components/registry.py) side by side: resources per capability, idle and loaded monthly
cost (the spec's `usage:` assumptions), and the capability gaps per cloud."""

from __future__ import annotations

from dataclasses import dataclass, field

from .estimate import Estimate, estimate_plan
from .render import borrowed_note


@dataclass
class CloudColumn:
    cloud: str
    region: str | None = None
    resources: dict[str, int] = field(default_factory=dict)
    estimate: Estimate | None = None
    gaps: list[dict] = field(default_factory=list)
    error: list[str] = field(default_factory=list)
    usage_section: bool = False  # the spec has a `usage:` section (otherwise loaded = idle)

    def to_dict(self) -> dict:
        return {
            "cloud": self.cloud,
            "region": self.region,
            "resources_per_capability": self.resources,
            "idle_usd": round(self.estimate.total("idle"), 2) if self.estimate else None,
            "loaded_usd": round(self.estimate.total(), 2) if self.estimate else None,
            "spot_savings_usd": round(self.estimate.spot_savings, 2) if self.estimate else None,
            "by_capability": self.estimate.to_dict()["by_capability"] if self.estimate else {},
            "usage_section": self.usage_section,
            "gaps": self.gaps,
            "unknown_types": self.estimate.unknown if self.estimate else [],
            "unpriced": self.estimate.unpriced if self.estimate else [],
            "error": self.error,
        }


def compare(plan_for_cloud, usage: dict | None = None, processes: int = 1) -> list[CloudColumn]:
    """`plan_for_cloud(cloud) -> Plan` (raises SpecError when the spec cannot be rendered there).

    With `processes` > 1 the clouds are planned in that many worker processes at once (each cloud's plan is
    independent and imports only its own provider SDK); `plan_for_cloud` must then be picklable (a module
    function or a functools.partial of one). The columns are the same either way, in the registry's order.
    """
    from components.registry import cloud_names

    clouds = cloud_names()
    if processes <= 1:
        return [cloud_column(cloud, plan_for_cloud, usage) for cloud in clouds]
    import gc
    from concurrent.futures import ProcessPoolExecutor

    workers = min(processes, len(clouds))
    with ProcessPoolExecutor(workers, mp_context=_process_context(), initializer=_gc_like_parent,
                             initargs=(gc.isenabled(),)) as pool:
        futures = [pool.submit(cloud_column, cloud, plan_for_cloud, usage) for cloud in clouds]
        return [future.result() for future in futures]


def usable_cpus() -> int:
    """The CPUs this process may run on (a container or CI job is often limited to fewer than the machine has)."""
    import os

    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _process_context():
    """fork (no second start-up) unless gRPC is loaded: its threads and polling state do not survive a fork."""
    import multiprocessing
    import sys

    if "grpc" not in sys.modules and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _gc_like_parent(enabled: bool) -> None:
    import gc

    if not enabled:  # a spawned worker plans with the same collector setting as the CLI process
        gc.disable()


def cloud_column(cloud: str, plan_for_cloud, usage: dict | None = None) -> CloudColumn:
    """One cloud's column: its plan's resources per capability, the estimate and the gaps (or the spec error)."""
    from mlplat.offline_plan.runner import PlanError
    from components.spec import SpecError

    column = CloudColumn(cloud)
    try:
        plan = plan_for_cloud(cloud)
    except (SpecError, PlanError) as error:
        column.error = list(getattr(error, "lines", None) or [str(error).splitlines()[0]])
        column.gaps = [{"capability": "(spec)", "cloud": cloud, "gap": line} for line in column.error]
        return column
    column.region = (plan.spec or {}).get("region")
    column.usage_section = bool((plan.spec or {}).get("usage")) or bool(usage)
    for r in plan.custom_resources():
        column.resources[r.capability] = column.resources.get(r.capability, 0) + 1
    column.estimate = estimate_plan(plan, usage)
    column.gaps = plan.gaps
    return column


def compare_rows(columns: list[CloudColumn]) -> tuple[list[str], list[list]]:
    capabilities: list[str] = []
    for column in columns:
        for key in column.resources:
            if key not in capabilities:
                capabilities.append(key)
    headers = ["", *[f"{c.cloud} ({c.region or 'n/a'})" for c in columns]]
    rows: list[list] = []
    for key in capabilities:
        rows.append([f"resources: {key}", *[c.resources.get(key, 0) if not c.error else "-" for c in columns]])
    money = lambda v: f"${v:,.2f}"  # noqa: E731
    rows.append(["idle $/month", *[money(c.estimate.total("idle")) if c.estimate else "-" for c in columns]])
    rows.append(["loaded $/month", *[(money(c.estimate.total()) + ("" if c.usage_section else " *")) if c.estimate else "-"
                                     for c in columns]])
    # Where the totals differ: each capability's loaded cost (RAG's tokens and index, training's GPUs...).
    groups = {c.cloud: c.estimate.group("capability") for c in columns if c.estimate}
    for key in dict.fromkeys([*capabilities, *(k for group in groups.values() for k in group)]):
        if not any(key in group for group in groups.values()):
            continue
        rows.append([f"  {key} $/month", *[money(groups[c.cloud].get(key, {}).get("total", 0.0)) if c.estimate else "-"
                                          for c in columns]])
    rows.append(["spot savings $/month", *[money(c.estimate.spot_savings) if c.estimate else "-" for c in columns]])
    rows.append(["gaps", *[len(c.gaps) for c in columns]])
    return headers, rows


NO_USAGE_NOTE = ("* loaded = idle: no usage: section (add one to the spec to size training, endpoint traffic and "
                 "storage; docs/finops.md)")


def notes(columns: list[CloudColumn]) -> list[str]:
    """Lines printed under the table."""
    lines = [NO_USAGE_NOTE] if any(c.estimate and not c.usage_section for c in columns) else []
    for c in columns:
        borrowed = borrowed_note(c.estimate) if c.estimate else None
        if borrowed:
            lines.append(f"{c.cloud}: {borrowed}; see `mlplat cost`")
    return lines
