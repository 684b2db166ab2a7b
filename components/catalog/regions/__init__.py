"""The region catalogue: every public region of each cloud and what mlplat can build there.

The data lives in `aws.yaml`, `azure.yaml` and `gcp.yaml` beside this module (sources and dates in each
file, see docs/regions.md); this module only reads, checks and queries it. Pure Python and PyYAML, so
the spec, the policy pack and the CLI can use it offline.

    region("gcp", "europe-west4")                      -> Region(id="europe-west4", country="NL", ...)
    nearest_regions("aws", "eu-central-1", 2)          -> [(Region eu-central-2, 305.2), ...]
    did_you_mean("aws", "us-est-1")                    -> ["us-east-1", ...]
    offers("aws", "af-south-1", "vector_search")       -> False
    offers("gcp", "us-east4", "gpu:a100")              -> False
    equivalent("europe-west4", "gcp", "aws", ["endpoints"]) -> (Region eu-central-1, 390.4, True)

Capabilities are the spec's section keys (`components/capabilities.py`); GPU classes are asked for as
`gpu:<class>`, foundation models (RAG) as `model:<neutral name>`. GPU data is per region where known: a region without a GPU row neither offers nor lacks
a class, nor does a class its row lists as `unknown` (the row's source does not cover it), so validation
only rejects a class the data says is missing.
"""

from __future__ import annotations

import difflib
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from ..yaml_files import safe_load

CATALOG_DIR = Path(__file__).resolve().parent
CLOUDS: tuple[str, ...] = ("aws", "azure", "gcp")
CAPABILITIES: tuple[str, ...] = ("training", "feature_store", "registry", "endpoints", "vector_search", "budget")
GPU_PREFIX = "gpu:"
# `image:<compute>:<framework>`: a prebuilt serving image for an endpoint without `model.image`
# (components/catalog/serving_images.py decides; `<framework>` empty for the compute's default).
IMAGE_PREFIX = "image:"
# `model:<neutral name>`: a foundation model of the model catalogue (components/catalog/models.yaml), offered
# where its row for the cloud lists the region.
MODEL_PREFIX = "model:"
# The EU data boundary: EU member states and the rest of the EEA (GDPR applies alike).
EU_BOUNDARY = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()
)
EARTH_RADIUS_KM = 6371.0


class RegionCatalogError(ValueError):
    """A malformed region catalogue file; the message names the file and the entry."""


@dataclass(frozen=True)
class Region:
    cloud: str
    id: str
    name: str
    country: str  # ISO 3166-1 alpha-2
    lat: float
    lon: float
    offers: frozenset[str]  # capability keys
    source: str  # text of the file's `sources` entry the row came from
    gpus: frozenset[str] | None = None  # GPU classes offered; None: no GPU data for this region
    gpu_zones: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (class, zones) where the data has zones
    gpu_source: str | None = None
    gpus_unknown: frozenset[str] = frozenset()  # classes the GPU row's source does not cover

    @property
    def boundary(self) -> str:
        """The data boundary: "EU" inside the EU/EEA, else the country code."""
        return "EU" if self.country in EU_BOUNDARY else self.country

    def zones(self, gpu: str) -> tuple[str, ...] | None:
        return dict(self.gpu_zones).get(gpu)


@dataclass(frozen=True)
class CloudRegions:
    cloud: str
    date: str
    sources: dict[str, str]
    services: dict[str, tuple[str, ...]]  # capability -> provider services it is derived from
    regions: dict[str, Region]


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


# -- loading -----------------------------------------------------------------------------------------------
def _fail(path: Path, where: str, message: str) -> RegionCatalogError:
    return RegionCatalogError(f"{path}: {where}: {message}")


