"""Regions in the spec: does the region exist, does it offer what the spec asks for, and which region of
another cloud is its equivalent. The facts come from the region catalogue (components/catalog/regions/).

Rendering a spec on another cloud (`mlplat plan --cloud ...`) moves it to the nearest region of that
cloud offering every capability the spec uses (same country / data boundary first under `residency`);
`--region` overrides the choice.
"""

from __future__ import annotations

from typing import Any

from ..catalog import regions as catalog
from ..catalog.models import kind_error, model_for
from .base import Cloud

_NEAREST = 3

def _cloud(name):
    from ..registry import cloud_of

    return cloud_of(name)


def _name(cloud) -> str:
    return getattr(cloud, "value", cloud)


def _catalogued(*clouds) -> bool:
    """The region catalogue has data for every one of `clouds` (a cloud registered without it falls back
    to its own region shape and metro table, `components/cloud.py`)."""
    return all(_name(c) in catalog.CLOUDS for c in clouds)


def region_example(cloud) -> str:
    return _cloud(cloud).region_example


class RegionMappingError(ValueError):
    """No region of the target cloud can host the spec; the message says why."""


def _nearest_text(cloud: str, origin, where: list[str]) -> str:
    found = catalog.nearest_regions(cloud, origin, _NEAREST, where)
    return ", ".join(f"{r.id} ({km:.0f} km)" for r, km in found) or "none in the region catalogue"


def region_error(cloud: Cloud, region: str) -> str | None:
    """Why `region` is not a region of `cloud` (with the nearest spellings), or None when it is one."""
    if not _catalogued(cloud):
        return _cloud(cloud).region_error(region)
    if catalog.region(cloud.value, region) is not None:
        return None
    other = catalog.guess_cloud(region)
    if other and other != cloud.value:
        nearest = catalog.equivalent(region, other, cloud.value)
        suggestion = f"; the nearest {cloud.value} region is {nearest[0].id!r} ({nearest[1]:.0f} km)" if nearest else ""
        return (f"{region!r} is a region of {other}, not a region of {cloud.value}{suggestion} "
                f"(every {cloud.value} region: components/catalog/regions/{cloud.value}.yaml)")
    guesses = ", ".join(repr(i) for i in catalog.did_you_mean(cloud.value, region))
    return (f"{region!r} is not a region of {cloud.value}; did you mean {guesses}? "
            f"(every {cloud.value} region: components/catalog/regions/{cloud.value}.yaml)")


def requested(spec: Any) -> list[tuple[str, str]]:
    """(field path, capability or gpu:<class>) for everything `spec` (a PlatformSpec or its raw dict)
    asks the region for."""
    get = (lambda key: spec.get(key)) if isinstance(spec, dict) else (lambda key: _dumped(getattr(spec, key, None)))
    wanted: list[tuple[str, str]] = []
    for key in ("training", "feature_store", "registry", "vector_search", "budget"):
        if get(key) is not None:
            wanted.append((key, key))
    training = get("training")
    if isinstance(training, dict) and isinstance(training.get("gpu"), str):
        wanted.append(("training.gpu", catalog.GPU_PREFIX + training["gpu"]))
    endpoints = get("endpoints") if isinstance(get("endpoints"), list) else []
    if endpoints:
        wanted.append(("endpoints", "endpoints"))
    for i, endpoint in enumerate(endpoints):
        compute = endpoint.get("compute") if isinstance(endpoint, dict) else None
        if isinstance(compute, str) and compute != "cpu":
            wanted.append((f"endpoints.{i}.compute", catalog.GPU_PREFIX + compute))
        model = endpoint.get("model") if isinstance(endpoint, dict) else None
        if isinstance(model, dict) and model.get("image") is None:
            # No image of its own: the region must have the cloud's prebuilt serving image.
            framework = model.get("framework") if isinstance(model.get("framework"), str) else ""
            wanted.append((f"endpoints.{i}.model.image",
                           f"{catalog.IMAGE_PREFIX}{compute if isinstance(compute, str) else 'cpu'}:{framework}"))
    return wanted + _models_requested(get("rag"))


