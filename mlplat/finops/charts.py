"""Cost pictures: `mlplat compare --format markdown` (a table and a Mermaid xychart, rendered by GitHub)
and `mlplat cost --format html` (one self-contained page: no script, no external file, an inline SVG)."""

from __future__ import annotations

import html
import math

from mlplat.tables import markdown_table

from .compare import CloudColumn, compare_rows, notes


def _axis_max(values: list[float]) -> int:
    """A round upper bound for the y axis (1, 2 or 5 times a power of ten)."""
    top = max([v for v in values if v > 0], default=1.0)
    power = 10 ** math.floor(math.log10(top))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= top))


def _label(text: str) -> str:
    return '"' + text.replace('"', "'") + '"'


def xychart(title: str, categories: list[str], values: list[float], y_max: int, y_label: str = "USD/month") -> list[str]:
    """A Mermaid xychart-beta bar chart with one bar series. Mermaid draws every series of a chart at the
    same x and width (no grouping, no legend), so several series would hide each other."""
    return ["```mermaid", "xychart-beta", f"  title {_label(title)}",
            "  x-axis [" + ", ".join(_label(c) for c in categories) + "]",
            f"  y-axis {_label(y_label)} 0 --> {y_max}",
            "  bar [" + ", ".join(f"{v:.2f}" for v in values) + "]", "```"]


def compare_markdown(columns: list[CloudColumn], source: str) -> str:
    headers, rows = compare_rows(columns)
    out = [f"### mlplat compare: `{source}` on AWS, Azure and GCP", ""] + markdown_table(headers, rows) + [""]
    priced = [c for c in columns if c.estimate]
    capabilities = list(dict.fromkeys(k for c in priced for k in c.estimate.group("capability")))
    if priced and capabilities:
        # One chart per cloud, the same capabilities in the same order on the same y axis: bars compare
        # across the charts by height.
        groups = {c.cloud: c.estimate.group("capability") for c in priced}
        series = {cloud: [group.get(k, {}).get("total", 0.0) for k in capabilities] for cloud, group in groups.items()}
        top = _axis_max([v for values in series.values() for v in values])
        for cloud, values in series.items():
            out += xychart(f"{cloud}: loaded USD/month per capability", capabilities, values, top) + [""]
    out += [n for n in notes(columns)]
    for column in columns:
        out += [f"- gap on {column.cloud}: {g['capability']}: {g['gap']}" for g in column.gaps]
    return "\n".join(out).rstrip("\n") + "\n"


def _bars_svg(groups: dict[str, dict[str, float]], width: int = 720) -> str:
    """Horizontal stacked bars (idle, usage) per group, with the total at the end of each bar."""
    row, label_w, pad = 28, 180, 90
    items = sorted(groups.items(), key=lambda kv: -kv[1]["total"])
    top = max([v["total"] for _, v in items], default=0.0) or 1.0
    scale = (width - label_w - pad) / top
    height = row * len(items) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" aria-label="Monthly cost per capability">']
    for i, (name, v) in enumerate(items):
        y = 10 + i * row
        idle_w, usage_w = v["idle"] * scale, v["usage"] * scale
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{html.escape(name)}</text>')
        parts.append(f'<rect class="idle" x="{label_w}" y="{y}" width="{idle_w:.1f}" height="20"><title>idle '
                     f'${v["idle"]:,.2f}</title></rect>')
        parts.append(f'<rect class="usage" x="{label_w + idle_w:.1f}" y="{y}" width="{usage_w:.1f}" height="20">'
                     f'<title>usage ${v["usage"]:,.2f}</title></rect>')
        parts.append(f'<text x="{label_w + idle_w + usage_w + 6:.1f}" y="{y + 16}">${v["total"]:,.2f}</text>')
    legend_y = height - 12
    parts.append(f'<rect class="idle" x="{label_w}" y="{legend_y - 10}" width="12" height="12"/>'
                 f'<text x="{label_w + 16}" y="{legend_y}">idle (always-on)</text>'
                 f'<rect class="usage" x="{label_w + 150}" y="{legend_y - 10}" width="12" height="12"/>'
                 f'<text x="{label_w + 166}" y="{legend_y}">usage</text>')
    return "\n".join(parts + ["</svg>"])


STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2328}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}svg text{font-size:13px;fill:#1f2328}
.idle{fill:#0969da}.usage{fill:#8250df}.note{color:#57606a}"""


def _html_table(headers: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def cost_html(estimate, plan) -> str:
    """The estimate as one HTML page: totals, the per-capability chart and tables, the resource lines."""
    money = lambda v: f"${v:,.2f}"  # noqa: E731
    title = f"Monthly estimate for {plan.stack} ({estimate.cloud} {estimate.region})"
    by_capability = estimate.group("capability")
    group_rows = lambda groups: [[k, money(v["idle"]), money(v["usage"]), money(v["total"]), money(v["on_demand"])]  # noqa: E731
                                 for k, v in sorted(groups.items())]
    lines = [[l.resource, l.capability, l.use_case or "-", l.kind, f"{l.quantity:,.2f} {l.unit}", money(l.monthly_usd), l.ref]
             for l in sorted(estimate.lines, key=lambda l: (l.capability, l.kind, l.resource))]
    body = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p>From {html.escape(plan.source)}. Idle (always-on) <b>{money(estimate.total('idle'))}</b>, usage "
        f"<b>{money(estimate.total('usage'))}</b>, total <b>{money(estimate.total())}</b> per month; spot savings "
        f"{money(estimate.spot_savings)}.</p>",
        "<h2>Per capability</h2>", _bars_svg(by_capability),
        _html_table(["capability", "idle", "usage", "total", "on-demand"], group_rows(by_capability)),
        "<h2>Per use case</h2>",
        _html_table(["use case", "idle", "usage", "total", "on-demand"], group_rows(estimate.group("use_case"))),
        "<h2>Resources</h2>",
        _html_table(["resource", "capability", "use case", "kind", "quantity", "USD/month", "catalog row"], lines),
        '<p class="note">Assumptions (usage:): ' + html.escape(", ".join(f"{k}={v}" for k, v in estimate.assumptions.items()))
        + ". Offline estimate by <code>mlplat cost</code> from the price catalogue.</p>",
    ]
    if not (plan.spec or {}).get("usage"):
        body.append('<p class="note">No usage: section in the spec: usage is not sized (docs/finops.md).</p>')
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")
