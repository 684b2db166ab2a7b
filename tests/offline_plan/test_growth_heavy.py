"""Heavy plans (the benchmark's growth curve): 100 endpoints, 50 use cases. In the slow tier (`uv run pytest -m
slow`), left out of the default run: each takes several CPU seconds."""

from __future__ import annotations

import pytest

from benchmarks.growth_specs import write_grown_spec

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("endpoints, use_cases", [(100, 0), (0, 50)])
def test_a_grown_spec_plans_every_endpoint_once(tmp_path, endpoints, use_cases):
    from mlplat.offline_plan import plan_file

    plan = plan_file(write_grown_spec(tmp_path, endpoints, use_cases))
    urns = [r.urn for r in plan.resources]
    assert len(urns) == len(set(urns))
    endpoints_planned = sorted(r.name for r in plan.resources if r.type == f"mlplat:{plan.cloud}:Endpoint")
    assert endpoints_planned == [f"scorer-{i:03d}" for i in range(endpoints or use_cases)]
