"""`mlplat prices refresh`: re-read catalog rows from the clouds' public price sources.

Shared part: which rows each source can refresh, applying the updates, and writing prices.csv
atomically (row order, every other column and the quoting of untouched rows are kept; a refreshed
row gets its new prices, `source` and `date`). One module per source, same shape:

    refresh_azure / refresh_aws / refresh_gcp:
        covers(row) -> bool               the row is of a kind this source prices
        not_refreshable(row) -> str|None  a covered row this source cannot price unambiguously, and why
        fetch_prices(rows, ...) -> list[PriceUpdate]   (rows absent from the answer: SKU not found)
        class SourceUnavailable(Exception)              no network / no credentials: the source is skipped

GPU shape rows of the reference regions are mirrored from components/catalog/gpus.yaml, which is their
source (with its derivation rules between shapes, checked by tests/catalog/test_gpu_catalog.py). Refresh never
lets prices.csv disagree with it: when the source's price differs, the row is reported `held` (old, new)
and left as it is; update gpus.yaml and the row together. When the price agrees, the row is confirmed
(source and date updated) like any other.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Callable

from components.catalog.prices import COLUMNS, PRICES_FILE, CatalogError, PriceRow, parse_rows



@dataclass(frozen=True)
class PriceSource:
    """The public price source of one registered cloud (components/registry.py). `load` imports the
    source module (the shape above) only when prices are refreshed: the modules import cloud SDKs."""

    name: str
    load: Callable[[], ModuleType]


_SOURCES: dict[str, PriceSource] = {}


def register_price_source(cloud: str, source: PriceSource) -> None:
    _SOURCES[cloud] = source


def price_source(cloud: str) -> PriceSource:
    return _SOURCES[cloud]


def price_source_clouds() -> list[str]:
    """The registered clouds that have a price source, in registry order."""
    from components.registry import cloud_names

    return [cloud for cloud in cloud_names() if cloud in _SOURCES]


def _aws_source() -> ModuleType:
    from . import refresh_aws

    return refresh_aws


def _azure_source() -> ModuleType:
    from . import refresh_azure

    return refresh_azure


def _gcp_source() -> ModuleType:
    from . import refresh_gcp

    return refresh_gcp


register_price_source("aws", PriceSource("AWS Pricing API", _aws_source))
register_price_source("azure", PriceSource("Azure Retail Prices API", _azure_source))
register_price_source("gcp", PriceSource("Cloud Billing Catalog API", _gcp_source))
# statuses of a row in the report
UPDATED, UNCHANGED, HELD, NOT_FOUND, NOT_REFRESHABLE = "updated", "unchanged", "held", "not-found", "not-refreshable"


@dataclass(frozen=True)
class PriceUpdate:
    """A price read from a source for one catalog row. spot_usd None: the source gives no spot price
    (the row's spot column is kept, and `note` says so)."""

    key: tuple[str, str, str]
    on_demand_usd: float
    spot_usd: float | None
    source: str
    note: str = ""


@dataclass
class RowResult:
    key: tuple[str, str, str]
    status: str
    old_on_demand: float | None = None
    new_on_demand: float | None = None
    old_spot: float | None = None
    new_spot: float | None = None
    note: str = ""

    def to_dict(self) -> dict:
        return {
            "cloud": self.key[0], "region": self.key[1], "sku": self.key[2], "status": self.status,
            "on_demand_usd": {"old": self.old_on_demand, "new": self.new_on_demand},
            "spot_usd": {"old": self.old_spot, "new": self.new_spot},
            "note": self.note,
        }


@dataclass
class SourceResult:
    cloud: str
    name: str
    status: str  # refreshed | skipped
    reason: str = ""
    rows: list[RowResult] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"cloud": self.cloud, "source": self.name, "status": self.status, "reason": self.reason,
                "rows": [r.to_dict() for r in self.rows]}


@dataclass
class RefreshReport:
    catalog: Path
    dry_run: bool
    written: bool
    sources: list[SourceResult]

    @property
    def not_found(self) -> list[RowResult]:
        return [r for s in self.sources for r in s.rows if r.status == NOT_FOUND]

    @property
    def changed(self) -> list[RowResult]:
        return [r for s in self.sources for r in s.rows if r.status == UPDATED]

    def to_dict(self) -> dict:
        return {"catalog": str(self.catalog), "dry_run": self.dry_run, "written": self.written,
                "sources": [s.to_dict() for s in self.sources],
                "not_found": ["/".join(r.key) for r in self.not_found]}


def source_module(cloud: str) -> ModuleType:
    return price_source(cloud).load()


def rows_for(cloud: str, rows: list[PriceRow]) -> list[PriceRow]:
    """The catalog rows of `cloud` that its source prices (refreshable or not)."""
    module = source_module(cloud)
    return [r for r in rows if r.cloud == cloud and module.covers(r)]


