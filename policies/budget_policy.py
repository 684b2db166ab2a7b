"""Stack policy: the estimated monthly cost (the same cost model as `mlplat cost`) must stay within the
budget the stack declares (its AWS/Azure/GCP budget resource). Register `budget_within_estimate` in the
policy pack (policies/__main__.py). Usage assumptions come from the policy config key `usage` (same
fields as the spec's `usage:` section); without it the estimate is the idle (always-on) cost."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, StackValidationPolicy

from cli.finops.estimate import annotate, estimate, usage_of
from cli.finops.sku import Resource
from components.capabilities import CAPABILITY_OF_COMPONENT


def budget_of(resources) -> float | None:
    for r in resources:
        props = r.props or {}
        if r.resource_type == "aws:budgets/budget:Budget":
            return float(props.get("limitAmount") or props.get("limit_amount"))
        if r.resource_type == "azure-native:consumption:Budget":
            return float(props["amount"])
        if r.resource_type == "gcp:billing/budget:Budget":
            return float(((props.get("amount") or {}).get("specifiedAmount") or {}).get("units"))
    return None


def check(resources, usage: dict | None = None) -> str | None:
    """The violation message, or None when within budget (or no budget declared)."""
    limit = budget_of(resources)
    if limit is None:
        return None
    records = []
    for r in resources:
        parent = getattr(getattr(r, "parent", None), "urn", None)
        records.append(Resource(urn=r.urn, type=r.resource_type, name=r.name, inputs=dict(r.props or {}),
                                parent=parent, custom=not r.resource_type.startswith("mlplat:")))
    by_urn = {x.urn: x for x in records}
    for x in records:
        node = x
        while node is not None:
            if node.type.startswith("mlplat:") and node.type.count(":") == 2 and not node.type.startswith("mlplat:index:"):
                x.capability = CAPABILITY_OF_COMPONENT.get(node.type.split(":")[2], "platform")
                break
            node = by_urn.get(node.parent)
    cloud = next((x.type.split(":")[0] for x in records if not x.type.startswith(("mlplat:", "pulumi"))), "aws")
    cloud = {"azure-native": "azure"}.get(cloud, cloud)
    region = next((x.inputs.get("location") or x.inputs.get("region") for x in records
                   if x.inputs.get("location") or x.inputs.get("region")), None)
    result = estimate(annotate(records), cloud, region or "", usage_of(None, usage))
    total = result.total()
    if total > limit:
        return (f"estimated monthly cost ${total:,.2f} (idle ${result.total('idle'):,.2f}, usage "
                f"${result.total('usage'):,.2f}; `mlplat cost` shows each catalog row) exceeds the budget ${limit:,.2f}")
    return None


def _validate(args, report_violation) -> None:
    usage = (args.get_config() or {}).get("usage") if hasattr(args, "get_config") else None
    message = check(args.resources, usage)
    if message:
        report_violation(message)


budget_within_estimate = StackValidationPolicy(
    name="budget-within-estimate",
    description="The estimated monthly cost (mlplat cost model, catalog prices) must stay within the stack's budget.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate,
)
