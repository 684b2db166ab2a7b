"""The Azure budget starts on the first of the current month and never moves afterwards."""

from __future__ import annotations

import datetime

from mlplat.offline_plan import plan_stack
from tests.support.plans import STACKS_DIR


def test_budget_starts_on_the_first_of_the_current_month_and_ignores_later_months(registrations):
    (budget,) = plan_stack("azure-dev", STACKS_DIR).by_type("azure-native:consumption:Budget")
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert budget.inputs["timePeriod"]["startDate"] == f"{today:%Y-%m}-01T00:00:00Z"
    assert list(registrations[budget.name].ignoreChanges) == ["timePeriod"]


def test_budget_start_is_the_first_of_the_given_month():
    from components.azure.budget import budget_start

    assert budget_start(datetime.date(2031, 2, 28)) == "2031-02-01T00:00:00Z"
