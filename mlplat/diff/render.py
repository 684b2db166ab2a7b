"""A diff as text (terminal) or Markdown (a pull-request comment: summary and risks first, then the
cost table, the policy results and one collapsible section per capability)."""

from __future__ import annotations

from mlplat.stack_changes import MARKER  # the first line; the note on a deleted stack file starts with it too
from mlplat.tables import markdown_table, table

from .costs import changed_rows
from .report import DEFAULT_FAIL_ON, DiffReport

VERBS = {"create": "to create", "update": "to update", "replace": "to replace", "delete": "to delete"}
SYMBOLS = {"create": "+", "update": "~", "replace": "+-", "delete": "-"}


def signed(value: float) -> str:
    sign = "+" if value > 0 else "-" if value < 0 else "±"
    return f"{sign}${abs(value):,.2f}"


def money(value: float) -> str:
    return f"${value:,.2f}"


def summary(report: DiffReport) -> str:
    counts = report.counts()
    if not report.changes:
        return "no resource changes"
    parts = [f"{counts[a]} {VERBS[a]}" for a in ("create", "update", "replace", "delete") if counts[a]]
    return ", ".join(parts)


def cost_line(report: DiffReport) -> str:
    if report.cost is None:
        return "monthly cost: not estimated"
    totals = report.cost["totals"]
    return (f"monthly cost: idle {signed(totals['idle']['delta'])} ({money(totals['idle']['head'])}), "
            f"loaded {signed(totals['loaded']['delta'])} ({money(totals['loaded']['head'])})")


def policy_line(report: DiffReport) -> str:
    if report.policies is None:
        return "policies: not checked"
    new, resolved = report.policies["new"], report.policies["resolved"]
    mandatory = sum(1 for v in new if v.enforcement_level in ("mandatory", "remediate"))
    return f"policies: {len(new)} new ({mandatory} mandatory), {len(resolved)} resolved"


def _why(change) -> str:
    if change.action == "replace":
        return "replaced because " + ", ".join(change.replace_on or change.changed[:1]) + " changed"
    if change.action == "delete":
        return "deleted"
    return ""


def _risk_lines(report: DiffReport) -> list[str]:
    lines = []
    for c in report.data_loss:
        tags = ", ".join(t for t, on in (("protected", c.protect), ("holds data", c.stateful)) if on)
        lines.append(f"{c.action} {c.type} {c.name} ({tags}): {_why(c)}")
    return lines


def _cost_rows(grouped: dict) -> list[list[str]]:
    return [[key, money(v["idle"]["base"]), money(v["idle"]["head"]), signed(v["idle"]["delta"]),
             money(v["loaded"]["base"]), money(v["loaded"]["head"]), signed(v["loaded"]["delta"])]
            for key, v in changed_rows(grouped).items()]


COST_HEADERS = ["", "idle before", "idle after", "idle change", "loaded before", "loaded after", "loaded change"]


def _change_rows(changes) -> list[list[str]]:
    rows = []
    for c in changes:
        detail = ", ".join(c.changed[:6]) + (" ..." if len(c.changed) > 6 else "")
        if c.action == "replace":
            detail = "forces replacement: " + ", ".join(c.replace_on or c.changed[:1])
        flags = " ".join(f for f, on in (("protected", c.protect), ("data-loss", c.data_loss),
                                          ("approximate", c.approximate)) if on)
        rows.append([SYMBOLS[c.action] + " " + c.action, c.type, c.name, detail, flags])
    return rows


def _verdict(report: DiffReport, fail_on) -> str:
    failures = report.failures(fail_on)
    return ("fails the check: " + "; ".join(failures)) if failures else "passes the check"


