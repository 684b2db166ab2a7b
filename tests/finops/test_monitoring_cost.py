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


def test_no_traffic_no_monitoring_charge():
    (line,) = _monitor_lines({})
    assert line.monthly_usd == 0
