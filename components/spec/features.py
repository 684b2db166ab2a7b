"""Feature store section: feature groups with neutral feature types."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import IDENTIFIER_PATTERN, NAME_PATTERN, SpecModel

FeatureType = Literal["int", "float", "string", "bool", "timestamp"]


class FeatureGroup(SpecModel):
    name: str = Field(pattern=NAME_PATTERN)
    entity: str = Field(pattern=IDENTIFIER_PATTERN, description="Record identifier / entity key.")
    event_time: str = Field(pattern=IDENTIFIER_PATTERN)
    features: dict[str, FeatureType] = Field(min_length=1)
    use_case: str | None = Field(default=None, pattern=NAME_PATTERN)

    @model_validator(mode="after")
    def _columns(self) -> "FeatureGroup":
        import re

        for feature in self.features:
            if not re.match(IDENTIFIER_PATTERN, feature):
                raise ValueError(f"feature name {feature!r} must match {IDENTIFIER_PATTERN}")
        clash = {self.entity, self.event_time} & set(self.features)
        if clash:
            raise ValueError(f"{sorted(clash)} is the entity or event time and cannot also be a feature")
        if self.entity == self.event_time:
            raise ValueError("entity and event_time must be different columns")
        return self


class FeatureStore(SpecModel):
    online: bool = True
    feature_groups: list[FeatureGroup] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> "FeatureStore":
        names = [group.name for group in self.feature_groups]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"feature group names must be unique, repeated: {duplicates}")
        return self
