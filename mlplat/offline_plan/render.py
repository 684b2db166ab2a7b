"""The plan as a table grouped by capability, or as one JSON object."""

from __future__ import annotations

from mlplat.tables import table

from .model import Plan


def plan_table(plan: Plan) -> str:
    lines = [f"Plan for stack {plan.stack} ({plan.cloud}, {plan.environment}) from {plan.source}", ""]
    resources = plan.custom_resources()
    for capability in dict.fromkeys(r.capability for r in resources):
        group = [r for r in resources if r.capability == capability]
        lines.append(f"{capability} ({len(group)} resources)")
        rows = [[r.type, r.name, "protected" if r.protect else ""] for r in group]
        lines.append(_indent(table(["type", "name", ""], rows)))
        lines.append("")
    protected = sum(1 for r in resources if r.protect)
    lines.append(f"{len(resources)} resources to create, {protected} protected.")
    if plan.outputs:
        lines.append("")
        lines.append("Stack outputs (`pulumi stack output <capability>` after `pulumi up`; offline values are placeholders):")
        lines += _output_lines(plan.outputs)
    if plan.warnings:
        lines.append("")
        lines.append("Warnings (`pulumi up` prints these too):")
        lines += [f"  - {w}" for w in plan.warnings]
    if plan.gaps:
        lines.append("")
        lines.append("Gaps on this cloud:")
        lines += [f"  - {g['capability']}: {g['gap']}" for g in plan.gaps]
    return "\n".join(lines)


def _output_lines(outputs: dict) -> list[str]:
    """One line per component: `base` holds outputs, every other capability holds {item: outputs}; the
    common keys (the same on every cloud), then the cloud's `extras`."""
    lines = []
    for capability, value in outputs.items():
        items = {capability: value} if capability == "base" else value
        for item, item_outputs in items.items():
            label = capability if item == capability else f"{capability} {item}"
            common = [key for key in item_outputs if key != "extras"]
            extras = item_outputs.get("extras") or {}
            listed = ", ".join(common) + (f" | extras: {', '.join(extras)}" if extras else "")
            lines.append(f"  {label}: {listed}")
    return lines


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
