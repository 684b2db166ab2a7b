"""The GPU catalog: neutral GPU class x GPUs per node -> the machine shape each cloud offers.

The data lives in `gpus.yaml` beside this module (see docs/gpu-catalog.md), keyed by registered
cloud name; `gpu_reader.py` reads and checks it, `gpu_shapes.py` holds the shape types, and this
module answers the queries. Pure Python and PyYAML: no cloud SDK is imported here, so the spec, the
policy pack and the CLI can all use it offline.

    shape_for("aws", "a100", 8)      -> GpuShape(instance_type="p4d.24xlarge", ...)
    offered("azure", "a100-80gb")    -> [1, 2, 4, 8]
    offering_error("aws", "a100", 3) -> "aws does not offer 3 x a100 per node; offered: 8 x a100 (p4d.24xlarge)"
    cpu_shape("aws")                 -> "ml.m5.xlarge"

Endpoints serve from a single-GPU node of their class: `endpoint_shape(cloud, gpu)`, which is
`shape_for(cloud, gpu, 1)`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .gpu_reader import PRICE_BASES, SPOT_BASES, Catalog, CatalogError, GpuCatalogReader, load_catalog as _load
from .gpu_shapes import CpuShape, GpuOfferingError, GpuShape, vertex_accelerator_type

__all__ = [
    "PRICE_BASES", "SPOT_BASES", "Catalog", "CatalogError", "CpuShape", "GpuCatalogReader", "GpuOfferingError",
    "GpuShape", "vertex_accelerator_type", "load_catalog",
]


CATALOG_PATH = Path(__file__).with_name("gpus.yaml")


def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Read and check a catalog file. Uncached; the module functions use the cached default."""
    return _load(path)


@lru_cache(maxsize=1)
def _catalog() -> Catalog:
    return load_catalog(CATALOG_PATH)


# -- queries ---------------------------------------------------------------------------------------

def gpu_classes() -> list[str]:
    """The neutral GPU classes, in catalog order."""
    return list(_catalog().classes)


def clouds() -> list[str]:
    """The clouds the catalog has rows for, in file order."""
    return list(_catalog().clouds)


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
    if cloud not in catalog.clouds:
        return f"unknown cloud {cloud!r}; the GPU catalog covers {', '.join(catalog.clouds)}"
    if gpu not in catalog.classes:
        return f"{gpu!r} is not a GPU class of the catalog; classes: {', '.join(catalog.classes)}"
    if isinstance(gpus, bool) or not isinstance(gpus, int) or gpus < 1:
        return f"GPUs per node must be a positive integer, got {gpus!r}"
    by_count = catalog.shapes[(cloud, gpu)]
    if not by_count:
        elsewhere = [
            f"{other} ({_counts(catalog.shapes[(other, gpu)])} per node)"
            for other in catalog.clouds
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
        for cloud in catalog.clouds
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
    covered = _catalog().clouds
    if cloud not in covered:
        raise GpuOfferingError(f"unknown cloud {cloud!r}; the GPU catalog covers {', '.join(covered)}")


def _counts(by_count: dict[int, GpuShape]) -> str:
    return ", ".join(str(n) for n in by_count)
