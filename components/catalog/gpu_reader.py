"""Reads and checks the GPU catalog file (`gpus.yaml`, docs/gpu-catalog.md) into a `Catalog`.

The clouds are the keys of the file's `reference_regions`; each must be a registered cloud, which says
how its rows are written (`CloudProvider.gpu_row_format()`, `gpu_rows.py`). Every error is a
`CatalogError` naming the file and the entry. PyYAML only: no cloud SDK.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .gpu_rows import GpuRowFormat
from .gpu_shapes import CpuShape, GpuShape
from .yaml_files import safe_load

PRICE_BASES: tuple[str, ...] = ("quoted", "derived", "estimate")
SPOT_BASES: tuple[str, ...] = (*PRICE_BASES, "unknown")

_PRICE_KEYS = {
    "on_demand_usd_hour", "spot_usd_hour", "spot_range_usd_hour", "price_basis", "spot_basis",
    "price_source", "price_date", "derived_from", "note",
}
_OPTIONAL_KEYS = {"spot_range_usd_hour", "derived_from", "note"}


class CatalogError(ValueError):
    """gpus.yaml is malformed; the message names the file and the offending entry."""


@dataclass(frozen=True)
class Catalog:
    classes: tuple[str, ...]
    clouds: tuple[str, ...]  # in file order
    regions: dict[str, str]
    shapes: dict[tuple[str, str], dict[int, GpuShape]]  # (cloud, class) -> gpus -> shape
    cpu: dict[str, CpuShape]


def load_catalog(path: Path) -> Catalog:
    """Read and check a catalog file. Uncached; `gpus.py` caches the shipped one."""
    try:
        document = safe_load(Path(path).read_text())
    except OSError as error:
        raise CatalogError(f"{path}: cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise CatalogError(f"{path}: not valid YAML ({error})") from None
    return GpuCatalogReader(str(path)).catalog(document)


class GpuCatalogReader:
    """Checks a gpus.yaml document while turning it into a `Catalog`; every error names the entry."""

    def __init__(self, source: str):
        self.source = source
        self.formats: dict[str, GpuRowFormat] = {}  # cloud -> its row format, from the registered cloud

    def row_format(self, cloud: str) -> GpuRowFormat:
        from ..registry import CLOUDS

        where = f"reference_regions.{cloud}"
        if cloud not in CLOUDS:
            raise self.fail(where, f"{cloud!r} is not a registered cloud (known: {', '.join(CLOUDS.names())})")
        rows = CLOUDS.get(cloud).gpu_row_format()
        if rows is None:
            raise self.fail(where, f"{cloud} declares no GPU catalog row format (CloudProvider.gpu_row_format)")
        return rows

    def fail(self, where: str, message: str) -> CatalogError:
        return CatalogError(f"{self.source}: {where}: {message}")

    def mapping(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a mapping, got {type(value).__name__}")
        return value

    def keys(self, row: dict, where: str, allowed: set[str], optional: set[str]) -> None:
        missing = sorted(allowed - optional - set(row))
        if missing:
            raise self.fail(where, f"missing {', '.join(missing)}")
        unknown = sorted(set(row) - allowed)
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "expected a non-empty string")
        return value

    def count(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(where, f"expected a positive integer, got {value!r}")
        return value

    def number(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise self.fail(where, f"expected a positive number, got {value!r}")
        return float(value)

    def flag(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"expected true or false, got {value!r}")
        return value

    def catalog(self, document: Any) -> Catalog:
        document = self.mapping(document, "(top level)")
        self.keys(document, "(top level)", {"schema", "reference_regions", "classes", "cpu"}, set())
        if document["schema"] != 1:
            raise self.fail("schema", f"unsupported schema {document['schema']!r} (this reader knows 1)")
        regions = self.mapping(document["reference_regions"], "reference_regions")
        if not regions:
            raise self.fail("reference_regions", "no clouds")
        self.formats = {cloud: self.row_format(cloud) for cloud in regions}
        clouds = tuple(self.formats)
        regions = {cloud: self.text(regions[cloud], f"reference_regions.{cloud}") for cloud in clouds}

        classes = self.mapping(document["classes"], "classes")
        if not classes:
            raise self.fail("classes", "no GPU classes")
        shapes: dict[tuple[str, str], dict[int, GpuShape]] = {}
        for gpu, entry in classes.items():
            where = f"classes.{gpu}"
            entry = self.mapping(entry, where)
            self.keys(entry, where, {"gpu_model", "gpu_memory_gib", *clouds}, set())
            model = self.text(entry["gpu_model"], f"{where}.gpu_model")
            memory = self.count(entry["gpu_memory_gib"], f"{where}.gpu_memory_gib")
            for cloud in clouds:
                rows = entry[cloud]
                if not isinstance(rows, list):
                    raise self.fail(f"{where}.{cloud}", "expected a list of shapes ([] when not offered)")
                by_count: dict[int, GpuShape] = {}
                for i, row in enumerate(rows):
                    shape = self.gpu_shape(cloud, str(gpu), model, memory, regions[cloud], row, f"{where}.{cloud}[{i}]")
                    if shape.gpus in by_count:
                        raise self.fail(f"{where}.{cloud}[{i}]", f"a second shape with {shape.gpus} GPUs")
                    by_count[shape.gpus] = shape
                shapes[(cloud, str(gpu))] = dict(sorted(by_count.items()))
        self.check_derivations(shapes)

        cpu_section = self.mapping(document["cpu"], "cpu")
        self.keys(cpu_section, "cpu", set(clouds), set())
        cpu = {cloud: self.cpu_shape(cloud, regions[cloud], cpu_section[cloud], f"cpu.{cloud}") for cloud in clouds}
        return Catalog(classes=tuple(str(gpu) for gpu in classes), clouds=clouds, regions=regions, shapes=shapes, cpu=cpu)

    def prices(self, row: dict, where: str) -> dict[str, Any]:
        on_demand = self.number(row["on_demand_usd_hour"], f"{where}.on_demand_usd_hour")
        price_basis = row["price_basis"]
        if price_basis not in PRICE_BASES:
            raise self.fail(f"{where}.price_basis", f"{price_basis!r} is not one of {', '.join(PRICE_BASES)}")
        spot_basis = row["spot_basis"]
        if spot_basis not in SPOT_BASES:
            raise self.fail(f"{where}.spot_basis", f"{spot_basis!r} is not one of {', '.join(SPOT_BASES)}")
        spot = row["spot_usd_hour"]
        if spot is None:
            if spot_basis != "unknown":
                raise self.fail(f"{where}.spot_usd_hour", f"null, but spot_basis is {spot_basis!r} (use unknown)")
        else:
            spot = self.number(spot, f"{where}.spot_usd_hour")
            if spot_basis == "unknown":
                raise self.fail(f"{where}.spot_basis", "unknown, but a spot price is given")
            if spot > on_demand:
                raise self.fail(f"{where}.spot_usd_hour", f"{spot} exceeds the on-demand price {on_demand}")
        spot_range = row.get("spot_range_usd_hour")
        if spot_range is not None:
            if not isinstance(spot_range, list) or len(spot_range) != 2:
                raise self.fail(f"{where}.spot_range_usd_hour", "expected [low, high]")
            low, high = (self.number(v, f"{where}.spot_range_usd_hour") for v in spot_range)
            if low > high or spot != high:
                raise self.fail(
                    f"{where}.spot_range_usd_hour", "expected low <= high, with spot_usd_hour the high end"
                )
            spot_range = (low, high)
        date = self.text(row["price_date"], f"{where}.price_date")
        try:
            datetime.date.fromisoformat(date)
        except ValueError:
            raise self.fail(f"{where}.price_date", f"{date!r} is not an ISO date (YYYY-MM-DD)") from None
        derived_from = row.get("derived_from")
        if derived_from is not None:
            derived_from = self.mapping(derived_from, f"{where}.derived_from")
            self.keys(derived_from, f"{where}.derived_from", {"gpus", "gpu"}, {"gpu"})
            if "derived" not in (price_basis, spot_basis):
                raise self.fail(f"{where}.derived_from", "given, but neither price_basis nor spot_basis is derived")
        elif "derived" in (price_basis, spot_basis):
            raise self.fail(f"{where}.derived_from", "missing (required when a price is derived)")
        note = row.get("note")
        return {
            "on_demand_usd_hour": on_demand,
            "spot_usd_hour": spot,
            "spot_range_usd_hour": spot_range,
            "price_basis": price_basis,
            "spot_basis": spot_basis,
            "price_source": self.text(row["price_source"], f"{where}.price_source"),
            "price_date": date,
            "note": self.text(note, f"{where}.note") if note is not None else None,
            "_derived_from": derived_from,
        }

    def gpu_shape(
        self, cloud: str, gpu: str, model: str, memory: int, region: str, row: Any, where: str
    ) -> GpuShape:
        row = self.mapping(row, where)
        rows = self.formats[cloud]
        self.keys(row, where, rows.gpu_row_keys | _PRICE_KEYS, _OPTIONAL_KEYS)
        prices = self.prices(row, where)
        derived = prices.pop("_derived_from")
        gpus = self.count(row["gpus"], f"{where}.gpus")
        name = self.text(row[rows.shape_key], f"{where}.{rows.shape_key}")
        extra: dict[str, Any] = {"accelerator": None, **rows.gpu_fields(self, row, name, where, gpus=gpus)}
        if derived is not None:
            base_gpu = derived.get("gpu", gpu)
            extra["derived_from"] = (str(base_gpu), self.count(derived["gpus"], f"{where}.derived_from.gpus"))
        return GpuShape(
            cloud=cloud,
            gpu=gpu,
            gpus=gpus,
            instance_type=name,
            vcpus=self.count(row["vcpus"], f"{where}.vcpus"),
            memory_gib=self.number(row["memory_gib"], f"{where}.memory_gib"),
            gpu_model=model,
            gpu_memory_gib=memory,
            region=region,
            **prices,
            **extra,
        )

    def check_derivations(self, shapes: dict[tuple[str, str], dict[int, GpuShape]]) -> None:
        for (cloud, gpu), by_count in shapes.items():
            for gpus, shape in by_count.items():
                if shape.derived_from is None:
                    continue
                base_gpu, base_gpus = shape.derived_from
                base = shapes.get((cloud, base_gpu), {}).get(base_gpus)
                where = f"classes.{gpu}.{cloud} ({gpus} GPUs).derived_from"
                if base is None:
                    raise self.fail(where, f"no {base_gpus} x {base_gpu} row on {cloud} to derive from")
                if base.derived_from is not None:
                    raise self.fail(where, "the base row is itself derived; derive from a quoted or estimated row")

    def cpu_shape(self, cloud: str, region: str, row: Any, where: str) -> CpuShape:
        row = self.mapping(row, where)
        rows = self.formats[cloud]
        self.keys(row, where, (rows.cpu_row_keys | _PRICE_KEYS) - {"derived_from"}, _OPTIONAL_KEYS)
        prices = self.prices(row, where)
        prices.pop("_derived_from")
        prices.pop("spot_range_usd_hour")
        name = self.text(row[rows.shape_key], f"{where}.{rows.shape_key}")
        fields: dict[str, Any] = {"endpoint_instance_type": name, **rows.cpu_fields(self, row, name, where)}
        return CpuShape(
            cloud=cloud,
            instance_type=name,
            vcpus=self.count(row["vcpus"], f"{where}.vcpus"),
            memory_gib=self.number(row["memory_gib"], f"{where}.memory_gib"),
            region=region,
            **prices,
            **fields,
        )
