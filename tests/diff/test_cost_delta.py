"""The monthly cost difference of a change, per capability and per use case."""

from __future__ import annotations

import dataclasses

from mlplat.diff.costs import cost_delta
from mlplat.finops.estimate import Estimate, Line

FIELDS = [f.name for f in dataclasses.fields(Line)]


def line(resource: str, capability: str, use_case: str, usd: float) -> Line:
    values = dict.fromkeys(FIELDS, "")
    values.update(resource=resource, capability=capability, use_case=use_case, kind="idle", quantity=1.0,
                  unit_price=usd, monthly_usd=usd, on_demand_usd=usd)
    return Line(**values)


def test_one_change_shows_the_same_difference_per_capability_and_per_use_case():
    # The endpoint costs 100.002 more; its capability's sums end in .004/.006 (rounded apart: 100.00 and 100.01),
    # its use case's do not: rounding the sums first made the two tables disagree by a cent.
    shared = [line("registry", "registry", "fraud", 10.0)]
    base = Estimate("aws", "eu-west-1", shared + [line("old-endpoint", "endpoints", "other", 100.004)])
    head = Estimate("aws", "eu-west-1", base.lines + [line("new-endpoint", "endpoints", "fraud", 100.002)])
    delta = cost_delta(base, head)
    by_capability, by_use_case = delta["by_capability"]["endpoints"], delta["by_use_case"]["fraud"]
    assert by_capability["idle"]["delta"] == by_use_case["idle"]["delta"] == delta["totals"]["idle"]["delta"] == 100.0
    assert by_capability["idle"]["base"] == 100.0 and by_capability["idle"]["head"] == 200.01
    assert by_capability["loaded"] == by_capability["idle"]
