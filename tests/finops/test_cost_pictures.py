"""Cost pictures: `compare --format markdown` (table + Mermaid xychart) and `cost --format html` (one
self-contained page). The HTML is parsed here; headless Chromium opens it when Debian's `chromium` is
installed (docs/pull-requests.md shows the same check by hand)."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from cli.app import app
from mlplat.finops.charts import _axis_max, compare_markdown, cost_html
from mlplat.finops.compare import compare
from mlplat.finops.estimate import estimate_plan
from tests.support.mermaid import check_xychart_subset, mermaid_blocks, mermaid_parse_errors, mermaid_parser
from tests.support.plans import reference_plan

runner = CliRunner()


@pytest.fixture(scope="module")
def columns():
    return compare(lambda cloud: reference_plan("aws-prod", cloud))


def test_compare_markdown_has_the_table_and_a_bar_per_cloud(columns):
    text = compare_markdown(columns, "aws-prod")
    assert "| loaded $/month |" in text
    (block,) = mermaid_blocks(text)
    check_xychart_subset(block)
    assert block.count("\n  bar [") == 3 and "aws, azure, gcp" in block
    aws = columns[0].estimate.group("capability")
    first_bar = block.split("\n  bar [")[1].split("]")[0].split(", ")
    categories = block.split("x-axis [")[1].split("]")[0].replace('"', "").split(", ")
    assert {c: float(v) for c, v in zip(categories, first_bar)} == {
        c: pytest.approx(aws.get(c, {}).get("total", 0.0), abs=0.01) for c in categories}


def test_axis_bounds_are_round_and_above_the_data():
    assert _axis_max([0.0]) == 1 and _axis_max([1918.41]) == 2000 and _axis_max([5001]) == 10000
    assert _axis_max([450]) == 500


def test_mermaid_parser_accepts_the_compare_chart(columns):
    parser = mermaid_parser()
    if parser is None:
        pytest.skip("Mermaid's parser is not available: needs node and `npm install mermaid jsdom` in "
                    "$MLPLAT_MERMAID_DIR (see docs/pull-requests.md)")
    (block,) = mermaid_blocks(compare_markdown(columns, "aws-prod"))
    assert mermaid_parse_errors(parser, ["\n".join(block.splitlines()[1:-1])]) == [None]


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


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed "
                    "(apt-get install chromium); docs/pull-requests.md shows the same check by hand")
def test_headless_chromium_opens_the_page_and_draws_the_chart(tmp_path):
    plan = reference_plan("aws-prod")
    path = tmp_path / "cost.html"
    path.write_text(cost_html(estimate_plan(plan), plan))
    done = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--disable-dev-shm-usage", "--dump-dom", path.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "<svg" in done.stdout and 'class="idle"' in done.stdout and "Per capability" in done.stdout
