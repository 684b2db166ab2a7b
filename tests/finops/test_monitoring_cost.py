"""The Vertex AI drift monitor is priced per GB it analyses: the endpoint's requests x the monitor's
sampling rate x the assumed request size, at the catalogue's Model Monitoring price."""

from __future__ import annotations

import pytest

from components.catalog.resources.monitoring_rows import REQUEST_KB
from mlplat.finops.estimate import estimate_plan
from tests.support.plans import reference_plan


def _monitor_lines(usage):
    result = estimate_plan(reference_plan("gcp-prod"), usage=usage)
    return [line for line in result.lines if line.sku == "vertex-model-monitoring/analyzed"]


def test_the_monitor_costs_the_gb_it_analyses():
    plan = reference_plan("gcp-prod")
    (monitor,) = [r for r in plan.resources if r.type == "pulumi-python:dynamic:Resource" and r.capability == "monitoring"]
    sampling = monitor.inputs["sampling_rate"]
    (line,) = _monitor_lines({"endpoint_requests_per_second": {"fraud-scorer": 10}})
    expected_gb = 10 * 730 * 3600 * sampling * REQUEST_KB / 1e6
    assert line.quantity == pytest.approx(expected_gb)
    assert line.unit_price == 3.5 and line.monthly_usd == pytest.approx(expected_gb * 3.5)
    assert "usage.endpoint_requests_per_second.fraud-scorer 10" in line.basis
    assert line.capability == "monitoring" and "vertex-ai/pricing" in line.source


def test_without_a_request_rate_the_monitor_is_not_priced_never_zero():
    result = estimate_plan(reference_plan("gcp-prod"), usage={})
    assert not [line for line in result.lines if line.sku == "vertex-model-monitoring/analyzed"]
    (entry,) = [u for u in result.usage_only if u["resource"].endswith("-fraud-scorer-monitor")]
    assert entry["note"].startswith("not priced: usage.endpoint_requests_per_second.fraud-scorer is not stated")
    assert "$3.5 per GB" in entry["note"]
    assert entry in result.to_dict()["usage_only"]


def test_a_stated_zero_rate_prices_the_monitor_at_zero():
    (line,) = _monitor_lines({"endpoint_requests_per_second": {"fraud-scorer": 0}})
    assert line.monthly_usd == 0 and "fraud-scorer 0" in line.basis


def test_the_text_estimate_says_the_monitor_is_not_priced():
    from mlplat.finops.render import render_estimate

    plan = reference_plan("gcp-prod")
    text = " ".join(render_estimate(estimate_plan(plan, usage={}), plan).split())  # prose lines wrap
    assert "Billed by usage this estimate does not model:" in text
    assert "fraud-scorer-monitor" in text and "not priced: usage.endpoint_requests_per_second.fraud-scorer" in text
