"""Planned resource -> the price-catalog SKUs it is billed by, with monthly quantities.

How a type is priced is a fact of its row in the resource catalogue (components/catalog/resources):
- priced: the row names a pricing rule (`RULES`, mlplat/finops/pricing_rules.py) and its parameters; the rule returns
  charges (idle = always-on, usage = driven by a `usage:` assumption);
- free: no charge of its own (IAM, policies, networks, containers of other resources...);
- usage-only: billed per request/GB ingested; not in the usage model, listed as such.
A type without a row is *unknown*: the estimate reports it, and the tests fail on it. Inputs are the
Pulumi wire (camelCase) inputs the offline plan records, or the props the policy analyzer sends.
"""

from __future__ import annotations

from components.catalog import resources as catalogue

from .charges import CHARGE_KINDS, HOURS_PER_MONTH, Charge, Resolution, Resource
from .pricing_rules import RULES

__all__ = ["CHARGE_KINDS", "HOURS_PER_MONTH", "RULES", "Charge", "Resolution", "Resource", "classify",
           "is_billable_record"]


def classify(resource: Resource) -> Resolution:
    """Price, free or usage-only, as the type's catalogue row says; `unknown` for a type this version of mlplat
    has never seen (or knows but cannot price yet)."""
    row = catalogue.lookup(resource.type, resource.inputs)
    if row is None:
        return Resolution("unknown", note=f"resource type {resource.type} has no row in the resource catalogue "
                                          "(components/catalog/resources)")
    pricing = row.pricing
    if pricing.status != catalogue.PRICED:
        return Resolution(pricing.status, note=pricing.note)
    rule = RULES.get(pricing.rule or "")
    if rule is None:
        raise ValueError(f"{row.token}: the catalogue names the pricing rule {pricing.rule!r}, which "
                         "mlplat/finops/pricing_rules.py does not define")
    return rule(resource, **pricing.params)


def is_billable_record(resource: Resource) -> bool:
    """Components and providers carry no price themselves."""
    return resource.custom and not resource.type.startswith(("pulumi:", "mlplat:"))
