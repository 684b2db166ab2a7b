"""Use cases as the platform's customers: each `use_cases:` entry may carry its own budget, a share of
the training GPUs and a cap on its endpoints' replicas. The checks that span sections (shares against
the training capacity, caps against the endpoints) run here, called by the platform spec."""

from __future__ import annotations

from pydantic import Field, model_validator

from ..naming import share_identifier
from .base import SpecModel


class GpuShare(SpecModel):
    """A use case's share of the training capacity (`training.max_nodes x training.gpus_per_node` GPUs):
    either a number of GPUs or a weight (a fraction of the capacity, 0 < weight <= 1)."""

    max_gpus: int | None = Field(default=None, ge=1, le=4096)
    weight: float | None = Field(default=None, gt=0, le=1)

    @model_validator(mode="after")
    def _one_of(self) -> "GpuShare":
        if (self.max_gpus is None) == (self.weight is None):
            raise ValueError("give exactly one of max_gpus or weight")
        return self

    def fraction(self, capacity_gpus: int) -> float:
        """The share as a fraction of the training capacity."""
        return self.weight if self.weight is not None else self.max_gpus / capacity_gpus

    def gpus(self, capacity_gpus: int) -> int:
        """The share in GPUs (a weight rounds down, to at least one GPU)."""
        if self.max_gpus is not None:
            return self.max_gpus
        return max(1, int(self.weight * capacity_gpus))


def check_use_cases(spec) -> None:
    """Shares and caps that the rest of the spec must be able to honour (errors name the field)."""
    training = spec.training
    capacity = training.max_nodes * training.gpus_per_node if training else 0
    total = 0.0
    shares: dict[str, str] = {}
    for i, use_case in enumerate(spec.use_cases):
        # The fair-share identifier drops hyphens: two names differing only by them would share one queue share.
        other = shares.setdefault(share_identifier(use_case.name), use_case.name)
        if other != use_case.name:
            raise ValueError(
                f"use_cases.{i}.name: {use_case.name!r} and {other!r} differ only by hyphens; their GPU fair-share "
                f"identifier would be the same ({share_identifier(use_case.name)!r}): rename one"
            )
        share = use_case.gpu_share
        if share is not None:
            where = f"use_cases.{i}.gpu_share"
            if training is None:
                raise ValueError(f"{where}: there is no training section to share")
            if share.max_gpus is not None and share.max_gpus > capacity:
                raise ValueError(
                    f"{where}.max_gpus: {share.max_gpus} GPUs exceed the training capacity of {capacity} "
                    f"(training.max_nodes {training.max_nodes} x training.gpus_per_node {training.gpus_per_node})"
                )
            total += share.fraction(capacity)
        cap = use_case.max_endpoint_replicas
        if cap is not None:
            for j, endpoint in enumerate(spec.endpoints):
                if endpoint.use_case == use_case.name and endpoint.max_replicas > cap:
                    raise ValueError(
                        f"endpoints.{j}.max_replicas: {endpoint.max_replicas} exceeds the replica cap "
                        f"{cap} of use case {use_case.name!r} (use_cases.{i}.max_endpoint_replicas)"
                    )
    if total > 1 + 1e-9:
        raise ValueError(
            f"use_cases: the GPU shares add up to {total:.0%} of the training capacity ({capacity} GPUs); "
            "they must not exceed 100%"
        )

