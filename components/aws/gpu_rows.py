"""AWS rows of the GPU catalog (components/catalog/gpus.yaml): EC2 instance types, whether SageMaker
training jobs and endpoints take the "ml."-prefixed type, and local NVMe instance storage (SageMaker
refuses a KmsKeyId for such types)."""

from __future__ import annotations

from typing import Any

from ..catalog.gpu_rows import GpuRowFormat, RowReader


def _gpu_fields(reader: RowReader, row: dict, name: str, where: str, **_) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if reader.flag(row["sagemaker_training"], f"{where}.sagemaker_training"):
        fields["sagemaker_instance_type"] = f"ml.{name}"
    if reader.flag(row["sagemaker_endpoint"], f"{where}.sagemaker_endpoint"):
        fields["sagemaker_endpoint_instance_type"] = f"ml.{name}"
    fields["instance_storage"] = reader.flag(row["instance_storage"], f"{where}.instance_storage")
    return fields


def _cpu_fields(reader: RowReader, row: dict, name: str, where: str, **_) -> dict[str, Any]:
    if not reader.flag(row["sagemaker_endpoint"], f"{where}.sagemaker_endpoint"):
        raise reader.fail(f"{where}.sagemaker_endpoint", "the AWS CPU shape must be a SageMaker endpoint type")
    return {"endpoint_instance_type": f"ml.{name}",
            "instance_storage": reader.flag(row["instance_storage"], f"{where}.instance_storage")}


GPU_ROWS = GpuRowFormat(
    shape_key="instance_type",
    gpu_keys=frozenset({"sagemaker_training", "sagemaker_endpoint", "instance_storage"}),
    cpu_keys=frozenset({"sagemaker_endpoint", "instance_storage"}),
    gpu_fields=_gpu_fields,
    cpu_fields=_cpu_fields,
)