def _models_requested(rag: Any) -> list[tuple[str, str]]:
    """The foundation models a `rag` section (dumped or as written) asks the region for. A name that is not
    a model of the right kind asks for nothing here: the rag check names it."""
    from .rag import RagSpec

    if not isinstance(rag, dict):
        return []
    wanted = []
    for field, kind in (("chat_model", "chat"), ("embedding_model", "embedding")):
        name = rag.get(field) or RagSpec.model_fields[field].default
        if isinstance(name, str) and kind_error(name, kind) is None:
            wanted.append((f"rag.{field}", catalog.MODEL_PREFIX + name))
    return wanted


def _dumped(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, list):
        return [_dumped(item) for item in value]
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


def availability_errors(spec: Any, cloud: Cloud, region: str) -> list[str]:
    """`<field path>: <why>` for each capability or GPU class the region is known not to offer."""
    problems = []
    if not _catalogued(cloud):
        return problems
    for field, what in requested(spec):
        if what.startswith(catalog.IMAGE_PREFIX):
            continue  # the serving-image check names the image and the known regions itself
        if not catalog.lacks(cloud.value, region, what):
            continue
        if what.startswith(catalog.GPU_PREFIX):
            gpu = what[len(catalog.GPU_PREFIX):]
            found = catalog.region(cloud.value, region)
            source = found.gpu_source if found else ""
            problems.append(f"{field}: {cloud.value} offers no {gpu} GPUs in {region} (per {source}); "
                            f"nearest regions known to offer {gpu}: {_nearest_text(cloud.value, region, [what])}")
        elif what.startswith(catalog.MODEL_PREFIX):
            from .rag import eu_note

            name = what[len(catalog.MODEL_PREFIX):]
            problems.append(f"{field}: {name} ({model_for(cloud.value, name).model_id}) is not offered on "
                            f"{cloud.value} in region {region}; nearest regions offering it: "
                            f"{_nearest_text(cloud.value, region, [what])}{eu_note(cloud.value, region)}")
        else:
            service = _cloud(cloud).service_names.get(what, what)
            problems.append(f"{field}: {what} ({service}) is not offered in {cloud.value} region {region}; "
                            f"nearest regions offering it: {_nearest_text(cloud.value, region, [what])}")
    return problems


def residency_error(residency: str | None, cloud: Cloud, region: str) -> str | None:
    """Why `region` breaks the spec's residency (`eu`: EU/EEA regions only), or None."""
    if not _catalogued(cloud):
        return None
    found = catalog.region(cloud.value, region)
    if residency != "eu" or found is None or found.boundary == "EU":
        return None
    eu = [(r, km) for r, km in catalog.nearest_regions(cloud.value, found, 1000) if r.boundary == "EU"]
    return (f"residency: 'eu' keeps the platform in the EU/EEA but {cloud.value} region {region} is in "
            f"{found.country}; nearest EU regions: {', '.join(f'{r.id} ({km:.0f} km)' for r, km in eu[:_NEAREST])}")


def equivalent_region(region: str, source: Cloud, target: Cloud) -> str | None:
    """The nearest region of `target` to `region` on `source` (no capability asked for)."""
    if source == target:
        return region
    if not _catalogued(source, target):
        return _metro_equivalent(region, source, target)
    found = catalog.equivalent(region, source.value, target.value)
    return found[0].id if found else None


def _metro_equivalent(region: str, source, target) -> str | None:
    metro = _cloud(source).metro_of(region)
    return _cloud(target).metro_regions.get(metro) if metro else None


