"""Neutral feature types and what each cloud's feature store stores them as.

Neutral types (the values of `feature_store.feature_groups[].features`):

| neutral       | AWS SageMaker Feature Store        | Azure ML managed feature store | GCP (BigQuery source of Vertex AI Feature Store) |
|---------------|------------------------------------|--------------------------------|--------------------------------------------------|
| `int`         | `Integral`                         | `long`                         | `INT64`                                          |
| `float`       | `Fractional`                       | `double`                       | `FLOAT64`                                        |
| `string`      | `String`                           | `string`                       | `STRING`                                         |
| `bool`        | `Integral` (0 / 1: no boolean type)| `boolean`                      | `BOOL`                                           |
| `timestamp`   | `String` (ISO-8601 UTC: no timestamp type) | `datetime`             | `TIMESTAMP`                                      |
| `vector(<n>)` | error (see below)                  | error (see below)              | `FLOAT64` column in mode `REPEATED` (ARRAY<FLOAT64>) |

A type a cloud cannot store is a spec validation error naming the cloud and the reason
(`unstorable_features(spec)`, called by the PlatformSpec); nothing is silently widened.

Cloud-neutral: no cloud SDK is imported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCALAR_TYPES = ("int", "float", "string", "bool", "timestamp")
VECTOR_PATTERN = re.compile(r"^vector\((?P<dim>[0-9]{1,5})\)$")
MAX_VECTOR_DIMENSION = 16384
FEATURE_TYPE_HELP = f"one of {', '.join(SCALAR_TYPES)} or vector(<dimension>) with 1 <= dimension <= {MAX_VECTOR_DIMENSION}"


@dataclass(frozen=True)
class ParsedType:
    kind: str  # one of SCALAR_TYPES or "vector"
    dimension: int | None = None

    @property
    def neutral(self) -> str:
        return f"vector({self.dimension})" if self.kind == "vector" else self.kind


def parse_feature_type(value: str) -> ParsedType:
    """`value` as a ParsedType; ValueError with the accepted syntax when it is none of them."""
    if not isinstance(value, str):
        raise ValueError(f"feature type must be a string, {FEATURE_TYPE_HELP}")
    text = value.strip()
    if text in SCALAR_TYPES:
        return ParsedType(text)
    match = VECTOR_PATTERN.match(text)
    if match:
        dimension = int(match.group("dim"))
        if 1 <= dimension <= MAX_VECTOR_DIMENSION:
            return ParsedType("vector", dimension)
    raise ValueError(f"unknown feature type {value!r}: {FEATURE_TYPE_HELP}")


# -- per cloud -------------------------------------------------------------------------------------------
AWS_TYPES = {"int": "Integral", "float": "Fractional", "string": "String", "bool": "Integral", "timestamp": "String"}
AZURE_TYPES = {"int": "long", "float": "double", "string": "string", "bool": "boolean", "timestamp": "datetime"}
GCP_TYPES = {"int": "INT64", "float": "FLOAT64", "string": "STRING", "bool": "BOOL", "timestamp": "TIMESTAMP"}

# Entity (record identifier) and event time columns, per cloud.
ENTITY_TYPE = {"aws": "String", "azure": "string", "gcp": "STRING"}
EVENT_TIME_TYPE = {"aws": "String", "azure": "datetime", "gcp": "TIMESTAMP"}


def storable_error(cloud: str, feature_type: str) -> str | None:
    """Why `cloud` cannot store `feature_type` (a neutral type string), or None when it can."""
    from ..registry import cloud_of

    return cloud_of(cloud).feature_type_reason(parse_feature_type(feature_type).kind)


def aws_feature_type(feature_type: str) -> str:
    parsed = parse_feature_type(feature_type)
    _require(parsed, "aws")
    return AWS_TYPES[parsed.kind]


def azure_feature_type(feature_type: str) -> str:
    parsed = parse_feature_type(feature_type)
    _require(parsed, "azure")
    return AZURE_TYPES[parsed.kind]


def gcp_bigquery_field(name: str, feature_type: str, required: bool = False) -> dict:
    """The BigQuery schema field of one column."""
    parsed = parse_feature_type(feature_type)
    if parsed.kind == "vector":
        return {
            "name": name,
            "type": "FLOAT64",
            "mode": "REPEATED",
            "description": f"mlplat vector({parsed.dimension})",
        }
    return {"name": name, "type": GCP_TYPES[parsed.kind], "mode": "REQUIRED" if required else "NULLABLE"}


def _require(parsed: ParsedType, cloud: str) -> None:
    from ..registry import cloud_of

    reason = cloud_of(cloud).feature_type_reason(parsed.kind)
    if reason:
        raise ValueError(f"{cloud} cannot store {parsed.neutral} because {reason}")


def reserved_columns(feature_store, cloud: str) -> list[str]:
    """One `feature_store.feature_groups.<i>.<field>: ...` line per column `cloud` refuses by name."""
    from ..registry import cloud_of

    problems: list[str] = []
    provider = cloud_of(cloud)
    reserved = provider.reserved_feature_columns()
    if feature_store is None or not reserved:
        return problems
    for index, group in enumerate(feature_store.feature_groups):
        columns = [("entity", group.entity), ("event_time", group.event_time)]
        if provider.event_time_column_is_renamed():
            columns = [("entity", group.entity)]  # the store renames the event time column itself
        columns += [(f"features.{name}", name) for name in group.features]
        for field, column in columns:
            reason = reserved.get(column.lower())
            if reason:
                problems.append(
                    f"feature_store.feature_groups.{index}.{field}: {cloud} cannot use the column name "
                    f"{column!r} because {reason}; rename it"
                )
    return problems


def unstorable_features(feature_store, cloud: str) -> list[str]:
    """One `feature_store.feature_groups.<i>.features.<name>: ...` line per feature `cloud` cannot store."""
    problems: list[str] = []
    if feature_store is None:
        return problems
    for index, group in enumerate(feature_store.feature_groups):
        for name, feature_type in group.features.items():
            reason = storable_error(cloud, feature_type)
            if reason:
                neutral = parse_feature_type(feature_type).neutral
                problems.append(
                    f"feature_store.feature_groups.{index}.features.{name}: {cloud} cannot store "
                    f"{neutral} because {reason}"
                )
    return problems
