"""Azure budget: a Cost Management (consumption) budget scoped to the platform's resource group, with
an e-mail notification at each threshold (actual cost) and a forecast warning at 100%."""

from __future__ import annotations

import datetime

import pulumi
import pulumi_azure_native as azure

from ..contract import BudgetComponent
from ..context import PlatformContext
from ..spec.finops import BudgetSpec
from .base import Base
from ..outputs import BudgetOutputs

# A Monthly budget must start on the first day of a month within the current period (Cost Management
# refuses an earlier start). The program asks for the first day of the current month when the budget is
# created; `timePeriod` is then ignored, so later runs (in later months) never try to move it.
IGNORED = ["timePeriod"]


def budget_start(today: datetime.date | None = None) -> str:
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    return f"{today.year:04d}-{today.month:02d}-01T00:00:00Z"


def budget_notifications(budget: BudgetSpec) -> dict:
    """An e-mail notification at each actual-cost threshold and a forecast warning at 100%."""
    if not budget.notify:
        return {}
    notifications: dict = {
        f"actual-{threshold}-percent": {
            "enabled": True,
            "operator": "GreaterThan",
            "threshold": float(threshold),
            "threshold_type": "Actual",
            "contact_emails": list(budget.notify),
        }
        for threshold in budget.alert_thresholds_percent
    }
    notifications["forecast-100-percent"] = {
        "enabled": True,
        "operator": "GreaterThan",
        "threshold": 100.0,
        "threshold_type": "Forecasted",
        "contact_emails": list(budget.notify),
    }
    return notifications


class Budget(BudgetComponent):
    CLOUD = "azure"
    COMPONENT = "Budget"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        budget: BudgetSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        notifications = budget_notifications(budget)
        if not budget.notify:
            pulumi.log.warn("budget.notify is empty: the Azure budget is created without notifications", self)
        # The resource group holds every resource of the platform: scope the budget to it. Azure budgets
        # take no tags themselves; the resources they measure carry the FinOps tags.
        self.budget = azure.consumption.Budget(
            ctx.name("budget"),
            budget_name=ctx.name("budget"),
            scope=base.resource_group.id,
            amount=float(budget.monthly_usd),
            category="Cost",
            time_grain="Monthly",
            time_period={"start_date": budget_start()},
            notifications=notifications,
            opts=ctx.child(self, ignore_changes=IGNORED),
        )
        self.finish(BudgetOutputs(budget_name=ctx.name("budget"), monthly_usd=budget.monthly_usd))
