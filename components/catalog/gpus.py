"""The GPU catalog: neutral GPU class x GPUs per node -> the machine shape each cloud offers.

The data lives in `gpus.yaml` beside this module (see docs/gpu-catalog.md); this module only
reads and checks it. Pure Python and PyYAML: no cloud SDK is imported here, so the spec, the
policy pack and the CLI can all use it offline.

    shape_for("aws", "a100", 8)      -> GpuShape(instance_type="p4d.24xlarge", ...)
    offered("azure", "a100-80gb")    -> [1, 2, 4, 8]
    offering_error("aws", "a100", 3) -> "aws does not offer 3 x a100 per node; offered: 8 x a100 (p4d.24xlarge)"
    cpu_shape("aws")                 -> "ml.m5.xlarge"

Endpoints serve from a single-GPU node of their class: `endpoint_shape(cloud, gpu)`, which is
`shape_for(cloud, gpu, 1)`.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .yaml_files import safe_load

CATALOG_PATH = Path(__file__).with_name("gpus.yaml")
CLOUDS: tuple[str, ...] = ("aws", "azure", "gcp")
PRICE_BASES: tuple[str, ...] = ("quoted", "derived", "estimate")
SPOT_BASES: tuple[str, ...] = (*PRICE_BASES, "unknown")

# The key that names the machine shape in each cloud's rows.
_SHAPE_KEY = {"aws": "instance_type", "azure": "vm_size", "gcp": "machine_type"}
_PRICE_KEYS = {
    "on_demand_usd_hour", "spot_usd_hour", "spot_range_usd_hour", "price_basis", "spot_basis",
    "price_source", "price_date", "derived_from", "note",
}
_GPU_ROW_KEYS = {
    "aws": {"gpus", "instance_type", "vcpus", "memory_gib", "sagemaker_training", "sagemaker_endpoint", "instance_storage"},
    "azure": {"gpus", "vm_size", "vcpus", "memory_gib", "amlcompute"},
    "gcp": {"gpus", "machine_type", "accelerator", "accelerator_count", "vcpus", "memory_gib"},
}
_CPU_ROW_KEYS = {
    "aws": {"instance_type", "sagemaker_endpoint", "instance_storage", "vcpus", "memory_gib"},
    "azure": {"vm_size", "amlcompute", "vcpus", "memory_gib"},
    "gcp": {"machine_type", "vcpus", "memory_gib"},
}
_OPTIONAL_KEYS = {"spot_range_usd_hour", "derived_from", "note"}
_GCP_ACCELERATOR = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class GpuOfferingError(ValueError):
    """A GPU class or GPUs-per-node count the cloud does not offer; the message lists what is offered."""


class CatalogError(ValueError):
    """gpus.yaml is malformed; the message names the file and the offending entry."""


@dataclass(frozen=True)
class GpuShape:
    """One machine shape: `gpus` x `gpu` on one node of `cloud`, priced in the reference region."""

    cloud: str
    gpu: str
    gpus: int
    instance_type: str  # EC2 instance type / Azure VM size / GCP machine type
    vcpus: int
    memory_gib: float
    accelerator: str | None  # GCP accelerator type (Compute Engine / GKE name); None elsewhere
    on_demand_usd_hour: float
    spot_usd_hour: float | None  # None: no spot price known
    price_source: str
    price_date: str  # ISO date
    sagemaker_instance_type: str | None = None  # "ml." type valid for SageMaker training jobs
    sagemaker_endpoint_instance_type: str | None = None  # "ml." type valid for SageMaker endpoints
    accelerator_count: int | None = None  # GCP
    amlcompute: bool | None = None  # Azure: usable as an Azure ML compute cluster size
    instance_storage: bool | None = None  # AWS: local NVMe instance store (SageMaker refuses a KmsKeyId)
    gpu_model: str = ""
    gpu_memory_gib: int = 0
    region: str = ""  # the reference region the prices are for
    price_basis: str = "quoted"  # quoted | derived | estimate
    spot_basis: str = "quoted"  # quoted | derived | estimate | unknown
    spot_range_usd_hour: tuple[float, float] | None = None
    derived_from: tuple[str, int] | None = None  # (class, gpus) of the base row
    note: str | None = None

    @property
    def vertex_accelerator_type(self) -> str | None:
        """The accelerator as Vertex AI's `AcceleratorType` enum spells it (NVIDIA_TESLA_T4)."""
        return vertex_accelerator_type(self.accelerator) if self.accelerator else None

    def hourly_usd(self, spot: bool) -> float:
        """Hourly price for estimates; spot falls back to on-demand where no spot price is known."""
        if spot and self.spot_usd_hour is not None:
            return self.spot_usd_hour
        return self.on_demand_usd_hour

    def describe(self) -> str:
        """Short human form: `p4d.24xlarge`, `a2-highgpu-8g + 8 x nvidia-tesla-a100`."""
        if self.accelerator:
            return f"{self.instance_type} + {self.accelerator_count} x {self.accelerator}"
        return self.instance_type


