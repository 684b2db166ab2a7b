"""The price catalog: THE price source of mlplat (`prices.csv` beside this file).

One row per (cloud, region, sku): unit, on-demand and spot USD per unit, GPUs per instance where it is
a compute shape, where the price came from and when. Estimates (`mlplat cost`, `mlplat compare`, the
budget policy) only ever multiply quantities by these rows, so every figure names its row.

Standard library only (and the cloud registry, which loads no cloud SDK): importable by the policy pack.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, replace
from pathlib import Path

PRICES_FILE = Path(__file__).with_name("prices.csv")
COLUMNS = ["cloud", "region", "sku", "unit", "on_demand_usd", "spot_usd", "gpus", "source", "date", "description"]


class CatalogError(ValueError):
    """A malformed catalog row; the message names the file, line and column."""


@dataclass(frozen=True)
class PriceRow:
    cloud: str
    region: str
    sku: str
    unit: str
    on_demand_usd: float
    spot_usd: float | None
    gpus: int
    source: str
    date: str
    description: str
    line: int = 0
    borrowed_for: str = ""  # set on a row lent to an unpriced region: "<region>, <km> km"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.cloud, self.region, self.sku)

    @property
    def ref(self) -> str:
        """How estimates cite this row: `prices.csv:<line> <cloud>/<region>/<sku>`, plus what it stands in
        for when borrowed (`... borrowed for centralus: nearest priced region, 1190 km`)."""
        ref = f"{PRICES_FILE.name}:{self.line} {self.cloud}/{self.region}/{self.sku}"
        if self.borrowed_for:
            region, km = self.borrowed_for.split(", ", 1)
            ref += f" borrowed for {region}: nearest priced region, {km}"
        return ref

    def to_dict(self) -> dict:
        data = asdict(self)
        if not self.borrowed_for:
            del data["borrowed_for"]
        data["ref"] = self.ref
        return data


def lender_of(ref: str) -> str | None:
    """The priced region a borrowed row's `ref` (see PriceRow.ref) came from; None for an own row."""
    if " borrowed for " not in ref:
        return None
    return ref.split(" ", 2)[1].split("/")[1]


def lenders(refs) -> list[str]:
    """The priced regions borrowed rows (their `ref`s) came from, each with its distance, e.g.
    ["us-east4 (6284 km)"]; [] when every row is the region's own."""
    return sorted({f"{lender_of(ref)} ({ref.rsplit(', ', 1)[1]})" for ref in refs if lender_of(ref)})


class PriceCatalog:
    def __init__(self, rows: list[PriceRow], path: Path = PRICES_FILE):
        self.path = path
        self.rows = rows
        self._index = {row.key: row for row in rows}
        self._regions: dict[str, set[str]] = {}

    def get(self, cloud: str, region: str, sku: str) -> PriceRow | None:
        """The row of (cloud, region, sku). A region with no prices at all borrows the row of the nearest
        priced region (region catalogue coordinates), marked in its `ref`; a priced region missing one
        sku gets None (a missing figure, never a neighbour's)."""
        row = self._index.get((cloud, region, sku))
        if row is not None or region in self.regions(cloud):
            return row
        return self._borrowed(cloud, region, sku)

    def _borrowed(self, cloud: str, region: str, sku: str) -> PriceRow | None:
        from . import regions as region_catalog

        # a cloud without a region catalogue has no coordinates to find a lender by
        here = region_catalog.region(cloud, region) if cloud in region_catalog.CLOUDS else None
        if here is None:
            return None
        lenders = []
        for priced in self.regions(cloud):
            there = region_catalog.region(cloud, priced)
            if there is not None and (cloud, priced, sku) in self._index:
                lenders.append((region_catalog.distance_km((here.lat, here.lon), (there.lat, there.lon)), priced))
        if not lenders:
            return None
        km, lender = min(lenders)
        return replace(self._index[(cloud, lender, sku)], borrowed_for=f"{region}, {km:.0f} km")

    def skus(self, cloud: str, region: str | None = None) -> set[str]:
        return {r.sku for r in self.rows if r.cloud == cloud and (region is None or r.region == region)}

    def regions(self, cloud: str) -> set[str]:
        if cloud not in self._regions:
            self._regions[cloud] = {r.region for r in self.rows if r.cloud == cloud}
        return self._regions[cloud]

    def __len__(self) -> int:
        return len(self.rows)


def _number(text: str, path: Path, line: int, column: str, optional: bool = False) -> float | None:
    text = (text or "").strip()
    if not text:
        if optional:
            return None
        raise CatalogError(f"{path}:{line}: {column}: missing")
    try:
        value = float(text)
    except ValueError:
        raise CatalogError(f"{path}:{line}: {column}: {text!r} is not a number") from None
    if value < 0:
        raise CatalogError(f"{path}:{line}: {column}: {value} is negative")
    return value


def parse_rows(text: str, path: Path = PRICES_FILE) -> list[PriceRow]:
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames != COLUMNS:
        raise CatalogError(f"{path}:1: header must be {','.join(COLUMNS)} (got {','.join(reader.fieldnames or [])})")
    from ..registry import cloud_names  # the registered clouds: a row of any other cloud is a typo

    clouds = cloud_names()
    rows: list[PriceRow] = []
    seen: dict[tuple, int] = {}
    for line, raw in enumerate(reader, start=2):
        for column in ("cloud", "region", "sku", "unit", "source", "date"):
            if not (raw.get(column) or "").strip():
                raise CatalogError(f"{path}:{line}: {column}: missing")
        if raw["cloud"] not in clouds:
            raise CatalogError(f"{path}:{line}: cloud: {raw['cloud']!r} is not one of {', '.join(clouds)}")
        row = PriceRow(
            cloud=raw["cloud"],
            region=raw["region"],
            sku=raw["sku"],
            unit=raw["unit"],
            on_demand_usd=_number(raw["on_demand_usd"], path, line, "on_demand_usd"),
            spot_usd=_number(raw["spot_usd"], path, line, "spot_usd", optional=True),
            gpus=int(_number(raw["gpus"], path, line, "gpus", optional=True) or 0),
            source=raw["source"],
            date=raw["date"],
            description=raw.get("description") or "",
            line=line,
        )
        if row.key in seen:
            raise CatalogError(f"{path}:{line}: sku: {'/'.join(row.key)} already on line {seen[row.key]}")
        seen[row.key] = line
        rows.append(row)
    return rows


def load_catalog(path: Path | None = None) -> PriceCatalog:
    path = path or PRICES_FILE
    try:
        text = path.read_text()
    except OSError as error:
        raise CatalogError(f"{path}: cannot read: {error.strerror}") from None
    return PriceCatalog(parse_rows(text, path), path)


def write_rows(rows: list[PriceRow], path: Path | None = None) -> None:
    """Write the catalog sorted by cloud, sku, region (atomic replace)."""
    path = path or PRICES_FILE
    ordered = sorted(rows, key=lambda r: (r.cloud, r.sku, r.region))
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in ordered:
            writer.writerow(
                [
                    r.cloud,
                    r.region,
                    r.sku,
                    r.unit,
                    _fmt(r.on_demand_usd),
                    "" if r.spot_usd is None else _fmt(r.spot_usd),
                    r.gpus or "",
                    r.source,
                    r.date,
                    r.description,
                ]
            )
    tmp.replace(path)


def _fmt(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if value else "0"
