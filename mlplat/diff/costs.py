"""The monthly cost difference of a change: idle (always-on) and loaded (with the spec's usage:
assumptions), in total, per capability and per use case."""

from __future__ import annotations

from mlplat.finops.estimate import Estimate

MEASURES = (("idle", "idle"), ("loaded", "total"))


def _entry(before: dict | None, after: dict | None) -> dict:
    entry = {}
    for measure, key in MEASURES:
        # Rounded once, from the unrounded sums: a difference of rounded sums can be a cent off, so the same
        # change would show different amounts per capability and per use case.
        b, a = (before or {}).get(key, 0.0), (after or {}).get(key, 0.0)
        entry[measure] = {"base": round(b, 2), "head": round(a, 2), "delta": round(a - b, 2)}
    return entry


def _grouped(base: Estimate | None, head: Estimate, attribute: str) -> dict:
    before = base.group(attribute) if base else {}
    after = head.group(attribute)
    keys = sorted(set(before) | set(after))
    rows = {key: _entry(before.get(key), after.get(key)) for key in keys}
    return {key: row for key, row in rows.items() if any(row[m]["base"] or row[m]["head"] for m, _ in MEASURES)}


def cost_delta(base: Estimate | None, head: Estimate) -> dict:
    """{"totals": {idle|loaded: {base, head, delta}}, "by_capability": {...}, "by_use_case": {...}}."""
    totals = {"idle": base.total("idle") if base else 0.0, "total": base.total() if base else 0.0}
    return {
        "totals": _entry(totals, {"idle": head.total("idle"), "total": head.total()}),
        "by_capability": _grouped(base, head, "capability"),
        "by_use_case": _grouped(base, head, "use_case"),
    }


def changed_rows(grouped: dict) -> dict:
    """Only the groups whose idle or loaded cost changed."""
    return {k: v for k, v in grouped.items() if any(v[m]["delta"] for m, _ in MEASURES)}
