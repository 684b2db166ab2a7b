"""Azure rows of the GPU catalog (components/catalog/gpus.yaml): VM sizes, and whether Azure ML compute
clusters (AmlCompute) offer the size."""

from __future__ import annotations

from typing import Any

from ..catalog.gpu_rows import GpuRowFormat, RowReader


def _amlcompute(reader: RowReader, row: dict, name: str, where: str, **_) -> dict[str, Any]:
    return {"amlcompute": reader.flag(row["amlcompute"], f"{where}.amlcompute")}


GPU_ROWS = GpuRowFormat(
    shape_key="vm_size",
    gpu_keys=frozenset({"amlcompute"}),
    cpu_keys=frozenset({"amlcompute"}),
    gpu_fields=_amlcompute,
    cpu_fields=_amlcompute,
)