def equivalent_for_spec(raw: dict, source: Cloud, target: Cloud) -> str:
    """The region of `target` to render the raw spec in: nearest to its region on `source` among the
    regions offering everything it asks for (EU only under `residency: eu`)."""
    region = raw.get("region")
    if source == target:
        return region
    problem = region_error(source, region)
    if problem:
        raise RegionMappingError(problem)
    if not _catalogued(source, target):
        nearest = _metro_equivalent(region, source, target)
        if nearest is None:
            raise RegionMappingError(f"{target.value} has no region listed for the metro area of {region}; "
                                     f"pass --region with a {target.value} region")
        return nearest
    asked = requested(raw)
    residency = raw.get("residency") if isinstance(raw.get("residency"), str) else None
    found = catalog.equivalent(region, source.value, target.value, [what for _, what in asked], residency)
    if found is None:
        raise RegionMappingError(_no_equivalent(asked, region, source, target, residency))
    return found[0].id


def _no_equivalent(asked: list[tuple[str, str]], region: str, source: Cloud, target: Cloud,
                   residency: str | None) -> str:
    """Why no region of `target` can host the spec of `source` `region`: each field no region in scope
    offers (with the nearest regions offering it anywhere), or, when each is offered somewhere, that no
    region offers them all."""
    eu = residency is not None and residency.lower() == "eu"
    scope = " in the EU/EEA (residency: eu)" if eu else ""
    pool = [r for r in catalog.regions(target.value) if not eu or r.boundary == "EU"]
    origin = catalog.region(source.value, region)
    missing = [
        f"{field} ({what}) is offered in none of them (nearest offering it anywhere: "
        f"{_nearest_text(target.value, origin, [what])})"
        for field, what in asked if all(catalog.lacks(target.value, r.id, what) for r in pool)
    ]
    why = "; ".join(missing) or "none offers all of " + ", ".join(f"{f} ({w})" for f, w in asked)
    return (f"no {target.value} region{scope} can host the spec of {source.value} {region}: {why}; "
            f"pass --region with a region of {target.value}")


def mapping_note(region: str, source: Cloud, target_region: str, target: Cloud, overridden: bool) -> str:
    """How the plan states the region move: "europe-west4 -> eu-central-1, 392 km, same residency"."""
    origin, chosen = catalog.region(source.value, region), catalog.region(target.value, target_region)
    how = " (--region)" if overridden else " (nearest offering every capability asked for)"
    if origin is None or chosen is None:
        return f"{source.value} {region} -> {target.value} {target_region}{how}"
    km = catalog.distance_km((origin.lat, origin.lon), (chosen.lat, chosen.lon))
    residency = "same residency" if catalog.same_residency(origin, chosen) else \
        f"different residency ({origin.boundary} -> {chosen.boundary})"
    return f"{source.value} {region} -> {target.value} {target_region}, {km:.0f} km, {residency}{how}"


def mapping_gaps(raw: Any, spec) -> list[dict]:
    """The plan's statement of the region move when `raw` (the spec as written) is rendered as `spec` on
    another cloud; [] when it stays on its own cloud."""
    if not isinstance(raw, dict) or raw.get("cloud") == spec.cloud.value or not isinstance(raw.get("region"), str):
        return []
    try:
        source = Cloud(raw["cloud"])
        nearest = equivalent_for_spec(raw, source, spec.cloud)
    except (ValueError, RegionMappingError):
        return []
    note = mapping_note(raw["region"], source, spec.region, spec.cloud, overridden=spec.region != nearest)
    target, gpus = spec.cloud.value, {what for _, what in requested(raw) if what.startswith(catalog.GPU_PREFIX)}
    unknown = sorted(what[len(catalog.GPU_PREFIX):] for what in gpus
                     if not catalog.offers(target, spec.region, what) and not catalog.lacks(target, spec.region, what))
    if unknown:  # chosen because nothing says it lacks the class, not because anything says it has it
        note += (f"; {', '.join(unknown)} GPU availability in {spec.region} is not in the region catalogue "
                 f"(components/catalog/regions/{target}.yaml): check it before `pulumi up`")
    return [{"capability": "region", "cloud": spec.cloud.value, "gap": note}]


def guess_cloud_of_region(region: str) -> Cloud | None:
    from ..registry import CLOUDS

    cloud = catalog.guess_cloud(region) or next((c.name for c in CLOUDS if c.metro_of(region)), None)
    return Cloud(cloud) if cloud else None
