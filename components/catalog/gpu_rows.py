"""How a cloud writes its machine shapes in `gpus.yaml`: the key naming the shape, the cloud's own keys,
and the reader of those keys. Each cloud declares its format (`CloudProvider.gpu_row_format()`, defined
in `components/<cloud>/gpu_rows.py`); the catalog reader (`gpu_reader.py`) asks the registered cloud, so
adding a cloud adds no list here.

Pure Python: no cloud SDK.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

# Keys every GPU row and every CPU row has, besides the shape key and the price keys.
GPU_ROW_COMMON = frozenset({"gpus", "vcpus", "memory_gib"})
CPU_ROW_COMMON = frozenset({"vcpus", "memory_gib"})


class RowReader(Protocol):
    """The checks the catalog reader offers a row format (each raises CatalogError naming `where`)."""

    def fail(self, where: str, message: str) -> Exception: ...
    def text(self, value: Any, where: str) -> str: ...
    def count(self, value: Any, where: str) -> int: ...
    def flag(self, value: Any, where: str) -> bool: ...


def _no_fields(reader: RowReader, row: dict, name: str, where: str, **_) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class GpuRowFormat:
    """One cloud's rows in gpus.yaml.

    shape_key   the key naming the machine shape ("instance_type", "vm_size", "machine_type")
    gpu_keys    the cloud's own keys on a GPU row (besides GPU_ROW_COMMON, the shape key and prices)
    cpu_keys    the cloud's own keys on its CPU row
    gpu_fields  (reader, row, name, where, gpus=) -> extra `GpuShape` fields read from `gpu_keys`
    cpu_fields  (reader, row, name, where) -> extra `CpuShape` fields read from `cpu_keys`
                (`endpoint_instance_type` defaults to the shape name)
    """

    shape_key: str
    gpu_keys: frozenset[str] = frozenset()
    cpu_keys: frozenset[str] = frozenset()
    gpu_fields: Callable[..., dict[str, Any]] = field(default=_no_fields)
    cpu_fields: Callable[..., dict[str, Any]] = field(default=_no_fields)

    @property
    def gpu_row_keys(self) -> set[str]:
        return {*GPU_ROW_COMMON, self.shape_key, *self.gpu_keys}

    @property
    def cpu_row_keys(self) -> set[str]:
        return {*CPU_ROW_COMMON, self.shape_key, *self.cpu_keys}