def _names(value: Any, path: Path, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _fail(path, where, "expected a list of names")
    return value


def parse_cloud(document: Any, path: Path) -> CloudRegions:
    if not isinstance(document, dict):
        raise _fail(path, "(top level)", "expected a mapping")
    missing = {"cloud", "date", "sources", "capabilities", "regions", "gpus"} - set(document)
    if missing:
        raise _fail(path, "(top level)", f"missing {', '.join(sorted(missing))}")
    cloud, sources = document["cloud"], document["sources"]
    services = {key: tuple(_names(value, path, f"capabilities.{key}")) for key, value in document["capabilities"].items()}
    if set(services) != set(CAPABILITIES):
        raise _fail(path, "capabilities", f"must list exactly {', '.join(CAPABILITIES)}")
    rows: dict[str, dict] = {}
    for region_id, row in (document["regions"] or {}).items():
        where = f"regions.{region_id}"
        if not isinstance(row, dict) or {"name", "country", "lat", "lon", "source", "offers"} - set(row):
            raise _fail(path, where, "needs name, country, lat, lon, source and offers")
        unknown = set(_names(row["offers"], path, f"{where}.offers")) - set(CAPABILITIES)
        if unknown:
            raise _fail(path, f"{where}.offers", f"unknown capabilities {sorted(unknown)}")
        for key in ("source", "offers_source"):
            if key in row and row[key] not in sources:
                raise _fail(path, f"{where}.{key}", f"{row[key]!r} is not a key of sources")
        if not (-90 <= float(row["lat"]) <= 90 and -180 <= float(row["lon"]) <= 180):
            raise _fail(path, where, "lat/lon out of range")
        rows[str(region_id)] = row
    gpus: dict[str, dict] = {}
    for i, row in enumerate(document["gpus"] or []):
        where = f"gpus[{i}]"
        if not isinstance(row, dict) or row.get("region") not in rows:
            raise _fail(path, f"{where}.region", f"{(row or {}).get('region')!r} is not a region of this file")
        if row.get("source") not in sources or not row.get("date"):
            raise _fail(path, where, "needs a source (a key of sources) and a date")
        classes = _names(row.get("classes"), path, f"{where}.classes")
        if set(classes) & set(_names(row.get("unknown", []), path, f"{where}.unknown")):
            raise _fail(path, f"{where}.unknown", "a class cannot be both offered and unknown")
        for gpu, zones in (row.get("zones") or {}).items():
            if gpu not in classes or not all(str(z).startswith(f"{row['region']}-") for z in _names(zones, path, f"{where}.zones.{gpu}")):
                raise _fail(path, f"{where}.zones.{gpu}", "zones must be of an offered class and of the row's region")
        gpus[row["region"]] = row
    regions = {}
    for region_id, row in rows.items():
        gpu = gpus.get(region_id)
        regions[region_id] = Region(
            cloud=cloud, id=region_id, name=str(row["name"]), country=str(row["country"]),
            lat=float(row["lat"]), lon=float(row["lon"]), offers=frozenset(row["offers"]),
            source=sources[row["source"]],
            gpus=frozenset(gpu["classes"]) if gpu else None,
            gpu_zones=tuple((k, tuple(v)) for k, v in sorted((gpu or {}).get("zones", {}).items())),
            gpu_source=_dated(sources[gpu["source"]], str(gpu["date"])) if gpu else None,
            gpus_unknown=frozenset((gpu or {}).get("unknown", [])),
        )
    return CloudRegions(cloud=cloud, date=str(document["date"]), sources=dict(sources), services=services, regions=regions)


def _dated(source: str, date: str) -> str:
    """A GPU row's source with the date it was read, unless the source text already gives that date."""
    return source if date in source else f"{source} ({date})"


@lru_cache(maxsize=None)
def catalogue(cloud: str) -> CloudRegions:
    if cloud not in CLOUDS:
        raise ValueError(f"unknown cloud {cloud!r} (one of {', '.join(CLOUDS)})")
    path = CATALOG_DIR / f"{cloud}.yaml"
    try:
        return parse_cloud(safe_load(path.read_text()), path)
    except yaml.YAMLError as error:
        raise RegionCatalogError(f"{path}: not valid YAML ({error})") from None


# -- queries -----------------------------------------------------------------------------------------------
def regions(cloud: str) -> list[Region]:
    return list(catalogue(cloud).regions.values())


def region(cloud: str, region_id: str) -> Region | None:
    return catalogue(cloud).regions.get(region_id)


def nearest_regions(
    cloud: str, origin: str | tuple[float, float] | Region, n: int = 3, where: Iterable[str] = ()
) -> list[tuple[Region, float]]:
    """The `n` regions of `cloud` nearest to `origin` (a region id of `cloud`, a Region of any cloud, or
    (lat, lon)), with their distance in km, nearest first; `where`: capabilities each must offer.
    The origin region itself is left out."""
    if isinstance(origin, str):
        found = region(cloud, origin)
        if found is None:
            raise KeyError(f"{origin!r} is not a {cloud} region")
        origin = found
    point = (origin.lat, origin.lon) if isinstance(origin, Region) else origin
    skip = origin.id if isinstance(origin, Region) and origin.cloud == cloud else None
    wanted = list(where)
    ranked = sorted(
        ((r, distance_km(point, (r.lat, r.lon))) for r in regions(cloud)
         if r.id != skip and all(offers(cloud, r.id, w) for w in wanted)),
        key=lambda pair: (pair[1], pair[0].id),
    )
    return ranked[:n]


def did_you_mean(cloud: str, text: str, n: int = 3) -> list[str]:
    """Region ids of `cloud` spelled most like `text` (closest first)."""
    ids = [r.id for r in regions(cloud)]
    cleaned = text.strip().lower().replace(" ", "").replace("_", "-")
    close = difflib.get_close_matches(cleaned, ids, n=n, cutoff=0.6)
    if not close:  # e.g. "us-foo-9": fall back to ids sharing the longest leading part
        close = sorted(ids, key=lambda i: (-_common_prefix(i, cleaned), i))[:n]
    return close


def _common_prefix(a: str, b: str) -> int:
    return len(os.path.commonprefix([a, b]))


def offers(cloud: str, region_id: str, what: str) -> bool:
    """Whether `region_id` is known to offer `what`: a capability key or `gpu:<class>`."""
    found = region(cloud, region_id)
    if found is None:
        return False
    if what.startswith(GPU_PREFIX):
        return found.gpus is not None and what[len(GPU_PREFIX):] in found.gpus
    if what.startswith(IMAGE_PREFIX):
        from ..serving_images import default_image_problem

        compute, _, framework = what[len(IMAGE_PREFIX):].partition(":")
        return default_image_problem(cloud, region_id, compute, framework or None) is None
    if what.startswith(MODEL_PREFIX):
        from ..models import serving

        # in-region, or through a geographic cross-Region profile that serves this region (AWS chat models)
        return _model_row(cloud, what) is not None and serving(cloud, what[len(MODEL_PREFIX):], region_id) is not None
    if what not in CAPABILITIES:
        raise ValueError(f"unknown capability {what!r} (one of {', '.join(CAPABILITIES)}, gpu:<class> or model:<name>)")
    return what in found.offers


def _model_row(cloud: str, what: str):
    """The model catalogue's row for `model:<name>` on `cloud`, or None for a name it does not know."""
    from ..models import catalogue as models

    return models().get(what[len(MODEL_PREFIX):], {}).get(cloud)


def lacks(cloud: str, region_id: str, what: str) -> bool:
    """Whether the data says `region_id` does not offer `what` (a region without GPU data lacks no GPU;
    a model the model catalogue does not know has no data either: the spec check names it)."""
    found = region(cloud, region_id)
    if found is not None and what.startswith(GPU_PREFIX) and (
            found.gpus is None or what[len(GPU_PREFIX):] in found.gpus_unknown):
        return False
    if found is not None and what.startswith(MODEL_PREFIX) and _model_row(cloud, what) is None:
        return False
    return not offers(cloud, region_id, what)


def same_residency(a: Region, b: Region) -> bool:
    return a.country == b.country or a.boundary == b.boundary


def equivalent(
    region_id: str, source: str, target: str, capabilities: Iterable[str] = (), residency: str | None = None
) -> tuple[Region, float, bool] | None:
    """The region of `target` nearest to `region_id` on `source` that offers every capability asked for
    (GPU classes: not known to be missing), as (region, km, same residency). With `residency`, regions
    in the same country come first, then the same data boundary; `residency="eu"` allows only EU/EEA
    regions. None when no region qualifies."""
    origin = region(source, region_id)
    if origin is None:
        return None
    wanted = list(capabilities)
    candidates = [
        (r, distance_km((origin.lat, origin.lon), (r.lat, r.lon))) for r in regions(target)
        if not any(lacks(target, r.id, w) for w in wanted)
    ]
    if residency is not None and residency.lower() == "eu":
        candidates = [(r, km) for r, km in candidates if r.boundary == "EU"]
    if not candidates:
        return None

    def rank(pair: tuple[Region, float]):
        r, km = pair
        tier = 0 if residency is None else (0 if r.country == origin.country else 1 if r.boundary == origin.boundary else 2)
        return (tier, km, r.id)

    best, km = min(candidates, key=rank)
    return best, km, same_residency(origin, best)


def guess_cloud(region_id: str) -> str | None:
    """The cloud whose catalogue has `region_id` (region ids do not collide across clouds)."""
    return next((cloud for cloud in CLOUDS if region(cloud, region_id) is not None), None)