@dataclass(frozen=True)
class CpuShape:
    """The CPU shape a cloud uses for CPU inference endpoints."""

    cloud: str
    instance_type: str  # EC2 instance type / Azure VM size / GCP machine type
    endpoint_instance_type: str  # what the endpoint is configured with (ml.m5.xlarge on AWS)
    vcpus: int
    memory_gib: float
    on_demand_usd_hour: float
    spot_usd_hour: float | None
    price_source: str
    price_date: str
    region: str = ""
    price_basis: str = "quoted"
    spot_basis: str = "quoted"
    amlcompute: bool | None = None
    instance_storage: bool | None = None  # AWS: local NVMe instance store (SageMaker refuses a KmsKeyId)
    note: str | None = None


@dataclass(frozen=True)
class Catalog:
    classes: tuple[str, ...]
    regions: dict[str, str]
    shapes: dict[tuple[str, str], dict[int, GpuShape]]  # (cloud, class) -> gpus -> shape
    cpu: dict[str, CpuShape]


def vertex_accelerator_type(accelerator: str) -> str:
    """Compute Engine accelerator name -> Vertex AI `AcceleratorType` member name.

    Vertex AI documents its accelerator types as the Compute Engine GPU names in upper case with
    underscores: nvidia-tesla-t4 -> NVIDIA_TESLA_T4, nvidia-a100-80gb -> NVIDIA_A100_80GB.
    """
    return accelerator.upper().replace("-", "_")


# -- loading -------------------------------------------------------------------------------------

