"""The plan as a table grouped by capability, or as one JSON object."""

from __future__ import annotations

from mlplat.tables import table

from .model import Plan


def count_phrase(plan: Plan) -> str:
    """The one wording of a plan's size used by plan, policy check and cost: the engine registers the
    custom (cloud) resources and the component resources that group them, and both are counted."""
    custom = len(plan.custom_resources())
    components = sum(1 for r in plan.resources if not r.custom)
    return f"{plural(custom + components, 'resource')} ({custom} custom, {plural(components, 'component')})"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def plan_title(plan: Plan) -> str:
    """`stack aws-prod` for a stack file; for a plain spec file (`--config`) the platform's own name, not
    an invented stack name."""
    from pathlib import Path

    if Path(plan.source).name == f"Pulumi.{plan.stack}.yaml":
        return f"stack {plan.stack}"
    return f"platform {plan.spec.get('name', '?')}" if plan.spec else f"spec {plan.source}"


def plan_table(plan: Plan) -> str:
    lines = [f"Plan for {plan_title(plan)} ({plan.cloud}, {plan.environment}) from {plan.source}", ""]
    resources = plan.custom_resources()
    for capability in dict.fromkeys(r.capability for r in resources):
        group = [r for r in resources if r.capability == capability]
        lines.append(f"{capability} ({plural(len(group), 'custom resource')})")
        # The type token is the longest cell; last, it is the column that wraps within 100 columns.
        rows = [[r.name, "yes" if r.protect else "", r.type] for r in group]
        lines.append(_indent(table(["name", "protected", "type"], rows, width=98)))
        lines.append("")
    protected = sum(1 for r in resources if r.protect)
    lines.append(f"To create: {count_phrase(plan)}; {protected} protected.")
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
