"""Vector search section for retrieval-augmented generation.

Cloud-neutral: `dimensions`, `metric`, `replicas` and a size hint `tier`. Environment defaults (applied in
`PlatformSpec`) keep dev cheap: 1 replica and the small tier. What each cloud can do (maximum dimensions,
replicas per tier) is checked once the cloud is known, from the registered cloud (`CloudProvider.vector_limits`), so the same
spec rendered on another cloud is checked against that cloud.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import NAME_PATTERN, SpecModel
from .vector_limits import ABSOLUTE_MAX_DIMENSIONS, vector_search_error

Metric = Literal["cosine", "dot_product", "euclidean"]
Tier = Literal["small", "medium", "large"]


class VectorSearchSpec(SpecModel):
    dimensions: int = Field(
        ge=2,
        le=ABSOLUTE_MAX_DIMENSIONS,
        description="Embedding dimensions; the cloud's own maximum is checked once the cloud is known.",
    )
    metric: Metric = "cosine"
    replicas: int | None = Field(
        default=None,
        ge=1,
        le=12,
        description="Default: 1 in dev, 2 elsewhere. AWS: 1 disables standby replicas, 2+ enables them.",
    )
    tier: Tier | None = Field(default=None, description="Size hint; default small in dev, medium elsewhere.")
    use_case: str | None = Field(default=None, pattern=NAME_PATTERN)

    @staticmethod
    def check_platform(spec) -> None:
        """Cloud-dependent checks, called by `PlatformSpec` after environment defaults are applied."""
        section = spec.vector_search
        if section is None:
            return
        problem = vector_search_error(spec.cloud.value, section.dimensions, section.metric, section.replicas, section.tier)
        if problem:
            raise ValueError(problem)
