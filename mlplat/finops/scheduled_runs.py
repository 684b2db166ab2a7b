"""Scheduled jobs' usage for the cost estimate: node-hours a month of each retraining and batch inference
entry, from its schedule and the hours of one run (`usage.<...>_hours_per_run.<name>`, else the entry's own
`hours_per_run`), with the basis each estimate line shows."""

from __future__ import annotations

from .usage_lines import EstimateError


def scheduled_retraining_runs(spec: dict | None, usage: dict) -> list:
    """(retraining item, node-hours per month, basis) of the spec's retraining on the training capacity: hours
    of one run (usage.retraining_hours_per_run.<name>, else the entry's hours_per_run) x runs a month. An entry
    that starts a SageMaker pipeline runs on the pipeline's own instances, not on that capacity."""
    items = _entries(spec, "retraining", "RetrainingSpec")
    stated = _stated_hours(spec, usage, "retraining_hours_per_run", "retraining", [item.name for item in items])
    runs = []
    for item in items:
        if item.pipeline is not None or _unstated_runs(item):
            continue
        hours = float(stated.get(item.name, item.hours_per_run))
        source = (f"usage.retraining_hours_per_run.{item.name}" if item.name in stated
                  else f"retraining[{item.name}].hours_per_run")
        monthly = item.monthly_runs()
        runs.append((item, hours * monthly, f"retraining[{item.name}] {source} {hours:g} node-h x {monthly:g} runs/month"))
    return runs


def _unstated_runs(item) -> bool:
    """A drift-only retraining states no runs a month: how often drift fires is not in the spec."""
    return item.schedule is None and item.runs_per_month is None


def unpriced_retraining(spec: dict | None, usage: dict) -> list[dict]:
    """Not-priced entries (resource, type, capability, note) of the retraining runs without a monthly figure:
    listed with the field to state, never priced at $0 (an unstated figure is not zero runs)."""
    entries = []
    for i, item in enumerate(_entries(spec, "retraining", "RetrainingSpec")):
        if item.pipeline is not None or not _unstated_runs(item):
            continue
        stated = (usage.get("retraining_hours_per_run") or {}).get(item.name)
        hours = f"{float(stated if stated is not None else item.hours_per_run):g}"
        entries.append({"resource": f"retraining[{item.name}]", "type": "retraining runs", "capability": "retraining",
                        "note": f"not priced: retraining.{i}.runs_per_month is not stated and the entry has no "
                                f"schedule (it runs on drift only); each run takes {hours} node-h on the training "
                                "capacity: state the runs a month to price it"})
    return entries


def _entries(spec: dict | None, section: str, model: str) -> list:
    """The spec's `section` entries as spec models. The spec (and pydantic) is imported only when there are
    entries: the policy pack estimates stacks without a spec and imports neither."""
    raws = (spec or {}).get(section) or []
    if not raws:
        return []
    from components.spec import retraining

    return [getattr(retraining, model).model_validate(raw) for raw in raws]


def _stated_hours(spec: dict | None, usage: dict, field: str, section: str, names: list[str]) -> dict:
    """`usage.<field>` (hours per run by entry name), refusing a name no `section` entry has."""
    stated = usage.get(field) or {}
    unknown = sorted(set(stated) - set(names))
    if unknown and spec is not None:
        raise EstimateError(f"usage.{field}.{unknown[0]}: no {section} entry named {unknown[0]!r} "
                            f"(entries: {', '.join(names) or 'none'})")
    return stated


def scheduled_batch_runs(spec: dict | None, usage: dict) -> list:
    """(batch inference item, node-hours per month, basis) of the spec's scheduled batch inference: hours of
    one run (usage.batch_hours_per_run.<name>, else the entry's hours_per_run) x instances x runs a month."""
    items = _entries(spec, "batch_inference", "BatchInferenceSpec")
    stated = _stated_hours(spec, usage, "batch_hours_per_run", "batch_inference", [item.name for item in items])
    runs = []
    for item in items:
        hours = float(stated.get(item.name, item.hours_per_run))
        source = f"usage.batch_hours_per_run.{item.name}" if item.name in stated else f"batch_inference[{item.name}].hours_per_run"
        monthly = item.monthly_runs()
        runs.append((item, hours * item.instance_count * monthly,
                     f"batch_inference[{item.name}] {source} {hours:g} h x {item.instance_count} instance(s) x "
                     f"{monthly:g} runs/month"))
    return runs
