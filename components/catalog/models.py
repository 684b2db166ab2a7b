"""The model catalogue: neutral model name -> the foundation model each cloud serves for it.

The data lives in `models.yaml` beside this module (see docs/rag.md); this module only reads and checks
it. Pure Python and PyYAML, so the spec, the policy pack, the cost model and the CLI use it offline.

    model_for("aws", "embed-text")          -> ModelRow(model_id="amazon.titan-embed-text-v2:0", ...)
    serving("aws", "chat-small", "eu-west-1") -> Serving(model_id="eu.amazon.nova-lite-v1:0", geo="eu", ...)
    region_error("gcp", "chat-small", "x")  -> "... offered in: us-central1, ..."
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CATALOG_PATH = Path(__file__).with_name("models.yaml")
CLOUDS: tuple[str, ...] = ("aws", "azure", "gcp")
KINDS: tuple[str, ...] = ("chat", "embedding")
# How far a row's price is backed (docs/rag.md, "Catalogue check").
BASES: tuple[str, ...] = ("quoted", "secondary", "derived", "estimate")

_COMMON_KEYS = {
    "regions", "input_usd_per_1k", "output_usd_per_1k", "max_tokens_per_minute", "source", "date", "basis",
}
_EMBEDDING_KEYS = {"dimensions", "default_dimensions"}
_OPTIONAL_KEYS = {"note", "lifecycle"}
_CLOUD_KEYS = {
    "aws": {"model_id"},
    "azure": {"model_name", "model_version", "model_format", "sku"},
    "gcp": {"model_id"},
}
_CLOUD_OPTIONAL_KEYS = {"aws": {"geo_profiles"}, "azure": set(), "gcp": {"location"}}
# Vertex AI locations a row may name besides the stack's region (the global endpoint).
GCP_LOCATIONS: tuple[str, ...] = ("global",)
# Bedrock's geographic cross-Region inference profiles: the id prefix and the name said to users.
GEOGRAPHIES: dict[str, str] = {"us": "US", "eu": "EU", "apac": "APAC"}


class ModelCatalogError(ValueError):
    """models.yaml is malformed; the message names the file and the offending entry."""


@dataclass(frozen=True)
class GeoProfile:
    """A Bedrock system-defined cross-Region inference profile `<geo>.<model id>`."""

    geo: str  # us | eu | apac
    sources: tuple[str, ...]  # Regions that may call it
    destinations: tuple[str, ...]  # Regions Bedrock may process a request in


@dataclass(frozen=True)
class Serving:
    """How a stack in one region calls a model: in-region (`geo` None) or through a geographic profile."""

    model_id: str  # the foundation model id, or the system-defined profile id `<geo>.<model id>`
    geo: str | None = None
    destinations: tuple[str, ...] = ()

    @property
    def geography(self) -> str:
        return GEOGRAPHIES.get(self.geo or "", "")


@dataclass(frozen=True)
class ModelRow:
    """One model on one cloud, priced per 1,000 tokens."""

    name: str  # neutral name
    kind: str  # chat | embedding
    cloud: str
    model_id: str  # Bedrock model id / Azure model name / Vertex publisher model path
    regions: tuple[str, ...]
    input_usd_per_1k: float
    output_usd_per_1k: float
    max_tokens_per_minute: int
    source: str
    date: str
    basis: str
    dimensions: tuple[int, ...] = ()
    default_dimensions: int | None = None  # embedding: the size returned when none is asked for
    model_version: str | None = None  # Azure
    model_format: str | None = None  # Azure
    sku: str | None = None  # Azure deployment SKU
    lifecycle: str | None = None  # what the provider's lifecycle page says about this model version
    location: str | None = None  # GCP: the Vertex AI location the model is called in; None: the stack's region
    geo_profiles: tuple[GeoProfile, ...] = ()  # AWS chat: geographic cross-Region inference profiles


def _geo_profiles(where: str, kind: str, raw: Any) -> tuple[GeoProfile, ...]:
    if raw is None:
        return ()
    where = f"{where}.geo_profiles"
    if kind != "chat" or not isinstance(raw, dict):
        raise ModelCatalogError(f"{where}: only chat rows may name geo profiles, as a mapping geography -> regions")
    profiles = []
    for geo, entry in raw.items():
        if geo not in GEOGRAPHIES:
            raise ModelCatalogError(f"{where}.{geo}: not one of {tuple(GEOGRAPHIES)}")
        if not isinstance(entry, dict) or set(entry) != {"sources", "destinations"} or not all(
                isinstance(entry[key], list) and entry[key] for key in entry):
            raise ModelCatalogError(f"{where}.{geo}: expected non-empty lists sources and destinations")
        profiles.append(GeoProfile(geo, tuple(entry["sources"]), tuple(entry["destinations"])))
    return tuple(profiles)


def _row(path: Path, name: str, kind: str, cloud: str, raw: Any) -> ModelRow:
    where = f"{path.name}: models.{name}.{cloud}"
    if not isinstance(raw, dict):
        raise ModelCatalogError(f"{where}: expected a mapping")
    required = _COMMON_KEYS | _CLOUD_KEYS[cloud] | (_EMBEDDING_KEYS if kind == "embedding" else set())
    missing = sorted(required - raw.keys())
    unknown = sorted(raw.keys() - required - _OPTIONAL_KEYS - _CLOUD_OPTIONAL_KEYS[cloud])
    if missing or unknown:
        raise ModelCatalogError(f"{where}: missing {missing}, unknown {unknown}")
    if raw["basis"] not in BASES:
        raise ModelCatalogError(f"{where}.basis: {raw['basis']!r} is not one of {BASES}")
    try:
        datetime.date.fromisoformat(str(raw["date"]))
    except ValueError as error:
        raise ModelCatalogError(f"{where}.date: {error}") from None
    if "location" in raw and (raw["location"] not in GCP_LOCATIONS or kind != "chat"):
        raise ModelCatalogError(f"{where}.location: {raw['location']!r}: only chat rows may name a location, "
                                f"one of {GCP_LOCATIONS} (embeddings run in the corpus's region)")
    for key in ("input_usd_per_1k", "output_usd_per_1k", "max_tokens_per_minute"):
        if not isinstance(raw[key], (int, float)) or raw[key] < 0:
            raise ModelCatalogError(f"{where}.{key}: expected a number >= 0, got {raw[key]!r}")
    return ModelRow(
        name=name,
        kind=kind,
        cloud=cloud,
        model_id=str(raw["model_name"] if cloud == "azure" else raw["model_id"]),
        regions=tuple(raw["regions"]),
        input_usd_per_1k=float(raw["input_usd_per_1k"]),
        output_usd_per_1k=float(raw["output_usd_per_1k"]),
        max_tokens_per_minute=int(raw["max_tokens_per_minute"]),
        source=str(raw["source"]),
        date=str(raw["date"]),
        basis=str(raw["basis"]),
        dimensions=tuple(int(d) for d in raw.get("dimensions") or ()),
        default_dimensions=raw.get("default_dimensions"),
        model_version=str(raw["model_version"]) if cloud == "azure" else None,
        model_format=raw.get("model_format"),
        sku=raw.get("sku"),
        lifecycle=raw.get("lifecycle"),
        location=raw.get("location"),
        geo_profiles=_geo_profiles(where, kind, raw.get("geo_profiles")),
    )


def load(path: Path = CATALOG_PATH) -> dict[str, dict[str, ModelRow]]:
    """{neutral name: {cloud: ModelRow}}; raises ModelCatalogError naming file and entry."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if data.get("schema") != 1 or not isinstance(data.get("models"), dict):
        raise ModelCatalogError(f"{path.name}: expected schema: 1 and a models mapping")
    catalogue: dict[str, dict[str, ModelRow]] = {}
    for name, entry in data["models"].items():
        kind = entry.get("kind") if isinstance(entry, dict) else None
        if kind not in KINDS:
            raise ModelCatalogError(f"{path.name}: models.{name}.kind: expected one of {KINDS}")
        clouds = sorted(set(entry) - {"kind"})
        if clouds != sorted(CLOUDS):
            raise ModelCatalogError(f"{path.name}: models.{name}: needs one row per cloud {CLOUDS}, has {clouds}")
        catalogue[name] = {cloud: _row(path, name, kind, cloud, entry[cloud]) for cloud in CLOUDS}
    return catalogue


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, ModelRow]]:
    return load()


