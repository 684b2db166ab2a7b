"""Feature store section: feature groups with neutral feature types (see feature_types.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from .base import IDENTIFIER_PATTERN, NAME_PATTERN, SpecModel
from .feature_types import FEATURE_TYPE_HELP, parse_feature_type


def _normalise_type(value: str) -> str:
    return parse_feature_type(value).neutral


# `int`, `float`, `string`, `bool`, `timestamp` or `vector(<dimension>)`; whether the chosen cloud can
# store it is checked by the PlatformSpec (`feature_types.unstorable_features`).
FeatureType = Annotated[str, AfterValidator(_normalise_type), Field(description=FEATURE_TYPE_HELP)]


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


class FeatureStoreSpec(SpecModel):
    online: bool = True
    feature_groups: list[FeatureGroup] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> "FeatureStoreSpec":
        names = [group.name for group in self.feature_groups]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"feature group names must be unique, repeated: {duplicates}")
        return self

    @staticmethod
    def check_cloud(feature_store: "FeatureStoreSpec | None", cloud: str) -> None:
        """Every feature type must be one `cloud` can store and no column may carry a name `cloud` reserves
        (called by the PlatformSpec once the cloud is known).

        Raises `feature_store.feature_groups.<i>.features.<name>: <cloud> cannot store ... because ...`."""
        from .feature_types import reserved_columns, unstorable_features

        problems = unstorable_features(feature_store, cloud)
        if problems:
            more = f" (and {len(problems) - 1} more feature(s) {cloud} cannot store)" if len(problems) > 1 else ""
            raise ValueError(problems[0] + more)
        reserved = reserved_columns(feature_store, cloud)
        if reserved:
            more = f" (and {len(reserved) - 1} more column name(s) {cloud} refuses)" if len(reserved) > 1 else ""
            raise ValueError(reserved[0] + more)
