"""AWS budget: an AWS Budgets cost budget filtered on the platform's tags, one e-mail notification per
threshold, and (opt-in) activation of the FinOps cost allocation tags (incl. `use-case`) so they show in
billing.

Cost allocation tags are account-wide (payer account), and Cost Explorer refuses to activate a key it has
not yet seen in billing data (a fresh account, or a key used for less than a day). So activation is not
part of every stack: it is opt-in with stack config `mlplat:activateCostAllocationTags: true` (set it on
ONE stack per account, once the tags have appeared in billing), and those resources are retained on
delete, so destroying a dev stack never deactivates the keys prod reports on. The one-off CLI command is
in docs/finops.md and in the output `cost_allocation_tags_command`.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..contract import BudgetComponent
from ..context import PlatformContext
from ..spec.finops import BudgetSpec
from .base import Base
from ..outputs import BudgetOutputs

# The tag keys chargeback reports group by; user-defined tags must be activated before billing shows them.
FINOPS_TAG_KEYS = ("cost-center", "owner", "team", "environment", "platform", "use-case")
# Stack config (not the spec): this stack activates the keys as cost allocation tags (one stack per account).
ACTIVATE_CONFIG_KEY = "activateCostAllocationTags"


class Budget(BudgetComponent):
    CLOUD = "aws"
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
        tags = ctx.tags()
        spec = ctx.spec
        filter_expression = cost_filter(tags)
        notifications = budget_notifications(budget)
        if not budget.notify:
            pulumi.log.warn("budget.notify is empty: the AWS budget is created without notifications", self)
        self.budget = aws.budgets.Budget(
            ctx.name("budget"),
            name=ctx.name("budget"),
            budget_type="COST",
            limit_amount=f"{budget.monthly_usd:.2f}",
            limit_unit="USD",
            time_unit="MONTHLY",
            filter_expression=filter_expression,
            notifications=notifications,
            tags=tags,
            opts=ctx.child(self),
        )
        # The FinOps keys as cost allocation tags (account-wide): opt-in, retained on delete (module docstring).
        keys = [key for key in FINOPS_TAG_KEYS if key in tags or key == "use-case"]
        keys += [key for key in spec.finops.tags if key not in keys]
        activate = bool(pulumi.Config("mlplat").get_bool(ACTIVATE_CONFIG_KEY))
        self.cost_allocation_tags = []
        if activate:
            self.cost_allocation_tags = [
                aws.costexplorer.CostAllocationTag(
                    ctx.name("cost-tag", _slug(key)),
                    tag_key=key,
                    status="Active",
                    opts=ctx.child(self, retain_on_delete=True),
                )
                for key in keys
            ]
        self.finish(
            BudgetOutputs(
                budget_name=self.budget.name,
                monthly_usd=budget.monthly_usd,
                extras={
                    "cost_allocation_tags": keys,
                    "cost_allocation_tags_activated_by_stack": activate,
                    "cost_allocation_tags_command": activation_command(keys),
                },
            )
        )


def cost_filter(tags: dict, use_case: str | None = None) -> dict:
    """Only the platform's own spend: the platform and environment tags (and the use-case tag) must match."""
    keys = ["platform", "environment"] + (["use-case"] if use_case else [])
    values = {**tags, "use-case": use_case}
    return {"ands": [{"tags": {"key": k, "values": [values[k]], "match_options": ["EQUALS"]}} for k in keys]}


def budget_notifications(budget: BudgetSpec) -> list[dict]:
    """One e-mail notification per actual-spend threshold, and a forecast warning at the full budget."""
    if not budget.notify:
        return []
    notifications = [
        {
            "comparison_operator": "GREATER_THAN",
            "notification_type": "ACTUAL",
            "threshold": float(threshold),
            "threshold_type": "PERCENTAGE",
            "subscriber_email_addresses": list(budget.notify),
        }
        for threshold in budget.alert_thresholds_percent
    ]
    # A forecast warning before the money is spent, at the full budget.
    notifications.append(
        {
            "comparison_operator": "GREATER_THAN",
            "notification_type": "FORECASTED",
            "threshold": 100.0,
            "threshold_type": "PERCENTAGE",
            "subscriber_email_addresses": list(budget.notify),
        }
    )
    return notifications


def activation_command(keys: list[str]) -> str:
    """The one-off, account-wide activation (payer account), for accounts that do not let a stack do it."""
    statuses = " ".join(f"TagKey={key},Status=Active" for key in keys)
    return f"aws ce update-cost-allocation-tags-status --cost-allocation-tags-status {statuses}"


def _slug(key: str) -> str:
    return "".join(c if c.isalnum() or c == "-" else "-" for c in key.lower())
