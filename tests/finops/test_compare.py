"""`mlplat compare` / `mlplat cost`: loaded cost differs from idle when the spec has a `usage:` section (the
example has one) and says so when it has none; an invalid spec is reported once."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.app import app
from tests.support.plans import ROOT

EXAMPLE = ROOT / "examples" / "fraud-ml.yaml"
runner = CliRunner()


def test_example_has_usage_and_loaded_exceeds_idle_on_every_cloud():
    result = runner.invoke(app, ["compare", "--config", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    for column in json.loads(result.stdout)["clouds"]:
        assert column["usage_section"] is True
        assert column["loaded_usd"] > column["idle_usd"] * 1.2, column["cloud"]
        assert column["unknown_types"] == [] and column["unpriced"] == [], column["cloud"]


def test_without_usage_section_loaded_equals_idle_and_says_why():
    result = runner.invoke(app, ["compare", "--stack", "aws-dev"])
    assert result.exit_code == 0, result.output
    assert "loaded = idle: no usage: section" in result.stdout
    cost = runner.invoke(app, ["cost", "--stack", "aws-dev"])
    assert "loaded = idle: no usage: section" in cost.stdout
    cost = runner.invoke(app, ["cost", "--config", str(EXAMPLE)])
    assert "loaded = idle" not in cost.stdout


def test_invalid_spec_is_reported_once(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nenvironment: prod\ncloud: aws\nregion: us-east-1\n")
    result = runner.invoke(app, ["compare", "--config", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.count("finops: Field required") == 1, result.stderr


def test_cost_text_says_which_region_the_figures_are_borrowed_from_and_how_far():
    """europe-west4 has no catalogue prices: the text names the lending region and its distance, as the
    JSON `ref` of each line does."""
    args = ["cost", "--config", str(EXAMPLE), "--cloud", "gcp", "--region", "europe-west4"]
    text = " ".join(runner.invoke(app, args).stdout.split())  # prose lines wrap
    refs = [line["ref"] for line in json.loads(runner.invoke(app, [*args, "-f", "json"]).stdout)["lines"]
            if " borrowed for " in line["ref"]]
    assert refs
    lender, km = refs[0].split(" ", 2)[1].split("/")[1], refs[0].rsplit(", ", 1)[1]
    assert (f"Prices: no catalogue prices for europe-west4; its figures are those of {lender} ({km}) "
            "(nearest priced region)") in text
    assert "Prices:" not in runner.invoke(app, ["cost", "--config", str(EXAMPLE)]).stdout


def test_the_table_shows_each_capabilitys_loaded_cost_and_they_add_up_to_the_total():
    """Where two clouds' totals differ, the rows under `loaded $/month` say which capability makes the difference
    (RAG's tokens and index included)."""
    from mlplat.finops.compare import cloud_column, compare_rows
    from tests.support.plans import CLOUDS, reference_plan

    columns = [cloud_column(cloud, lambda c: reference_plan("aws-prod", c)) for cloud in CLOUDS]
    headers, rows = compare_rows(columns)
    by_label = {row[0]: row[1:] for row in rows}
    per_capability = {label.strip().removesuffix(" $/month"): values for label, values in by_label.items()
                      if label.startswith("  ")}
    assert "rag" in per_capability and "training" in per_capability, list(per_capability)
    money = lambda text: float(text.rstrip(" *").lstrip("$").replace(",", ""))  # noqa: E731
    for index, column in enumerate(columns):
        parts = sum(money(values[index]) for values in per_capability.values())
        assert abs(parts - money(by_label["loaded $/month"][index])) < 0.05 * len(per_capability), column.cloud
