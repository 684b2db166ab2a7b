"""Vector search section for retrieval-augmented generation."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import NAME_PATTERN, SpecModel

Metric = Literal["cosine", "dot_product", "euclidean"]
Tier = Literal["small", "medium", "large"]


class VectorSearch(SpecModel):
    dimensions: int = Field(ge=2, le=4096)
    metric: Metric = "cosine"
    replicas: int | None = Field(default=None, ge=1, le=12, description="Default: 1 in dev, 2 elsewhere.")
    tier: Tier | None = Field(default=None, description="Size hint; default small in dev, medium elsewhere.")
    use_case: str | None = Field(default=None, pattern=NAME_PATTERN)
