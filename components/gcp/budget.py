"""GCP budget: a Cloud Billing budget on the billing account from stack config
(`mlplat:gcpBillingAccount`), filtered to the platform's project and `platform` label, with one
threshold rule per alert threshold and e-mail notification channels for `budget.notify`."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from ..contract import BudgetComponent
from ..context import PlatformContext
from ..catalog.naming_rules import BUDGET_NOTIFICATION_CHANNELS
from ..spec.finops import BudgetSpec
from .base import Base
from .names import budget_name
from ..outputs import BudgetOutputs

BILLING_ACCOUNT_KEY = "mlplat:gcpBillingAccount"
MAX_NOTIFICATION_CHANNELS = BUDGET_NOTIFICATION_CHANNELS["gcp"].limit


class Budget(BudgetComponent):
    CLOUD = "gcp"
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
        account = billing_account(ctx)
        project = getattr(base, "project", None) or ctx.settings.gcp_project
        labels = ctx.tags()
        # The API accepts one label pair: the platform label all its resources carry.
        self.budget = billing_budget(self, ctx, project, account, budget, [], {"platform": labels["platform"]}, labels)
        self.finish(
            BudgetOutputs(budget_name=ctx.name("budget"), monthly_usd=budget.monthly_usd, extras={"billing_account": account})
        )


def billing_account(ctx: PlatformContext) -> str:
    account = ctx.settings.gcp_billing_account
    if not account:
        raise pulumi.RunError(
            f"stacks/Pulumi.{pulumi.get_stack()}.yaml: config.{BILLING_ACCOUNT_KEY}: missing; the GCP budget "
            "needs the billing account id (three groups of six characters, e.g. 01A2B3-C4D5E6-F7A8B9): "
            f"`pulumi config set {BILLING_ACCOUNT_KEY} <id>`"
        )
    return account


def billing_budget(parent, ctx: PlatformContext, project, account: str, budget: BudgetSpec, name_parts: list[str],
                   label_filter: dict, labels: dict) -> gcp.billing.Budget:
    """A Cloud Billing budget on the project's spend with `label_filter` (one label pair), a threshold rule
    per alert threshold and a forecast rule at 100%, e-mailing `budget.notify` through notification channels."""
    field = ".".join(["use_cases", *name_parts, "budget.notify"]) if name_parts else "budget.notify"
    if len(budget.notify) > MAX_NOTIFICATION_CHANNELS:
        raise pulumi.RunError(
            f"{field}: GCP budgets notify at most {MAX_NOTIFICATION_CHANNELS} channels ({len(budget.notify)} given)"
        )
    channels = [
        gcp.monitoring.NotificationChannel(
            ctx.name(*name_parts, "budget-mail", str(index)),
            project=project,
            display_name=f"mlplat {ctx.prefix} budget: {address}",
            type="email",
            labels={"email_address": address},
            user_labels=labels,
            opts=ctx.child(parent),
        )
        for index, address in enumerate(budget.notify)
    ]
    if not channels:
        pulumi.log.warn(f"{field} is empty: the GCP budget only notifies billing administrators", parent)
    number = gcp.organizations.get_project_output(project_id=project).number
    return gcp.billing.Budget(
        ctx.name(*name_parts, "budget"),
        billing_account=account,
        display_name=budget_name(ctx.prefix, *name_parts),
        amount={"specified_amount": {"currency_code": "USD", "units": str(int(round(budget.monthly_usd)))}},
        budget_filter={
            "projects": [number.apply(lambda n: f"projects/{n}")],
            "labels": label_filter,
            "calendar_period": "MONTH",
            "credit_types_treatment": "INCLUDE_ALL_CREDITS",
        },
        threshold_rules=[
            {"threshold_percent": threshold / 100, "spend_basis": "CURRENT_SPEND"}
            for threshold in budget.alert_thresholds_percent
        ]
        + [{"threshold_percent": 1.0, "spend_basis": "FORECASTED_SPEND"}],
        all_updates_rule={
            "monitoring_notification_channels": [channel.id for channel in channels],
            "disable_default_iam_recipients": False,
        },
        opts=ctx.child(parent),
    )
