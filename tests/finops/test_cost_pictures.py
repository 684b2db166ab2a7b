"""Cost pictures: `compare --format markdown` (table + Mermaid xychart) and `cost --format html` (one
self-contained page, checked strictly without a browser: tests/support/html_page.py)."""

from __future__ import annotations

from html.parser import HTMLParser

import re

import pytest
from typer.testing import CliRunner

from cli.app import app
from mlplat.finops.charts import _axis_max, compare_markdown, cost_html
from mlplat.finops.compare import compare
from mlplat.finops.estimate import estimate_plan
from tests.support.browser import browser, hex_colour, pixels, screenshot
from tests.support.html_page import check_page, css_problems
from tests.support.mermaid import check_xychart_subset, mermaid_blocks, mermaid_parse_errors, mermaid_parser
from tests.support.plans import reference_plan

runner = CliRunner()


@pytest.fixture(scope="module")
def columns():
    return compare(lambda cloud: reference_plan("aws-prod", cloud))


def test_compare_markdown_has_the_table_and_one_chart_per_cloud(columns):
    text = compare_markdown(columns, "aws-prod")
    assert "| loaded $/month |" in text
    blocks = mermaid_blocks(text)
    assert len(blocks) == len(columns) == 3
    axes = set()
    for column, block in zip(columns, blocks):
        check_xychart_subset(block)
        # Mermaid draws every bar series of a chart at the same x: a second series would hide the first.
        assert block.count("\n  bar [") == 1, block
        assert f'title "{column.cloud}: ' in block
        bars = block.split("\n  bar [")[1].split("]")[0].split(", ")
        categories = block.split("x-axis [")[1].split("]")[0].replace('"', "").split(", ")
        cost = column.estimate.group("capability")
        assert {c: float(v) for c, v in zip(categories, bars)} == {
            c: pytest.approx(cost.get(c, {}).get("total", 0.0), abs=0.01) for c in categories}
        axes.add((tuple(categories), block.split("y-axis ")[1].split("\n")[0]))
    assert len(axes) == 1  # the same capabilities and scale on every chart: bars compare by height


def test_axis_bounds_are_round_and_above_the_data():
    assert _axis_max([0.0]) == 1 and _axis_max([1918.41]) == 2000 and _axis_max([5001]) == 10000
    assert _axis_max([450]) == 500


def test_mermaid_parser_accepts_the_compare_chart(columns):
    parser = mermaid_parser()
    if parser is None:
        pytest.skip("Mermaid's parser is not available: needs node and `npm install mermaid jsdom` in "
                    "$MLPLAT_MERMAID_DIR (see docs/pull-requests.md)")
    blocks = mermaid_blocks(compare_markdown(columns, "aws-prod"))
    assert mermaid_parse_errors(parser, ["\n".join(block.splitlines()[1:-1]) for block in blocks]) == [None] * 3


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.open: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attributes = dict(attrs)
        if tag in ("script", "link", "img") or any(
                (attributes.get(k) or "").startswith(("http:", "https:", "//")) for k in ("src", "href")):
            self.external.append(tag)
        if tag not in ("meta", "br", "link", "img"):  # the void elements
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()


def test_cost_html_is_one_well_formed_self_contained_page(tmp_path):
    plan = reference_plan("gcp-prod")
    estimate = estimate_plan(plan)
    page = cost_html(estimate, plan)
    parser = _Page()
    parser.feed(page)
    assert parser.open == [] and parser.external == []
    assert parser.tags.count("svg") == 1 and parser.tags.count("table") == 3
    capabilities = estimate.group("capability")
    assert parser.tags.count("rect") == 2 * len(capabilities) + 2  # idle + usage per capability, legend
    assert f"${estimate.total():,.2f}" in page
    result = runner.invoke(app, ["cost", "--stack", "gcp-prod", "--format", "html"])
    assert result.stdout.startswith("<!DOCTYPE html>")
    after_header = lambda text: text.split("<h2>Per capability</h2>")[1]  # noqa: E731 (the source path differs)
    assert after_header(result.stdout) == after_header(page)


@pytest.mark.parametrize("stack", ["aws-prod", "azure-dev", "gcp-prod"])
def test_cost_html_passes_the_strict_page_check(stack):
    plan = reference_plan(stack)
    assert check_page(cost_html(estimate_plan(plan), plan)) == []


def test_the_page_check_catches_what_a_browser_would_show_wrong():
    plan = reference_plan("aws-dev")
    page = cost_html(estimate_plan(plan), plan)
    assert check_page(page.replace('<meta charset="utf-8"/>', '<meta charset="utf-8">'))[0].startswith(
        "not well-formed")
    assert check_page(page.replace("</head>", '<script src="https://example.com/x.js"></script></head>')) == [
        "<script> is not an element this page uses", "<script src=...> loads or runs something"]
    assert "CSS property 'colr' is unknown" in check_page(page.replace("color:#57606a", "colr:#57606a"))
    assert "class 'usage' is used but not styled" in check_page(page.replace(".usage{fill:#8250df}", ""))
    broken_bar = page.replace('<rect class="idle" x="180"', '<rect class="idle" x="-5"', 1)
    assert any(p.startswith("a bar lies outside the chart") for p in check_page(broken_bar))
    assert check_page(page.replace("<td>", "<td><td>", 1))[0].startswith("not well-formed")
    assert css_problems("body{background:url(https://example.com/x.png)}")[0] == [
        "the style sheet loads something (url(), @import)"]


def _chart_pixels(page: str) -> dict[str, int]:
    """How many pixels of each bar colour headless Chromium paints in the top of the page."""
    colours = {name: hex_colour(value) for name, value in (("idle", "#0969da"), ("usage", "#8250df"))}
    rows = pixels(screenshot(page, width=800, height=500))
    return {name: sum(row.count(colour) for row in rows) for name, colour in colours.items()}


@pytest.mark.skipif(browser() is None, reason="no Chromium: install Debian's chromium package to render the page")
def test_cost_html_shows_its_chart_in_headless_chromium():
    plan = reference_plan("gcp-prod")
    estimate = estimate_plan(plan)
    page = cost_html(estimate, plan)
    painted = _chart_pixels(page)
    shown = [c for c, line in estimate.group("capability").items() if line["idle"] >= estimate.total() / 50]
    assert painted["idle"] >= 200 * len(shown), painted  # a visible bar per capability that costs something
    assert painted["usage"] > 0  # the legend's usage swatch
    without_chart = re.sub(r"<svg.*?</svg>", "", page, flags=re.S)
    assert _chart_pixels(without_chart)["idle"] == 0
