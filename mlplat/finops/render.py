"""The cost estimate as text: per-capability tables within 100 columns, money always to the cent and
unit prices always to four decimals."""

from __future__ import annotations

from mlplat.offline_plan.render import count_phrase, plan_title
from mlplat.tables import table, terminal_width


def money(value: float) -> str:
    return f"${value:,.2f}"


def unit_price(value: float) -> str:
    return f"${value:,.4f}"


def problems(estimate) -> list[str]:
    lines = [f"unknown resource type {u['type']} ({u['resource']}): not priced, not known to be free"
             for u in estimate.unknown]
    lines += [f"no catalog price for {u['sku']} in {u['region']} ({u['resource']})" for u in estimate.unpriced]
    return lines


def borrowed_note(estimate) -> str | None:
    """Which priced regions the figures of a region without catalogue prices come from, and how far."""
    from components.catalog.prices import lenders

    found = lenders(line.ref for line in estimate.lines)
    if not found:
        return None
    return (f"no catalogue prices for {estimate.region}; its figures are those of {', '.join(found)} "
            f"(nearest priced region{'s' if len(found) > 1 else ''})")


def _line_rows(lines, prefix: str) -> list[list[str]]:
    return [[line.resource.removeprefix(prefix), line.kind + (f" ({line.use_case})" if line.use_case else ""),
             f"{line.quantity:,.2f} {line.unit}", f"{unit_price(line.unit_price)} {line.pricing}",
             money(line.monthly_usd), line.basis]
            for line in sorted(lines, key=lambda l: (l.kind, l.resource))]


def render_estimate(estimate, plan) -> str:
    spec = plan.spec or {}
    prefix = f"{spec['name']}-{spec['environment']}-" if spec.get("name") else ""
    out = [f"Monthly estimate for {plan_title(plan)} ({estimate.cloud} {estimate.region}), from {plan.source}",
           f"{count_phrase(plan)}; names below drop the {prefix!r} prefix",
           "(the catalog row behind each line: `mlplat cost -f json`)", ""]
    borrowed = borrowed_note(estimate)
    if borrowed:
        out[-1:-1] = [f"Prices: {borrowed}"]
    for capability in sorted({line.capability for line in estimate.lines}):
        lines = [line for line in estimate.lines if line.capability == capability]
        out.append(f"{capability}: {money(sum(l.monthly_usd for l in lines))}/month")
        out.append(table(["resource", "kind", "quantity", "unit price", "USD/month", "basis"], _line_rows(lines, prefix)))
        out.append("")
    for title, attribute in (("Per capability", "capability"), ("Per use case", "use_case")):
        groups = estimate.group(attribute)
        out.append(title)
        out.append(table([attribute.replace("_", " "), "idle", "usage", "total", "on-demand"],
                         [[k, money(v["idle"]), money(v["usage"]), money(v["total"]), money(v["on_demand"])]
                          for k, v in sorted(groups.items())]))
        out.append("")
    out += [
        f"Idle (always-on): {money(estimate.total('idle'))}   Usage: {money(estimate.total('usage'))}   "
        f"Total: {money(estimate.total())}",
        f"On-demand equivalent: {money(estimate.on_demand_total)}   Spot savings: {money(estimate.spot_savings)}",
        "",
        "Assumptions (usage:): " + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                                            for k, v in estimate.assumptions.items()),
    ]
    if not (plan.spec or {}).get("usage"):
        out.append("loaded = idle: no usage: section (the defaults above price no training, traffic or storage; "
                   "add a usage: section to the spec, docs/finops.md)")
    if estimate.usage_only:
        out += ["", "Billed by usage this estimate does not model:"]
        out += [f"  - {u['resource']} ({u['type']}): {u['note']}" for u in estimate.usage_only]
    budget = (plan.spec or {}).get("budget")
    if budget:
        verdict = "within" if estimate.total() <= budget["monthly_usd"] else "OVER"
        out += ["", f"Budget: {money(budget['monthly_usd'])}/month: estimate is {verdict} budget"]
    missing = problems(estimate)
    if missing:
        out += ["", "Not priced (the estimate is incomplete):"] + [f"  - {p}" for p in missing]
    return "\n".join(_wrap(line) for line in out)


def _wrap(line: str) -> str:
    """Prose lines wrap at the table width; tables are already within it."""
    import textwrap

    width = terminal_width()
    if len(line) <= width or "\n" in line:
        return line
    indent = "    " if line.startswith("  -") else "  "
    return textwrap.fill(line, width, subsequent_indent=indent, break_on_hyphens=False)
