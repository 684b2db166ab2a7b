"""Stack policy: the estimated monthly cost (the same cost model as `mlplat cost`) must stay within the
budget the stack declares (its AWS/Azure/GCP budget resource). Register `budget_within_estimate` in the
policy pack (policies/__main__.py). Usage assumptions come from the policy config key `usage` (same
fields as the spec's `usage:` section); without it the estimate is the idle (always-on) cost."""

from __future__ import annotations

from collections import Counter

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationPolicy

from components.capability_names import CAPABILITY_OF_COMPONENT
from components.catalog import resources as catalogue
from components.catalog.resources.props import plain
from components.catalog.prices import lender_of
from mlplat.finops.estimate import annotate, estimate, usage_of
from mlplat.finops.sku import Resource


USE_CASE_COMPONENT = ":UseCase$"  # in the URN of every resource a use-case component owns


def budget_of(resources) -> float | None:
    """The monthly budget the stack declares, or None (no budget, or its amount is not known yet)."""
    for r in resources:
        read = catalogue.reader(r.resource_type, "budget_amount")
        if read is None or USE_CASE_COMPONENT in (getattr(r, "urn", "") or ""):
            continue  # a use case's own budget is not the stack's
        amount = read(catalogue.Subject(type=r.resource_type, props=r.props or {}))
        try:
            return float(amount)
        except (TypeError, ValueError):
            return None
    return None


def records_of(resources) -> list[Resource]:
    """The analyzer's resources as the cost model sees them: props deep-unwrapped from the pack's proxies
    (Mapping/Sequence, not dict/list) so that nested inputs (node pools, deployments...) are read."""
    records = []
    for r in resources:
        parent = getattr(getattr(r, "parent", None), "urn", None)
        inputs = plain(r.props or {})
        records.append(Resource(urn=r.urn, type=r.resource_type, name=r.name,
                                inputs=inputs if isinstance(inputs, dict) else {},
                                parent=parent, custom=not r.resource_type.startswith("mlplat:")))
    by_urn = {x.urn: x for x in records}
    for x in records:
        node = x
        while node is not None:
            if node.type.startswith("mlplat:") and node.type.count(":") == 2 and not node.type.startswith("mlplat:index:"):
                x.capability = CAPABILITY_OF_COMPONENT.get(node.type.split(":")[2], "platform")
                break
            node = by_urn.get(node.parent)
    return records


def stack_estimate(resources, usage: dict | None = None):
    """(estimate, region, region assumed?) of the stack's resources: the `mlplat cost` model."""
    records = records_of(resources)
    cloud = next((c for c in (catalogue.cloud_of(x.type) for x in records) if c), "aws")
    region, assumed = _region(resources, records, cloud)
    return estimate(annotate(records), cloud, region, usage_of(None, usage)), region, assumed


def check(resources, usage: dict | None = None) -> str | None:
    """The violation message, or None when the estimate is complete and within budget (or no budget
    declared: `stack-budget` reports that). An estimate with unpriced resources is a violation: a budget
    check that silently counts them as $0 would pass any stack outside the catalog's regions."""
    limit = budget_of(resources)
    if limit is None:
        return None
    result, region, assumed = stack_estimate(resources, usage)
    total = result.total()
    where = f"{region} list prices" + (" (region not visible to the pack: reference region assumed)" if assumed else "")
    lenders = sorted({lender_of(line.ref) for line in result.lines} - {None})
    if lenders:  # a region without catalogue rows is priced as its nearest priced neighbour, and says so
        where = f"{region} priced as {', '.join(lenders)} (nearest priced region; {region} has no catalog rows)"
    problems = []
    if result.unpriced:
        skus = sorted({u["sku"] for u in result.unpriced})
        names = sorted({u["resource"] for u in result.unpriced})
        problems.append(
            f"cannot estimate: {len(names)} resource(s) unpriced in {region} (no catalog row for "
            f"{', '.join(skus[:5])}{' ...' if len(skus) > 5 else ''}; add the rows to components/catalog/prices.csv "
            f"or `mlplat prices refresh`)")
    if result.unknown:
        types = sorted({u["type"] for u in result.unknown})
        problems.append(f"cannot estimate: {len(result.unknown)} resource(s) of a type the cost model does not know "
                        f"({', '.join(types[:5])}{' ...' if len(types) > 5 else ''})")
    figure = (f"estimated monthly cost ${total:,.2f} (idle ${result.total('idle'):,.2f}, usage "
              f"${result.total('usage'):,.2f}; {where}; `mlplat cost` shows each catalog row)")
    if problems:
        return "; ".join(problems) + f"; the priced part alone is {figure[len('estimated monthly cost '):]} against the budget ${limit:,.2f}"
    if total > limit:
        return f"{figure} exceeds the budget ${limit:,.2f}"
    return None


PROVIDER_REGION_KEYS = ("region", "location")  # aws/gcp providers: region; azure-native provider: location


def _region(resources, records, cloud: str) -> tuple[str, bool]:
    """The stack's region: its default provider's region (what the engine sends with every resource:
    `aws:region`, `azure-native:location`, `gcp:region`), else the most common location/region input of
    its resources, else the catalog's reference region (reported as assumed)."""
    for r in resources:
        provider = getattr(r, "provider", None)
        props = plain(getattr(provider, "props", None) or {})
        if not isinstance(props, dict):
            continue
        for key in PROVIDER_REGION_KEYS:
            value = props.get(key)
            if isinstance(value, str) and value:
                return value.lower(), False
    seen: Counter = Counter()
    for x in records:
        value = x.inputs.get("location") or x.inputs.get("region")
        if isinstance(value, str) and value and value.lower() != "global":
            seen[value.lower()] += 1
    if seen:
        return seen.most_common(1)[0][0], False
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
