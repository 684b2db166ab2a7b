"""The records of the cost model: a resource as the model sees it, how it resolves (priced, free, usage-only,
unknown) and the charges it is billed by. `mlplat/finops/sku.py` resolves a resource; the rules that price
each type are in `mlplat/finops/pricing_rules.py`."""

from __future__ import annotations

from dataclasses import dataclass, field

HOURS_PER_MONTH = 730


CHARGE_KINDS = ("idle", "usage", "endpoint")


@dataclass
class Charge:
    sku: str
    quantity: float = 0.0  # units per month (idle charges)
    kind: str = "idle"  # idle | usage | endpoint (replicas driven by the spec and usage)
    basis: str = ""  # how the quantity was derived, in words
    spot: bool = False  # billed at the row's spot price
    driver: str | None = None  # usage charges: which usage assumption drives the quantity
    params: dict = field(default_factory=dict)  # driver parameters (min/max replicas, ...)

    def __post_init__(self) -> None:
        if self.kind not in CHARGE_KINDS:
            raise ValueError(f"Charge({self.sku!r}): kind {self.kind!r} is not one of {', '.join(CHARGE_KINDS)}")


@dataclass
class Resolution:
    status: str  # priced | free | usage-only | unknown
    charges: list[Charge] = field(default_factory=list)
    note: str = ""
    unpriced: list[str] = field(default_factory=list)  # always-on cost the model cannot price (why)


@dataclass
class Resource:
    """A resource as the cost model sees it (from a plan or from the policy analyzer)."""

    urn: str
    type: str
    name: str
    inputs: dict
    capability: str = "platform"
    parent: str | None = None
    use_case: str | None = None
    component: str | None = None  # logical name of the nearest mlplat component (endpoint name, ...)
    custom: bool = True
    parent_inputs: dict = field(default_factory=dict)  # the parent resource's inputs (filled by annotate)
    traffic: dict | None = None  # Azure online deployments: their endpoint's traffic map (filled by annotate)
