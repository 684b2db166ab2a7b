"""The GPU catalog's shapes: one machine shape per (cloud, GPU class, GPUs per node), and the CPU shape of
each cloud's CPU endpoints. Read from gpus.yaml by `gpu_reader.py`, queried through `gpus.py`."""

from __future__ import annotations

from dataclasses import dataclass


class GpuOfferingError(ValueError):
    """A GPU class or GPUs-per-node count the cloud does not offer; the message lists what is offered."""


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


def vertex_accelerator_type(accelerator: str) -> str:
    """Compute Engine accelerator name -> Vertex AI `AcceleratorType` member name.

    Vertex AI documents its accelerator types as the Compute Engine GPU names in upper case with
    underscores: nvidia-tesla-t4 -> NVIDIA_TESLA_T4, nvidia-a100-80gb -> NVIDIA_A100_80GB.
    """
    return accelerator.upper().replace("-", "_")
