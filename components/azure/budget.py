"""Azure budget: a Cost Management (consumption) budget scoped to the platform's resource group, with
an e-mail notification at each threshold (actual cost) and a forecast warning at 100%."""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure

from ..component import PlatformComponent
from ..context import PlatformContext
from ..spec.finops import Budget as BudgetSpec

# Budgets need a start on the first day of a month; a fixed past month keeps the program deterministic
# (a start in the past is accepted; the budget then resets every month from now on).
BUDGET_START = "2025-01-01T00:00:00Z"


class Budget(PlatformComponent):
    CLOUD = "azure"
    COMPONENT = "Budget"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base,
        budget: BudgetSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        notifications: dict = {}
        if budget.notify:
            for threshold in budget.alert_thresholds_percent:
                notifications[f"actual-{threshold}-percent"] = {
                    "enabled": True,
                    "operator": "GreaterThan",
                    "threshold": float(threshold),
                    "threshold_type": "Actual",
                    "contact_emails": list(budget.notify),
                }
            notifications["forecast-100-percent"] = {
                "enabled": True,
                "operator": "GreaterThan",
                "threshold": 100.0,
                "threshold_type": "Forecasted",
                "contact_emails": list(budget.notify),
            }
        else:
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
            time_period={"start_date": BUDGET_START},
            notifications=notifications,
            opts=ctx.child(self),
        )
        self.finish({"budget_name": ctx.name("budget"), "monthly_usd": budget.monthly_usd})