def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Read and check a catalog file. Uncached; the module functions use the cached default."""
    try:
        document = safe_load(Path(path).read_text())
    except OSError as error:
        raise CatalogError(f"{path}: cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise CatalogError(f"{path}: not valid YAML ({error})") from None
    return _Reader(str(path)).catalog(document)


@lru_cache(maxsize=1)
def _catalog() -> Catalog:
    return load_catalog(CATALOG_PATH)


class _Reader:
    def __init__(self, source: str):
        self.source = source

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
        self.keys(regions, "reference_regions", set(CLOUDS), set())
        regions = {cloud: self.text(regions[cloud], f"reference_regions.{cloud}") for cloud in CLOUDS}

        classes = self.mapping(document["classes"], "classes")
        if not classes:
            raise self.fail("classes", "no GPU classes")
        shapes: dict[tuple[str, str], dict[int, GpuShape]] = {}
        for gpu, entry in classes.items():
            where = f"classes.{gpu}"
            entry = self.mapping(entry, where)
            self.keys(entry, where, {"gpu_model", "gpu_memory_gib", *CLOUDS}, set())
            model = self.text(entry["gpu_model"], f"{where}.gpu_model")
            memory = self.count(entry["gpu_memory_gib"], f"{where}.gpu_memory_gib")
            for cloud in CLOUDS:
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
        self.keys(cpu_section, "cpu", set(CLOUDS), set())
        cpu = {cloud: self.cpu_shape(cloud, regions[cloud], cpu_section[cloud], f"cpu.{cloud}") for cloud in CLOUDS}
        return Catalog(classes=tuple(str(gpu) for gpu in classes), regions=regions, shapes=shapes, cpu=cpu)

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
        self.keys(row, where, _GPU_ROW_KEYS[cloud] | _PRICE_KEYS, _OPTIONAL_KEYS)
        prices = self.prices(row, where)
        derived = prices.pop("_derived_from")
        gpus = self.count(row["gpus"], f"{where}.gpus")
        name = self.text(row[_SHAPE_KEY[cloud]], f"{where}.{_SHAPE_KEY[cloud]}")
        extra: dict[str, Any] = {}
        accelerator = None
        if cloud == "aws":
            if self.flag(row["sagemaker_training"], f"{where}.sagemaker_training"):
                extra["sagemaker_instance_type"] = f"ml.{name}"
            if self.flag(row["sagemaker_endpoint"], f"{where}.sagemaker_endpoint"):
                extra["sagemaker_endpoint_instance_type"] = f"ml.{name}"
            extra["instance_storage"] = self.flag(row["instance_storage"], f"{where}.instance_storage")
        elif cloud == "azure":
            extra["amlcompute"] = self.flag(row["amlcompute"], f"{where}.amlcompute")
        else:
            accelerator = self.text(row["accelerator"], f"{where}.accelerator")
            if not _GCP_ACCELERATOR.match(accelerator):
                raise self.fail(f"{where}.accelerator", f"{accelerator!r} is not a Compute Engine accelerator name")
            count = self.count(row["accelerator_count"], f"{where}.accelerator_count")
            if count != gpus:
                raise self.fail(f"{where}.accelerator_count", f"{count} differs from gpus ({gpus})")
            extra["accelerator_count"] = count
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
            accelerator=accelerator,
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
        self.keys(row, where, (_CPU_ROW_KEYS[cloud] | _PRICE_KEYS) - {"derived_from"}, _OPTIONAL_KEYS)
        prices = self.prices(row, where)
        prices.pop("_derived_from")
        prices.pop("spot_range_usd_hour")
        name = self.text(row[_SHAPE_KEY[cloud]], f"{where}.{_SHAPE_KEY[cloud]}")
        endpoint_name = name
        amlcompute = None
        instance_storage = None
        if cloud == "aws":
            if not self.flag(row["sagemaker_endpoint"], f"{where}.sagemaker_endpoint"):
                raise self.fail(f"{where}.sagemaker_endpoint", "the AWS CPU shape must be a SageMaker endpoint type")
            endpoint_name = f"ml.{name}"
            instance_storage = self.flag(row["instance_storage"], f"{where}.instance_storage")
        elif cloud == "azure":
            amlcompute = self.flag(row["amlcompute"], f"{where}.amlcompute")
        return CpuShape(
            cloud=cloud,
            instance_type=name,
            endpoint_instance_type=endpoint_name,
            vcpus=self.count(row["vcpus"], f"{where}.vcpus"),
            memory_gib=self.number(row["memory_gib"], f"{where}.memory_gib"),
            region=region,
            amlcompute=amlcompute,
            instance_storage=instance_storage,
            **prices,
        )


# -- queries ---------------------------------------------------------------------------------------

def gpu_classes() -> list[str]:
    """The neutral GPU classes, in catalog order."""
    return list(_catalog().classes)


def clouds() -> list[str]:
    return list(CLOUDS)


def reference_region(cloud: str) -> str:
    """The region the catalog's prices are for."""
    _require_cloud(cloud)
    return _catalog().regions[cloud]


