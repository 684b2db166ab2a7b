"""`mlplat cost --by use-case`: every use case's direct cost plus its share of the shared platform, the
figures adding up to the stack total; JSON and CSV with FOCUS column names."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from cli.app import app
from components.spec import parse_spec
from mlplat.finops.estimate import estimate_plan
from mlplat.tenancy.chargeback import ALLOCATION_METHOD, EQUAL_METHOD, UNALLOCATED, chargeback, round_to_total
from tests.support.plans import REFERENCE_STACKS, reference_plan


def report_of(plan):
    return chargeback(estimate_plan(plan), parse_spec(plan.spec, plan.source), plan.stack)


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_the_use_cases_figures_add_up_to_the_stack_total(stack):
    plan = reference_plan(stack)
    estimate = estimate_plan(plan)
    report = report_of(plan)
    assert report.total == round(estimate.total(), 2) > 0
    assert round(sum(r.total for r in report.rows), 2) == report.total
    records = report.records()
    assert round(sum(r["EffectiveCost"] for r in records), 2) == report.total
    assert {r.use_case for r in report.rows} == {"fraud-scoring", "support-rag"}


def test_shared_cost_is_allocated_in_proportion_to_direct_cost():
    report = report_of(reference_plan("aws-prod"))
    assert report.method == ALLOCATION_METHOD
    shared = sum(r.shared for r in report.rows)
    direct = sum(r.direct for r in report.rows)
    for row in report.rows:
        assert row.shared == pytest.approx(shared * row.direct / direct, abs=0.02)


def test_without_use_cases_the_shared_cost_stays_one_unallocated_row():
    plan = reference_plan("aws-dev")
    spec = parse_spec(plan.spec, plan.source)
    spec.use_cases = []
    report = chargeback(estimate_plan(plan), spec, plan.stack)
    assert [r.use_case for r in report.rows] == [UNALLOCATED] and report.method is None
    assert report.rows[0].total == report.total


def test_equal_split_when_no_use_case_has_a_direct_cost():
    plan = reference_plan("aws-dev")
    estimate = estimate_plan(plan)
    for line in estimate.lines:
        line.use_case = None
    report = chargeback(estimate, parse_spec(plan.spec, plan.source), plan.stack)
    assert report.method == EQUAL_METHOD
    assert abs(report.rows[0].total - report.rows[1].total) <= 0.01
    assert round(sum(r.total for r in report.rows), 2) == report.total


def test_rounding_keeps_the_total_exact():
    values = {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}
    assert sum(round_to_total(values, 1.0).values()) == pytest.approx(1.0)
    assert sorted(round_to_total(values, 1.0).values()) == [0.33, 0.33, 0.34]


def test_json_and_csv_carry_focus_columns():
    runner = CliRunner()
    result = runner.invoke(app, ["cost", "--stack", "azure-prod", "--by", "use-case", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    record = document["records"][0]
    for column in ("EffectiveCost", "BilledCost", "ListCost", "BillingCurrency", "ProviderName",
                   "ServiceCategory", "Tags", "AllocatedMethodId"):
        assert column in record
    assert record["ProviderName"] == "Microsoft" and record["Tags"]["use-case"] in ("fraud-scoring", "support-rag")
    result = runner.invoke(app, ["cost", "--stack", "azure-prod", "--by", "use-case", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert round(sum(float(r["EffectiveCost"]) for r in rows), 2) == document["EffectiveCost"]
    assert json.loads(rows[0]["Tags"])["use-case"] == rows[0]["x_UseCase"]


def test_csv_without_by_use_case_is_a_usage_error():
    result = CliRunner().invoke(app, ["cost", "--stack", "aws-dev", "--format", "csv"])
    assert result.exit_code == 2 and "--by use-case" in result.output
