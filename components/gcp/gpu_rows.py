"""GCP rows of the GPU catalog (components/catalog/gpus.yaml): a machine type plus its accelerator (the
Compute Engine / GKE accelerator type name) and count."""

from __future__ import annotations

import re
from typing import Any

from ..catalog.gpu_rows import GpuRowFormat, RowReader

_ACCELERATOR = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def _gpu_fields(reader: RowReader, row: dict, name: str, where: str, gpus: int, **_) -> dict[str, Any]:
    accelerator = reader.text(row["accelerator"], f"{where}.accelerator")
    if not _ACCELERATOR.match(accelerator):
        raise reader.fail(f"{where}.accelerator", f"{accelerator!r} is not a Compute Engine accelerator name")
    count = reader.count(row["accelerator_count"], f"{where}.accelerator_count")
    if count != gpus:
        raise reader.fail(f"{where}.accelerator_count", f"{count} differs from gpus ({gpus})")
    return {"accelerator": accelerator, "accelerator_count": count}


GPU_ROWS = GpuRowFormat(
    shape_key="machine_type",
    gpu_keys=frozenset({"accelerator", "accelerator_count"}),
    gpu_fields=_gpu_fields,
)