def offered(cloud: str, gpu: str) -> list[int]:
    """GPUs-per-node counts `cloud` offers for class `gpu`, ascending ([] if none or unknown)."""
    return list(_catalog().shapes.get((cloud, gpu), {}))


def offering_error(cloud: str, gpu: str, gpus: int) -> str | None:
    """None if `cloud` offers `gpus` x `gpu` on one node, else a message that lists what it offers."""
    catalog = _catalog()
    if cloud not in CLOUDS:
        return f"unknown cloud {cloud!r}; the GPU catalog covers {', '.join(CLOUDS)}"
    if gpu not in catalog.classes:
        return f"{gpu!r} is not a GPU class of the catalog; classes: {', '.join(catalog.classes)}"
    if isinstance(gpus, bool) or not isinstance(gpus, int) or gpus < 1:
        return f"GPUs per node must be a positive integer, got {gpus!r}"
    by_count = catalog.shapes[(cloud, gpu)]
    if not by_count:
        elsewhere = [
            f"{other} ({_counts(catalog.shapes[(other, gpu)])} per node)"
            for other in CLOUDS
            if other != cloud and catalog.shapes[(other, gpu)]
        ]
        here = [
            f"{other_gpu} ({_counts(catalog.shapes[(cloud, other_gpu)])})"
            for other_gpu in catalog.classes
            if catalog.shapes[(cloud, other_gpu)]
        ]
        return (
            f"{cloud} does not offer {gpu} GPUs; {gpu} is offered on {', '.join(elsewhere) or 'no cloud'}; "
            f"{cloud} offers: {', '.join(here)} GPUs per node"
        )
    if gpus not in by_count:
        listed = ", ".join(f"{n} x {gpu} ({shape.instance_type})" for n, shape in by_count.items())
        return f"{cloud} does not offer {gpus} x {gpu} per node; offered: {listed}"
    return None


def shape_for(cloud: str, gpu: str, gpus: int) -> GpuShape:
    """The shape for `gpus` x `gpu` on one node of `cloud`; GpuOfferingError lists what is offered."""
    problem = offering_error(cloud, gpu, gpus)
    if problem:
        raise GpuOfferingError(problem)
    return _catalog().shapes[(cloud, gpu)][gpus]


def endpoint_shape(cloud: str, gpu: str) -> GpuShape:
    """Endpoints serve from a single-GPU node of their class."""
    return shape_for(cloud, gpu, 1)


def all_shapes() -> list[GpuShape]:
    """Every shape in the catalog, by class (catalog order), cloud, then GPU count."""
    catalog = _catalog()
    return [
        shape
        for gpu in catalog.classes
        for cloud in CLOUDS
        for shape in catalog.shapes[(cloud, gpu)].values()
    ]


def cpu_shape(cloud: str) -> str:
    """The instance type a CPU inference endpoint uses (ml.m5.xlarge, Standard_DS3_v2, n1-standard-4)."""
    return cpu_shape_details(cloud).endpoint_instance_type


def cpu_shape_details(cloud: str) -> CpuShape:
    _require_cloud(cloud)
    return _catalog().cpu[cloud]


def sagemaker_types_with_instance_storage() -> frozenset[str]:
    """SageMaker (`ml.`) instance types with local NVMe instance storage: hardware-encrypted volumes,
    and SageMaker refuses a KmsKeyId for them."""
    types = {s.sagemaker_endpoint_instance_type for s in all_shapes() if s.cloud == "aws" and s.instance_storage}
    cpu = cpu_shape_details("aws")
    if getattr(cpu, "instance_storage", False):
        types.add(cpu.endpoint_instance_type)
    return frozenset(t for t in types if t)


def _require_cloud(cloud: str) -> None:
    if cloud not in CLOUDS:
        raise GpuOfferingError(f"unknown cloud {cloud!r}; the GPU catalog covers {', '.join(CLOUDS)}")


def _counts(by_count: dict[int, GpuShape]) -> str:
    return ", ".join(str(n) for n in by_count)
