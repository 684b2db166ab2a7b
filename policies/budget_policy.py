"""Stack policy: the estimated monthly cost (the same cost model as `mlplat cost`) must stay within the
budget the stack declares (its AWS/Azure/GCP budget resource). Register `budget_within_estimate` in the
policy pack (policies/__main__.py). Usage assumptions come from the policy config key `usage` (same
fields as the spec's `usage:` section); without it the estimate is the idle (always-on) cost."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationPolicy

from cli.finops.estimate import annotate, estimate, usage_of
from cli.finops.sku import Resource
from components.capabilities import CAPABILITY_OF_COMPONENT


def budget_of(resources) -> float | None:
    """The monthly budget the stack declares, or None (no budget, or its amount is not known yet)."""
    for r in resources:
        props = r.props or {}
        if r.resource_type == "aws:budgets/budget:Budget":
            amount = props.get("limitAmount")
        elif r.resource_type == "azure-native:consumption:Budget":
            amount = props.get("amount")
        elif r.resource_type == "gcp:billing/budget:Budget":
            amount = ((props.get("amount") or {}).get("specifiedAmount") or {}).get("units")
        else:
            continue
        try:
            return float(amount)
        except (TypeError, ValueError):
            return None
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
    region, assumed = _region(resources, records, cloud)
    result = estimate(annotate(records), cloud, region, usage_of(None, usage))
    total = result.total()
    if total > limit:
        where = f"{region} list prices" + (" (region not visible to the pack: reference region assumed)" if assumed else "")
        return (f"estimated monthly cost ${total:,.2f} (idle ${result.total('idle'):,.2f}, usage "
                f"${result.total('usage'):,.2f}; {where}; `mlplat cost` shows each catalog row) exceeds the budget "
                f"${limit:,.2f}")
    return None


def _region(resources, records, cloud: str) -> tuple[str, bool]:
    """The stack's region: a resource's own location/region input, else its provider's region (what the
    engine sends for provider-configured regions, e.g. `aws:region`), else the catalog's reference region."""
    for x in records:
        value = x.inputs.get("location") or x.inputs.get("region")
        if isinstance(value, str) and value and value.lower() != "global":
            return value.lower(), False
    for r in resources:
        provider = getattr(r, "provider", None)
        props = getattr(provider, "props", None) or {}
        if isinstance(props.get("region"), str):
            return props["region"], False
    from components.catalog.gpus import reference_region

    return reference_region(cloud), True


def _validate(args, report_violation) -> None:
    usage = (args.get_config() or {}).get("usage") if hasattr(args, "get_config") else None
    message = check(args.resources, usage)
    if message:
        report_violation(message)


budget_within_estimate = StackValidationPolicy(
    name="budget-within-estimate",
    description=(
        "The estimated monthly cost (the `mlplat cost` model over catalog prices: idle cost plus the usage "
        "assumptions in the policy config) must stay within the stack's declared budget. Mirrors the AWS "
        "Well-Architected cost pillar COST02-BP05 (implement cost controls) and FinOps Foundation budgeting "
        "practice; Infracost-style cost policies, which have no Pulumi support (infracost/infracost#187)."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate,
    config_schema=PolicyConfigSchema(properties={
        "usage": {"type": "object", "default": {},
                  "description": "Usage assumptions, the same fields as the spec's `usage:` section."},
    }),
)
