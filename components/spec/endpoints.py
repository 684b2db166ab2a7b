"""Inference endpoints section: autoscaling replicas and a weighted canary version.

Model versions (see docs/endpoints.md):
- `model.artifact` defaults to `models/<endpoint>/<version>/` in the platform's artifacts bucket
  (`<version>` is `stable` or `canary`): CI publishes there, the endpoint serves from there.
- `model.image` defaults to the cloud's prebuilt serving container for `model.framework` (CPU:
  scikit-learn; GPU: PyTorch, or TensorFlow), from components/catalog/serving_images.py (Azure: MLflow
  no-code deployment). The default is shown in the plan and the stack outputs, never silent.
- The canary's image defaults to the stable image (a canary usually differs in its artifact only).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PrivateAttr, model_validator

from .base import NAME_PATTERN, SpecModel

# URI schemes an explicit artifact may use; relative paths are keys in the artifacts bucket.
ARTIFACT_SCHEMES = ("s3://", "gs://", "azureml://", "https://")


class ModelVersion(SpecModel):
    image: str | None = Field(
        default=None,
        min_length=1,
        description="Serving container image URI. Default: the cloud's prebuilt container for `framework`.",
    )
    framework: Literal["sklearn", "pytorch", "tensorflow"] | None = Field(
        default=None,
        description="Framework of the prebuilt serving container used when `image` is not set. Default: "
        "sklearn on CPU, pytorch on GPU.",
    )
    artifact: str | None = Field(
        default=None,
        min_length=1,
        description="Model artifact URI (s3://, gs://, azureml://) or a key in the artifacts bucket. "
        "Default: models/<endpoint>/<version>/ in the artifacts bucket.",
    )


class Canary(SpecModel):
    weight_percent: int = Field(ge=1, le=99, description="Share of traffic sent to the canary version.")
    model: ModelVersion = Field(default_factory=ModelVersion)


class EndpointSpec(SpecModel):
    name: str = Field(pattern=NAME_PATTERN)
    compute: str = Field(
        default="cpu",
        description="'cpu' or a GPU class from the GPU catalog; the machine size is the catalog's "
        "CPU shape or single-GPU shape of that class on the chosen cloud.",
    )
    min_replicas: int | None = Field(default=None, ge=0, le=100, description="Default: 0 in dev where the cloud allows.")
    max_replicas: int = Field(default=2, ge=1, le=100)
    model: ModelVersion = Field(default_factory=ModelVersion)
    canary: Canary | None = None
    logging: bool = Field(default=True, description="Request/response capture for drift monitoring.")
    logging_sample_percent: int = Field(
        default=100, ge=1, le=100, description="Share of requests captured when logging is on."
    )
    use_case: str | None = Field(default=None, pattern=NAME_PATTERN)

    @model_validator(mode="after")
    def _replicas(self) -> "EndpointSpec":
        if self.min_replicas is not None and self.min_replicas > self.max_replicas:
            raise ValueError(f"min_replicas ({self.min_replicas}) exceeds max_replicas ({self.max_replicas})")
        return self

    @model_validator(mode="after")
    def _models(self) -> "EndpointSpec":
        for where, version in (("model", self.model), ("canary.model", self.canary and self.canary.model)):
            artifact = version.artifact if version else None
            if artifact and "://" in artifact and not artifact.startswith(ARTIFACT_SCHEMES):
                raise ValueError(
                    f"{where}.artifact: {artifact!r}: use one of {', '.join(ARTIFACT_SCHEMES)} "
                    "or a key in the platform's artifacts bucket"
                )
        return self