def names(kind: str) -> list[str]:
    return sorted(name for name, rows in catalogue().items() if rows["aws"].kind == kind)


def model_for(cloud: str, name: str) -> ModelRow:
    return catalogue()[name][cloud]


def kind_error(name: str, kind: str) -> str | None:
    """Why `name` cannot serve as a `kind` model, or None."""
    if name in catalogue() and catalogue()[name]["aws"].kind == kind:
        return None
    return f"{name!r} is not a {kind} model in the model catalogue; {kind} models: {', '.join(names(kind))}"


def vertex_location(row: ModelRow, region: str) -> str:
    """The Vertex AI location a GCP row's model is called in from a stack in `region`."""
    return row.location or region


def serving(cloud: str, name: str, region: str) -> Serving | None:
    """How a stack in `region` calls model `name`: in-region where the cloud serves it there, else through the
    geographic profile whose source Regions include `region`; None when neither (see `region_error`)."""
    row = model_for(cloud, name)
    if region in row.regions:
        return Serving(row.model_id)
    for profile in row.geo_profiles:
        if region in profile.sources:
            return Serving(f"{profile.geo}.{row.model_id}", profile.geo, profile.destinations)
    return None


def region_error(cloud: str, name: str, region: str) -> str | None:
    if cloud not in catalogue()[name]:
        return f"{name} has no {cloud} row in the model catalogue ({CATALOG_PATH.name})"
    row = model_for(cloud, name)
    if serving(cloud, name, region) is not None:
        return None
    through = [r for p in row.geo_profiles for r in p.sources if r not in row.regions]
    prefixes = "/".join(f"{p.geo}." for p in row.geo_profiles)
    profiles = f"; through its {prefixes} cross-Region profiles: {', '.join(through)}" if through else ""
    return (
        f"{name} ({row.model_id}) is not offered on {cloud} in region {region}; "
        f"regions offering it: {', '.join(row.regions)}{profiles}"
    )


def dimensions_error(cloud: str, name: str, dimensions: int) -> str | None:
    row = model_for(cloud, name)
    if dimensions in row.dimensions:
        return None
    sizes = ", ".join(str(d) for d in row.dimensions)
    return (
        f"{name} on {cloud} ({row.model_id}) produces {sizes} dimensions, "
        f"but vector_search.dimensions is {dimensions}"
    )


def capacity_error(cloud: str, name: str, tokens_per_minute: int) -> str | None:
    row = model_for(cloud, name)
    if tokens_per_minute <= row.max_tokens_per_minute:
        return None
    return (
        f"{tokens_per_minute} tokens per minute is more than {cloud} sells for {name} ({row.model_id}) "
        f"on demand by default: at most {row.max_tokens_per_minute}; request a quota increase or "
        f"provisioned throughput outside mlplat and lower this value"
    )