def gpu_mirrored_prices() -> dict[tuple[str, str, str], tuple[float, float | None]]:
    """(cloud, reference region, sku) -> (on-demand, spot) of every gpus.yaml shape (the rows prices.csv mirrors)."""
    from components.catalog import gpus

    mirrored = {}
    for shape in gpus.all_shapes():
        if shape.cloud == "gcp":
            sku = f"compute/{shape.instance_type}+{shape.accelerator}x{shape.accelerator_count}"
        else:
            sku = f"{'ec2' if shape.cloud == 'aws' else 'vm'}/{shape.instance_type}"
        mirrored[(shape.cloud, shape.region, sku)] = (shape.on_demand_usd_hour, shape.spot_usd_hour)
    return mirrored


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def fmt(value: float) -> str:
    """A price as the catalog writes it (no float noise, no trailing zeros)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def judge(row: PriceRow, update: PriceUpdate | None, mirrored: dict) -> RowResult:
    """What refreshing `row` with `update` does (pure: nothing is written here)."""
    result = RowResult(row.key, NOT_FOUND, row.on_demand_usd, None, row.spot_usd, None)
    if update is None:
        result.note = "SKU not found in the source's answer"
        return result
    new_spot = row.spot_usd if update.spot_usd is None else update.spot_usd
    result.new_on_demand, result.new_spot, result.note = update.on_demand_usd, new_spot, update.note
    same = _same(row.on_demand_usd, update.on_demand_usd) and _same(row.spot_usd, new_spot)
    if row.key in mirrored and not same:
        result.status = HELD
        result.note = ("gpus.yaml is the source of this row and differs from the live price: update the shape there "
                       "(and the shapes derived from it), then this row" + (f"; {update.note}" if update.note else ""))
        return result
    result.status = UNCHANGED if same else UPDATED
    return result


def refresh(
    catalog_path: Path | None = None,
    clouds: list[str] | None = None,
    dry_run: bool = False,
    options: dict[str, dict] | None = None,
    today: datetime.date | None = None,
) -> RefreshReport:
    """Fetch every source in `clouds`, then write all accepted updates at once (or nothing on --dry-run).

    `options[cloud]` are keyword arguments for that source's fetch_prices (e.g. the GCP API key).
    Raises CatalogError when the catalog cannot be read or the result would not parse."""
    path = Path(catalog_path or PRICES_FILE)
    try:
        text = path.read_text()
    except OSError as error:
        raise CatalogError(f"{path}: cannot read: {error.strerror}") from None
    rows = parse_rows(text, path)
    mirrored = gpu_mirrored_prices()
    date = (today or datetime.date.today()).isoformat()
    edits: dict[tuple[str, str, str], dict[str, str]] = {}
    results = []
    for cloud in clouds or price_source_clouds():
        module = source_module(cloud)
        name = price_source(cloud).name
        covered = rows_for(cloud, rows)
        blocked = {r.key: module.not_refreshable(r) for r in covered}
        wanted = [r for r in covered if not blocked[r.key]]
        try:
            updates = module.fetch_prices(wanted, **(options or {}).get(cloud, {}))
        except module.SourceUnavailable as error:
            results.append(SourceResult(cloud, name, "skipped", str(error)))
            continue
        by_key = {u.key: u for u in updates}
        source = SourceResult(cloud, name, "refreshed")
        for row in covered:
            if blocked[row.key]:
                source.rows.append(RowResult(row.key, NOT_REFRESHABLE, row.on_demand_usd, None, row.spot_usd, None,
                                             blocked[row.key]))
                continue
            result = judge(row, by_key.get(row.key), mirrored)
            source.rows.append(result)
            if result.status in (UPDATED, UNCHANGED):
                update = by_key[row.key]
                edits[row.key] = {
                    "on_demand_usd": fmt(update.on_demand_usd),
                    "spot_usd": "" if result.new_spot is None else fmt(result.new_spot),
                    "source": update.source,
                    "date": date,
                }
        results.append(source)
    new_text = apply_edits(text, edits)
    parse_rows(new_text, path)  # never write a catalog the loader would reject
    written = not dry_run and new_text != text
    if written:
        write_atomically(path, new_text)
    return RefreshReport(path, dry_run, written, results)


def apply_edits(text: str, edits: dict[tuple[str, str, str], dict[str, str]]) -> str:
    """The catalog text with `edits` applied to their rows; other rows and columns as they were.
    Unchanged prices keep their exact spelling (0.10 stays 0.10)."""
    records = list(csv.reader(io.StringIO(text)))
    header = records[0]
    if header != COLUMNS:
        raise CatalogError(f"header must be {','.join(COLUMNS)}")
    index = {name: i for i, name in enumerate(header)}
    for record in records[1:]:
        edit = edits.get((record[index["cloud"]], record[index["region"]], record[index["sku"]]))
        if not edit:
            continue
        for column, value in edit.items():
            old = record[index[column]]
            if column in ("on_demand_usd", "spot_usd") and old and value and _same(float(old), float(value)):
                continue
            record[index[column]] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    rebuilt = out.getvalue()
    return rebuilt if text.endswith("\n") else rebuilt.rstrip("\n")


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` by `text` in one rename: readers see the old file or the new one, never half of it."""
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render(report: RefreshReport) -> str:
    """The table report: one line per source, then per row old -> new."""
    from mlplat.tables import table

    lines = []
    for source in report.sources:
        if source.status == "skipped":
            lines.append(f"{source.cloud}: {source.name}: skipped: {source.reason}")
            continue
        counts = {}
        for row in source.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no rows"
        lines.append(f"{source.cloud}: {source.name}: {summary}")
    shown = [r for s in report.sources for r in s.rows if r.status != UNCHANGED]
    if shown:
        lines += ["", table(
            ["status", "cloud", "region", "sku", "on-demand USD", "spot USD", "note"],
            [[r.status, *r.key, _arrow(r.old_on_demand, r.new_on_demand), _arrow(r.old_spot, r.new_spot), r.note]
             for r in shown],
            width=None,  # maintainers grep this report row by row
        )]
    lines.append("")
    if report.dry_run:
        lines.append(f"dry run: {len(report.changed)} row(s) would change; {report.catalog} not written")
    elif report.written:
        lines.append(f"{report.catalog}: written ({len(report.changed)} price change(s); source/date of refreshed rows updated)")
    else:
        lines.append(f"{report.catalog}: no change")
    return "\n".join(lines)


def _arrow(old: float | None, new: float | None) -> str:
    def show(value):
        return "-" if value is None else fmt(value)

    if new is None or _same(old, new):
        return show(old)
    return f"{show(old)} -> {show(new)}"
