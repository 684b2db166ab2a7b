"""Training section: a spot GPU cluster described with cloud-neutral GPU classes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import NAME_PATTERN, SpecModel

GpuClass = Literal["t4", "l4", "a10g", "a100", "a100-80gb", "h100"]


class TrainingSpec(SpecModel):
    gpu: GpuClass
    gpus_per_node: int = Field(default=1, ge=1, le=16)
    max_nodes: int = Field(default=2, ge=1, le=256)
    spot: bool = True
    idle_minutes: int = Field(default=10, ge=1, le=1440, description="Idle time before scaling down.")
    use_case: str | None = Field(default=None, pattern=NAME_PATTERN)