def render_text(report: DiffReport, fail_on=DEFAULT_FAIL_ON) -> str:
    out = [f"Diff of stack {report.stack} ({report.cloud}, {report.environment}): {report.base} -> {report.head}"]
    if not report.base_exists:
        out.append("the base has no such file: the stack is new")
    out += [summary(report), cost_line(report), policy_line(report)]
    risks = _risk_lines(report)
    if risks:
        out += ["", "DATA-LOSS RISK:"] + [f"  ! {line}" for line in risks]
    for capability in report.capabilities():
        group = [c for c in report.changes if c.capability == capability]
        out += ["", f"{capability} ({len(group)} changes)"]
        # Name and type token side by side overflow 100 columns: the type goes under the name (as in the plan),
        # and the prose column (inputs) comes last, where it wraps.
        rows = [[action, f"{name}\n  {kind}", flags, detail] for action, kind, name, detail, flags in _change_rows(group)]
        text = table(["action", "resource name, then its type", "flags", "inputs"], rows, indent=2)
        out.append("\n".join("  " + line for line in text.splitlines()))
    if report.cost is not None and changed_rows(report.cost["by_capability"]):
        out += ["", "Cost per capability (USD/month)", table(COST_HEADERS, _cost_rows(report.cost["by_capability"]))]
        if changed_rows(report.cost["by_use_case"]):
            out += ["", "Cost per use case (USD/month)", table(COST_HEADERS, _cost_rows(report.cost["by_use_case"]))]
    if report.policies and (report.policies["new"] or report.policies["resolved"]):
        rows = [[status, v.enforcement_level, v.policy, f"{v.resource_type} {v.resource_name}".strip(), v.message]
                for status, key in (("new", "new"), ("resolved", "resolved")) for v in report.policies[key]]
        out += ["", "Policy results", table(["", "level", "policy", "resource", "message"], rows)]
    out += [""] + [f"note: {n}" for n in report.notes] + [_verdict(report, fail_on)]
    return "\n".join(line for i, line in enumerate(out) if line or (i and out[i - 1]))


def _md_cell(text) -> str:  # one line of Markdown (a list item, a note)
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: DiffReport, fail_on=DEFAULT_FAIL_ON) -> str:
    out = [MARKER.format(stack=report.stack),
           f"### mlplat diff: `{report.stack}` ({report.cloud}, {report.environment})", "",
           f"Base `{report.base}` → `{report.head}`" + ("" if report.base_exists else " (new stack)"), "",
           f"**{summary(report)}** · {cost_line(report)} · {policy_line(report)}", ""]
    risks = _risk_lines(report)
    if risks:
        out += ["> [!CAUTION]", "> **Data-loss risk**"] + [f"> - {_md_cell(line)}" for line in risks] + [""]
    if report.cost is not None and changed_rows(report.cost["by_capability"]):
        out += ["#### Monthly cost (USD)", ""] + markdown_table(["capability", *COST_HEADERS[1:]], _cost_rows(report.cost["by_capability"]))
        if changed_rows(report.cost["by_use_case"]):
            out += [""] + markdown_table(["use case", *COST_HEADERS[1:]], _cost_rows(report.cost["by_use_case"]))
        out.append("")
    if report.policies and (report.policies["new"] or report.policies["resolved"]):
        rows = [[status, v.enforcement_level, f"`{v.policy}`", f"{v.resource_type} {v.resource_name}".strip(), v.message]
                for status in ("new", "resolved") for v in report.policies[status]]
        out += ["#### Policy results", ""] + markdown_table(["", "level", "policy", "resource", "message"], rows) + [""]
    for capability in report.capabilities():
        group = [c for c in report.changes if c.capability == capability]
        counts = {a: sum(1 for c in group if c.action == a) for a in VERBS}
        label = ", ".join(f"{n} {VERBS[a]}" for a, n in counts.items() if n)
        out += [f"<details><summary><b>{capability}</b>: {label}</summary>", ""]
        out += markdown_table(["action", "type", "name", "inputs", ""], _change_rows(group)) + ["", "</details>", ""]
    for note in report.notes:  # each its own paragraph: adjacent lines would run into one
        out += [f"_note: {_md_cell(note)}_", ""]
    out.append(f"**{_verdict(report, fail_on)}** (offline plan by `mlplat diff`; no credentials, no state)")
    return "\n".join(out) + "\n"
