"""Inference endpoints section: autoscaling replicas and a weighted canary version."""

from __future__ import annotations

from pydantic import Field, model_validator

from .base import NAME_PATTERN, SpecModel


class ModelVersion(SpecModel):
    image: str | None = Field(default=None, description="Serving container image URI.")
    artifact: str | None = Field(default=None, description="Model artifact URI (s3://, gs://, azureml://).")


class Canary(SpecModel):
    weight_percent: int = Field(ge=1, le=99, description="Share of traffic sent to the canary version.")
    model: ModelVersion = Field(default_factory=ModelVersion)


class Endpoint(SpecModel):
    name: str = Field(pattern=NAME_PATTERN)
    compute: str = Field(default="cpu", description="'cpu' or a GPU class from the GPU catalog.")
    min_replicas: int | None = Field(default=None, ge=0, le=100, description="Default: 0 in dev where the cloud allows.")
    max_replicas: int = Field(default=2, ge=1, le=100)
    model: ModelVersion = Field(default_factory=ModelVersion)
    canary: Canary | None = None
    logging: bool = Field(default=True, description="Request/response capture for drift monitoring.")
    use_case: str | None = Field(default=None, pattern=NAME_PATTERN)

    @model_validator(mode="after")
    def _replicas(self) -> "Endpoint":
        if self.min_replicas is not None and self.min_replicas > self.max_replicas:
            raise ValueError(f"min_replicas ({self.min_replicas}) exceeds max_replicas ({self.max_replicas})")
        return self
