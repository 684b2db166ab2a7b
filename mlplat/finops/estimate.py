"""The monthly cost estimate of a plan: catalog row x quantity, per resource, capability and use case,
split into idle (always-on) and usage cost, with spot savings against on-demand.

Standard library + the price catalog only, so that the budget policy uses the very same model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from components.catalog import resources as catalogue
from components.catalog.prices import PriceCatalog, load_catalog

from . import usage_lines
from .scheduled_runs import scheduled_batch_runs, scheduled_retraining_runs, unpriced_retraining
from .sku import HOURS_PER_MONTH, Charge, Resource, classify, is_billable_record
from .tokens import TOKEN_USAGE_DEFAULTS, token_charges
from .usage_lines import EstimateError

USAGE_DEFAULTS = {
    "training_gpu_hours": 0.0,
    "training_on_spot_percent": 100.0,
    "endpoint_requests_per_second": {},
    "requests_per_replica_per_second": 20.0,
    "stored_gb": 0.0,
    "vector_stored_gb": 0.0,
    **TOKEN_USAGE_DEFAULTS,
}


@dataclass
class Line:
    resource: str
    type: str
    capability: str
    use_case: str | None
    kind: str  # idle | usage
    sku: str
    ref: str  # the catalog row: prices.csv:<line> cloud/region/sku
    unit: str
    quantity: float
    unit_price: float
    pricing: str  # on-demand | spot
    monthly_usd: float
    on_demand_usd: float
    basis: str
    source: str
    date: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Estimate:
    cloud: str
    region: str
    lines: list[Line] = field(default_factory=list)
    free: list[dict] = field(default_factory=list)
    usage_only: list[dict] = field(default_factory=list)
    unknown: list[dict] = field(default_factory=list)
    unpriced: list[dict] = field(default_factory=list)
    assumptions: dict = field(default_factory=dict)

    def total(self, kind: str | None = None) -> float:
        return sum(line.monthly_usd for line in self.lines if kind is None or line.kind == kind)

    @property
    def on_demand_total(self) -> float:
        return sum(line.on_demand_usd for line in self.lines)

    @property
    def spot_savings(self) -> float:
        return self.on_demand_total - self.total()

    def group(self, attribute: str) -> dict[str, dict[str, float]]:
        result: dict[str, dict[str, float]] = {}
        for line in self.lines:
            key = getattr(line, attribute) or "(shared)"
            entry = result.setdefault(key, {"idle": 0.0, "usage": 0.0, "total": 0.0, "on_demand": 0.0})
            entry[line.kind] += line.monthly_usd
            entry["total"] += line.monthly_usd
            entry["on_demand"] += line.on_demand_usd
        return result

    @property
    def complete(self) -> bool:
        return not self.unknown and not self.unpriced

    def to_dict(self) -> dict:
        r2 = lambda v: round(v, 2)  # noqa: E731
        return {
            "cloud": self.cloud,
            "region": self.region,
            "hours_per_month": HOURS_PER_MONTH,
            "assumptions": self.assumptions,
            "totals": {
                "idle_usd": r2(self.total("idle")),
                "usage_usd": r2(self.total("usage")),
                "monthly_usd": r2(self.total()),
                "on_demand_usd": r2(self.on_demand_total),
                "spot_savings_usd": r2(self.spot_savings),
            },
            "by_capability": {k: {m: r2(v) for m, v in e.items()} for k, e in self.group("capability").items()},
            "by_use_case": {k: {m: r2(v) for m, v in e.items()} for k, e in self.group("use_case").items()},
            "lines": [line.to_dict() for line in self.lines],
            "usage_only": self.usage_only,
            "free": self.free,
            "unknown_types": self.unknown,
            "unpriced": self.unpriced,
        }


def usage_of(spec: dict | None, override: dict | None = None) -> dict:
    usage = dict(USAGE_DEFAULTS)
    usage.update({k: v for k, v in ((spec or {}).get("usage") or {}).items() if v is not None})
    usage.update(override or {})
    return usage


def resources_from_plan(plan) -> list[Resource]:
    return annotate(
        [
            Resource(urn=r.urn, type=r.type, name=r.name, inputs=r.inputs or {}, capability=r.capability,
                     parent=r.parent, custom=r.custom)
            for r in plan.resources
        ]
    )


def annotate(resources: list[Resource]) -> list[Resource]:
    """Fill each resource's use case (own `use-case` tag/label, else its component's) and component name."""
    by_urn = {r.urn: r for r in resources}

    def own_use_case(r: Resource) -> str | None:
        for key in ("tags", "labels"):
            value = (r.inputs.get(key) or {}) if isinstance(r.inputs.get(key), dict) else {}
            if value.get("use-case"):
                return value["use-case"]
        return None

    component_use_cases: dict[str, set] = {}
    for r in resources:
        use_case = own_use_case(r)
        parent = r.parent
        while parent and use_case:
            component_use_cases.setdefault(parent, set()).add(use_case)
            parent = by_urn[parent].parent if parent in by_urn else None
    traffic = _traffic_by_endpoint(resources)
    for r in resources:
        r.use_case = own_use_case(r)
        if r.parent in by_urn:
            r.parent_inputs = by_urn[r.parent].inputs or {}
        endpoint = catalogue.read(_subject(r), "traffic_endpoint")
        if endpoint is not None:
            r.traffic = traffic.get(endpoint)
        parent = r.parent
        while parent in by_urn:
            ancestor = by_urn[parent]
            if ancestor.type.startswith("mlplat:") and not ancestor.type.startswith("mlplat:index:"):
                r.component = r.component or ancestor.name
                if r.use_case is None and len(component_use_cases.get(parent, ())) == 1:
                    r.use_case = next(iter(component_use_cases[parent]))
            parent = ancestor.parent
    return resources


def _subject(r: Resource) -> catalogue.Subject:
    row = catalogue.lookup(r.type, r.inputs)
    return catalogue.Subject(type=row.token if row else r.type, props=r.inputs, urn=r.urn, name=r.name)


def _traffic_by_endpoint(resources: list[Resource]) -> dict[str, dict]:
    """Endpoint name -> traffic map {deployment: percent}: from the endpoint's own traffic input, or from the
    resource that sets it after the deployments exist (the catalogue's `endpoint_traffic` and `traffic_setter`
    readers)."""
    found: dict[str, dict] = {}
    subjects = [_subject(r) for r in resources]
    for subject in subjects:
        declared = catalogue.read(subject, "endpoint_traffic")
        if declared:
            found.setdefault(*declared)
    for subject in subjects:
        applied = catalogue.read(subject, "traffic_setter")
        if applied:
            found[applied[0]] = applied[1]
    return found


def estimate_plan(plan, usage: dict | None = None, catalog: PriceCatalog | None = None) -> Estimate:
    spec = plan.spec or {}
    region = spec.get("region") or ""
    return estimate(resources_from_plan(plan), plan.cloud, region, usage_of(spec, usage), spec, catalog)


def estimate(
    resources: list[Resource],
    cloud: str,
    region: str,
    usage: dict,
    spec: dict | None = None,
    catalog: PriceCatalog | None = None,
) -> Estimate:
    catalog = catalog or load_catalog()
    result = Estimate(cloud=cloud, region=region)
    result.assumptions = {f"usage.{k}": v for k, v in usage.items()}
    known_endpoints = {e.get("name") for e in (spec or {}).get("endpoints") or []}
    batch_runs = scheduled_batch_runs(spec, usage)
    retraining_runs = scheduled_retraining_runs(spec, usage)
    result.usage_only.extend(unpriced_retraining(spec, usage))
    for name in usage.get("endpoint_requests_per_second") or {}:
        if spec is not None and name not in known_endpoints:
            raise EstimateError(
                f"usage.endpoint_requests_per_second.{name}: no endpoint named {name!r} in the spec "
                f"(endpoints: {', '.join(sorted(known_endpoints)) or 'none'})"
            )

    resolved: list[tuple[Resource, list[Charge]]] = []
    for r in resources:
        if not is_billable_record(r):
            continue
        resolution = classify(r)
        entry = {"resource": r.name, "type": r.type, "capability": r.capability, "note": resolution.note}
        if resolution.status == "unknown":
            result.unknown.append(entry)
        elif resolution.status == "free":
            result.free.append(entry)
        elif resolution.status == "usage-only":
            result.usage_only.append(entry)
        else:
            resolved.append((r, resolution.charges))
        for why in resolution.unpriced:
            result.unpriced.append({"resource": r.name, "type": r.type, "sku": "-", "region": region, "note": why})

    # Usage drivers shared by several resources are split equally among them.
    sharers: dict[str, set[str]] = {}
    for r, charges in resolved:
        for c in charges:
            if c.driver:
                sharers.setdefault(c.driver, set()).add(r.urn)

    def row_for(r: Resource, charge: Charge):
        row = catalog.get(cloud, region, charge.sku)
        if row is None:
            result.unpriced.append({"resource": r.name, "type": r.type, "sku": charge.sku, "region": region,
                                    "note": f"no row {cloud}/{region}/{charge.sku} in {catalog.path.name}"})
        return row

    def add(r: Resource, charge: Charge, row, kind: str, quantity: float, basis: str, spot: bool,
            capability: str | None = None, use_case: str | None = None) -> None:
        price = row.spot_usd if spot and row.spot_usd is not None else row.on_demand_usd
        pricing = "spot" if spot and row.spot_usd is not None else "on-demand"
        result.lines.append(
            Line(resource=r.name, type=r.type, capability=capability or r.capability,
                 use_case=use_case or r.use_case, kind=kind,
                 sku=row.sku, ref=row.ref, unit=row.unit, quantity=quantity, unit_price=price, pricing=pricing,
                 monthly_usd=quantity * price, on_demand_usd=quantity * row.on_demand_usd, basis=basis,
                 source=row.source, date=row.date)
        )

    for r, charges in resolved:
        rows = [(c, row_for(r, c)) for c in charges]
        training = [(c, row) for c, row in rows if c.driver == "training_gpu_hours" and row is not None]
        gpus_per_node = sum(row.gpus for _, row in training) or 1
        primary = max((c.params.get("weight", 0) for c in charges if c.kind == "endpoint"), default=None)
        for c, row in rows:
            if row is None:
                continue
            if c.kind == "idle":
                add(r, c, row, "idle", c.quantity, c.basis, c.spot)
            elif c.kind == "endpoint":
                usage_lines.endpoint_lines(r, c, row, primary, usage, spec, add)
                if c.params.get("weight", 0) == primary and usage_lines.batch_capacity(cloud) == "endpoint":
                    for item, hours, basis in batch_runs:
                        if item.endpoint == r.component:
                            # Batch jobs run the endpoint's machine shape on demand (AWS Batch Transform has
                            # no spot; Vertex AI spot batch prices are not in the price table).
                            add(r, c, row, "usage", hours, basis + " on the endpoint's instance type", False,
                                capability="batch_inference", use_case=item.use_case or r.use_case)
            elif c.driver == "training_gpu_hours":
                share = len(sharers[c.driver])
                node_hours = usage["training_gpu_hours"] / share / gpus_per_node
                basis = (f"usage.training_gpu_hours {usage['training_gpu_hours']:g}"
                         + (f" / {share} training resources" if share > 1 else "")
                         + f" / {gpus_per_node} GPU(s) per node")
                spot_share = usage["training_on_spot_percent"] / 100 if c.spot else 0.0
                if spot_share > 0:
                    add(r, c, row, "usage", node_hours * spot_share, basis + f" x {spot_share:.0%} on spot", True)
                if spot_share < 1:
                    add(r, c, row, "usage", node_hours * (1 - spot_share),
                        basis + (f" x {1 - spot_share:.0%} on demand" if c.spot else ""), False)
                for item, hours, basis in retraining_runs:
                    # Scheduled runs use the same capacity, spot when training is (the retraining policy).
                    add(r, c, row, "usage", hours / share,
                        basis + (f" / {share} training resources" if share > 1 else ""), c.spot,
                        capability="retraining", use_case=item.use_case)
                if usage_lines.batch_capacity(cloud) == "training":
                    for item, hours, basis in batch_runs:
                        add(r, c, row, "usage", hours / share,
                            basis + (f" / {share} training resources" if share > 1 else ""), c.spot,
                            capability="batch_inference", use_case=item.use_case)
            elif c.driver in ("stored_gb", "vector_stored_gb"):
                share = len(sharers[c.driver])
                quantity = usage[c.driver] / share
                add(r, c, row, "usage", quantity,
                    f"usage.{c.driver} {usage[c.driver]:g} GB" + (f" / {share} stores" if share > 1 else ""), False)
            elif c.driver == "monitored_requests":
                usage_lines.monitored_lines(r, c, row, usage, spec, add, result.usage_only)
            else:
                raise ValueError(f"{r.type} {r.name}: charge {c.sku} has kind {c.kind!r} and driver {c.driver!r}, "
                                 "which the estimate does not know how to price (mlplat/finops/sku.py)")
    use_case = ((spec or {}).get("rag") or {}).get("use_case") or ((spec or {}).get("vector_search") or {}).get("use_case")
    for t in token_charges(spec, cloud, usage):
        result.lines.append(
            Line(resource=t["resource"], type="model tokens", capability="rag", use_case=use_case, kind="usage",
                 sku=t["sku"], ref=t["ref"], unit=t["unit"], quantity=t["quantity"], unit_price=t["unit_price"],
                 pricing="on-demand", monthly_usd=t["quantity"] * t["unit_price"],
                 on_demand_usd=t["quantity"] * t["unit_price"], basis=t["basis"], source=t["source"], date=t["date"])
        )
    return result
