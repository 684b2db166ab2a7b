"""Chargeback: each use case's monthly cost, its own resources plus its share of the shared platform.

Allocation rule (docs/tenancy.md): a resource that carries a `use-case` tag/label (itself or through its
component) is that use case's direct cost. Every other line (network, keys, storage, workspace, search
service, shared training...) is shared cost, allocated to the declared use cases in proportion to
their direct cost; when no use case has a direct cost, it is split equally among them. With no use
cases declared the shared cost stays one unallocated row. Figures are rounded to cents with the largest
remainder method, so the rows add up exactly to the stack total.

Columns follow the FinOps Foundation's FOCUS specification where one exists (EffectiveCost, BilledCost,
ListCost, BillingCurrency, ProviderName, ServiceCategory, Tags, AllocatedMethodId); mlplat's own
columns carry FOCUS's `x_` prefix for custom columns.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

ALLOCATION_METHOD = "mlplat-proportional-to-direct-cost"
EQUAL_METHOD = "mlplat-equal-split"
UNALLOCATED = "(shared)"
PROVIDER_NAMES = {"aws": "AWS", "azure": "Microsoft", "gcp": "Google Cloud"}
# FOCUS ServiceCategory per capability; the base layer (network, keys, storage) has no single one.
SERVICE_CATEGORY = {
    "training": "AI and Machine Learning", "feature_store": "AI and Machine Learning",
    "registry": "AI and Machine Learning", "endpoints": "AI and Machine Learning",
    "vector_search": "Databases", "budget": "Management and Governance", "use_cases": "Identity",
}
FOCUS_COLUMNS = ["x_UseCase", "x_CostCenter", "x_Owner", "ServiceCategory", "x_Capability", "x_DirectCost",
                 "x_AllocatedSharedCost", "EffectiveCost", "BilledCost", "ListCost", "BillingCurrency",
                 "ProviderName", "AllocatedMethodId", "Tags"]


@dataclass
class ChargeRow:
    use_case: str
    cost_center: str
    owner: str
    direct: float
    shared: float
    list_cost: float
    method: str | None
    by_capability: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return round(self.direct + self.shared, 2)


@dataclass
class Chargeback:
    cloud: str
    stack: str
    total: float
    rows: list[ChargeRow]
    method: str | None

    def records(self) -> list[dict]:
        """One FOCUS-named record per use case and capability (what JSON and CSV carry)."""
        out = []
        for row in self.rows:
            for capability, cost in sorted(row.by_capability.items()):
                if not (cost["direct"] or cost["shared"] or cost["list"]):
                    continue
                effective = round(cost["direct"] + cost["shared"], 2)
                out.append({
                    "x_UseCase": row.use_case, "x_CostCenter": row.cost_center, "x_Owner": row.owner,
                    "ServiceCategory": SERVICE_CATEGORY.get(capability, "Other"), "x_Capability": capability,
                    "x_DirectCost": cost["direct"], "x_AllocatedSharedCost": cost["shared"],
                    "EffectiveCost": effective, "BilledCost": effective, "ListCost": cost["list"],
                    "BillingCurrency": "USD", "ProviderName": PROVIDER_NAMES.get(self.cloud, self.cloud),
                    "AllocatedMethodId": row.method if cost["shared"] else None,
                    "Tags": {k: v for k, v in (("use-case", row.use_case), ("cost-center", row.cost_center),
                                               ("owner", row.owner)) if v and row.use_case != UNALLOCATED},
                })
        return out

    def to_dict(self) -> dict:
        return {
            "stack": self.stack, "cloud": self.cloud, "BillingCurrency": "USD", "period": "month (estimate)",
            "allocation": {"AllocatedMethodId": self.method, "rule": __doc__.split("\n\n")[1].replace("\n", " ")},
            "EffectiveCost": self.total,
            "use_cases": [{"x_UseCase": r.use_case, "x_CostCenter": r.cost_center, "x_Owner": r.owner,
                           "x_DirectCost": r.direct, "x_AllocatedSharedCost": r.shared, "EffectiveCost": r.total,
                           "ListCost": r.list_cost, "AllocatedMethodId": r.method} for r in self.rows],
            "records": self.records(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=FOCUS_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for record in self.records():
            writer.writerow({**record, "Tags": json.dumps(record["Tags"], sort_keys=True),
                             "AllocatedMethodId": record["AllocatedMethodId"] or ""})
        return out.getvalue()


def round_to_total(values: dict[str, float], total: float) -> dict[str, float]:
    """Cents per key, adding up exactly to `total` rounded to cents (largest remainder)."""
    target = round(total * 100)
    floors = {k: int(v * 100 // 1) for k, v in values.items()}
    rest = target - sum(floors.values())
    order = sorted(values, key=lambda k: (values[k] * 100 - floors[k]), reverse=True)
    for k in order[: max(0, rest)]:
        floors[k] += 1
    return {k: floors[k] / 100 for k in values}


def _shares(direct: dict[str, float], names: list[str]) -> tuple[dict[str, float], str | None]:
    if not names:
        return {}, None
    paid = sum(direct.get(n, 0.0) for n in names)
    if paid > 0:
        return {n: direct.get(n, 0.0) / paid for n in names}, ALLOCATION_METHOD
    return {n: 1 / len(names) for n in names}, EQUAL_METHOD


def chargeback(estimate, spec, stack: str) -> Chargeback:
    """Allocate `estimate` (mlplat.finops.estimate.Estimate) to the use cases of `spec` (validated spec)."""
    names = [u.name for u in spec.use_cases]
    direct: dict[str, float] = {}
    cells: dict[tuple[str, str], dict[str, float]] = {}  # (owner, capability) -> direct/shared/list
    shared_by_capability: dict[str, list[float]] = {}
    for line in estimate.lines:
        if line.use_case in names:
            direct[line.use_case] = direct.get(line.use_case, 0.0) + line.monthly_usd
            cell = cells.setdefault((line.use_case, line.capability), {"direct": 0.0, "shared": 0.0, "list": 0.0})
            cell["direct"] += line.monthly_usd
            cell["list"] += line.on_demand_usd
        else:
            entry = shared_by_capability.setdefault(line.capability, [0.0, 0.0])
            entry[0] += line.monthly_usd
            entry[1] += line.on_demand_usd
    shares, method = _shares(direct, names)
    owners = names or [UNALLOCATED]
    for capability, (cost, listed) in shared_by_capability.items():
        for name in owners:
            share = shares.get(name, 1.0)
            cell = cells.setdefault((name, capability), {"direct": 0.0, "shared": 0.0, "list": 0.0})
            cell["shared"] += cost * share
            cell["list"] += listed * share
    total = estimate.total()
    # Round every (use case, capability) figure so that all of them add up to the stack total.
    keys = [(k, part) for k in cells for part in ("direct", "shared")]
    rounded = round_to_total({f"{k[0]}\0{k[1]}\0{part}": cells[k][part] for k, part in keys}, total)
    rows = []
    for name in owners:
        use_case = spec.use_case(name)
        row = ChargeRow(name, (use_case and use_case.cost_center) or spec.finops.cost_center,
                        (use_case and use_case.owner) or spec.finops.owner, 0.0, 0.0, 0.0,
                        method if name != UNALLOCATED else None)
        for (owner, capability), cell in cells.items():
            if owner != name:
                continue
            d, s = rounded[f"{owner}\0{capability}\0direct"], rounded[f"{owner}\0{capability}\0shared"]
            row.by_capability[capability] = {"direct": d, "shared": s, "list": round(cell["list"], 2)}
            row.direct, row.shared, row.list_cost = row.direct + d, row.shared + s, row.list_cost + cell["list"]
        row.direct, row.shared, row.list_cost = round(row.direct, 2), round(row.shared, 2), round(row.list_cost, 2)
        rows.append(row)
    return Chargeback(estimate.cloud, stack, round(total, 2), rows, method)


def render_table(report: Chargeback) -> str:
    from mlplat.tables import table

    money = lambda v: f"${v:,.2f}"  # noqa: E731
    body = [[r.use_case, r.cost_center, r.owner, money(r.direct), money(r.shared), money(r.total)] for r in report.rows]
    body.append(["total", "", "", money(sum(r.direct for r in report.rows)),
                 money(sum(r.shared for r in report.rows)), money(report.total)])
    rule = {ALLOCATION_METHOD: "shared cost allocated in proportion to each use case's direct cost",
            EQUAL_METHOD: "shared cost split equally (no use case has a direct cost)",
            None: "no use cases declared: the shared cost is unallocated"}[report.method]
    return "\n".join([
        f"Chargeback per use case for {report.stack} ({report.cloud}), USD per month (estimate)", "",
        table(["use case", "cost center", "owner", "direct", "shared (allocated)", "EffectiveCost"], body), "",
        f"Rule: {rule} (docs/tenancy.md)."])
