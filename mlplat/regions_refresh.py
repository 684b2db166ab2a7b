"""`mlplat regions refresh`: compare the region catalogue (components/catalog/regions/) with the clouds'
own region APIs, and update what an API states outright. Needs credentials; without them a cloud is
skipped with the reason.

- AWS: SSM public parameters (any region's SSM endpoint, signed): `/aws/service/global-infrastructure/
  regions` (ids; `<id>/longName`, `<id>/geolocationCountry`, `<id>/partition`) and `.../services/<service>/
  regions` per service below. With `--write`, the `offers` list of each known region is rewritten from
  them (the Feature Store runtime is listed here, unlike in botocore's endpoint data).
- Azure: Subscriptions - List Locations (`GET management.azure.com/subscriptions/<id>/locations`,
  bearer token from azure-identity): physical regions, display names, coordinates.
- GCP: Compute Engine regions.list (`GET compute.googleapis.com/compute/v1/projects/<p>/regions`,
  bearer token from google-auth): region ids.
New regions are reported, never added: country, coordinates and service availability are curated
(docs/regions.md). Regions the API no longer lists are reported too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from components.catalog import regions as catalog

SSM_ROOT = "/aws/service/global-infrastructure"
# capability -> SSM service names that must all list the region
AWS_SERVICES = {
    "endpoints": ("sagemaker", "sagemaker-runtime"),
    "registry": ("sagemaker",),
    "feature_store": ("sagemaker", "sagemaker-featurestore-runtime"),
    "vector_search": ("opensearchserverless",),
    "training": ("batch",),
}
AZURE_API = "https://management.azure.com/subscriptions/{subscription}/locations?api-version=2022-12-01"
GCP_API = "https://compute.googleapis.com/compute/v1/projects/{project}/regions"
TIMEOUT = 30


class SourceUnavailable(Exception):
    """No credentials, or the API could not be reached or refused them."""


@dataclass
class RegionsReport:
    cloud: str
    skipped: str | None = None
    new: list[dict] = field(default_factory=list)  # regions the API lists and the catalogue does not
    gone: list[str] = field(default_factory=list)  # catalogue regions the API does not list
    changed: list[dict] = field(default_factory=list)  # {"region", "field", "old", "new"}
    written: bool = False

    def to_dict(self) -> dict:
        return {"cloud": self.cloud, "skipped": self.skipped, "new": self.new, "gone": self.gone,
                "changed": self.changed, "written": self.written}


# -- AWS -----------------------------------------------------------------------------------------------------
def _ssm_values(ssm, path: str) -> list[str]:
    pages = ssm.get_paginator("get_parameters_by_path").paginate(Path=path)
    return [p["Value"] for page in pages for p in page["Parameters"]]


def fetch_aws(ssm) -> dict[str, dict]:
    """region id -> {"name", "country", "offers"} for the commercial partition, from SSM."""
    ids = _ssm_values(ssm, f"{SSM_ROOT}/regions")
    listed = {service: set(_ssm_values(ssm, f"{SSM_ROOT}/services/{service}/regions"))
              for services in AWS_SERVICES.values() for service in services}
    found = {}
    for region_id in ids:
        attributes = {p["Name"].rsplit("/", 1)[1]: p["Value"] for p in
                      ssm.get_parameters_by_path(Path=f"{SSM_ROOT}/regions/{region_id}")["Parameters"]}
        if attributes.get("partition", "aws") != "aws":
            continue
        offers = [key for key, services in AWS_SERVICES.items() if all(region_id in listed[s] for s in services)]
        found[region_id] = {"name": attributes.get("longName", ""), "country": attributes.get("geolocationCountry", ""),
                            "offers": [*offers, "budget"]}
    return found


def _aws_client():
    import boto3
    import botocore.exceptions

    session = boto3.session.Session()
    if session.get_credentials() is None:
        raise SourceUnavailable("no AWS credentials (environment, profile or role)")
    return session.client("ssm", region_name=session.region_name or "us-east-1"), botocore.exceptions


# -- Azure and GCP (REST) ----------------------------------------------------------------------------------
def _get(url: str, token: str) -> dict:
    import requests

    try:
        response = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)
    except requests.RequestException as error:
        raise SourceUnavailable(f"{url.split('?')[0]}: {type(error).__name__}") from None
    if response.status_code != 200:
        raise SourceUnavailable(f"{url.split('?')[0]}: HTTP {response.status_code}")
    return response.json()


def fetch_azure(subscription: str, token: str) -> dict[str, dict]:
    found = {}
    for item in _get(AZURE_API.format(subscription=subscription), token).get("value", []):
        metadata = item.get("metadata") or {}
        if metadata.get("regionType") != "Physical" or metadata.get("latitude") is None:
            continue
        found[item["name"]] = {"name": item.get("displayName", ""),
                               "lat": float(metadata["latitude"]), "lon": float(metadata["longitude"])}
    return found


def fetch_gcp(project: str, token: str) -> dict[str, dict]:
    found, url = {}, GCP_API.format(project=project)
    while url:
        page = _get(url, token)
        for item in page.get("items", []):
            if item.get("status", "UP") == "UP":
                found[item["name"]] = {"zones": sorted(z.rsplit("/", 1)[1] for z in item.get("zones", []))}
        token_next = page.get("nextPageToken")
        url = f"{GCP_API.format(project=project)}?pageToken={token_next}" if token_next else None
    return found


# -- comparing and writing ---------------------------------------------------------------------------------
def compare(cloud: str, found: dict[str, dict]) -> RegionsReport:
    known = {r.id: r for r in catalog.regions(cloud)}
    report = RegionsReport(cloud=cloud)
    report.new = [{"region": region_id, **facts} for region_id, facts in sorted(found.items()) if region_id not in known]
    report.gone = sorted(set(known) - set(found))
    for region_id, facts in sorted(found.items()):
        region = known.get(region_id)
        if region is None:
            continue
        if "offers" in facts and set(facts["offers"]) != set(region.offers):
            report.changed.append({"region": region_id, "field": "offers", "old": sorted(region.offers),
                                   "new": sorted(facts["offers"])})
        if facts.get("country") and facts["country"] != region.country:
            report.changed.append({"region": region_id, "field": "country", "old": region.country, "new": facts["country"]})
        if "lat" in facts and catalog.distance_km((region.lat, region.lon), (facts["lat"], facts["lon"])) > 50:
            report.changed.append({"region": region_id, "field": "coordinates", "old": [region.lat, region.lon],
                                   "new": [facts["lat"], facts["lon"]]})
    return report


def write_offers(path: Path, changes: list[dict]) -> str:
    """The catalogue file text with each changed region's `offers: [...]` replaced (order of CAPABILITIES)."""
    text = path.read_text()
    for change in changes:
        if change["field"] != "offers":
            continue
        ordered = [c for c in catalog.CAPABILITIES if c in change["new"]]
        pattern = re.compile(rf"^(  {re.escape(change['region'])}: \{{.*?offers: )\[[^\]]*\]", re.M)
        text, count = pattern.subn(lambda m: f"{m[1]}[{', '.join(ordered)}]", text)
        if count != 1:
            raise ValueError(f"{path}: regions.{change['region']}: cannot find its offers list to rewrite")
    return text


def _aws_found(ssm, subscription, project, token) -> dict[str, dict]:
    errors = None
    if ssm is None:
        ssm, errors = _aws_client()
    try:
        return fetch_aws(ssm)
    except Exception as error:  # noqa: BLE001 - botocore's errors: one reason line, never a traceback
        if errors is not None and not isinstance(error, (errors.BotoCoreError, errors.ClientError)):
            raise
        raise SourceUnavailable(f"SSM: {type(error).__name__}: {error}") from None


def _azure_found(ssm, subscription, project, token) -> dict[str, dict]:
    if not (subscription and token):
        raise SourceUnavailable("needs --azure-subscription and an Azure credential (az login)")
    return fetch_azure(subscription, token)


def _gcp_found(ssm, subscription, project, token) -> dict[str, dict]:
    if not (project and token):
        raise SourceUnavailable("needs --gcp-project and Google credentials (gcloud auth application-default login)")
    return fetch_gcp(project, token)


def _no_token(subscription, project) -> None:
    return None


def _azure_token(subscription, project) -> str | None:
    from mlplat.cloud_tokens import azure_token

    return azure_token() if subscription else None


def _gcp_token(subscription, project) -> str | None:
    from mlplat.cloud_tokens import gcp_token

    return gcp_token() if project else None


@dataclass(frozen=True)
class RegionSource:
    """How one cloud's region list is read: `found(ssm, subscription, project, token)` -> {region id: facts}
    (SourceUnavailable: the cloud is skipped with the reason); `token(subscription, project)` -> the bearer
    token its API needs from the default credential, or None."""

    found: Callable[..., dict]
    token: Callable[[Optional[str], Optional[str]], Optional[str]] = _no_token


_SOURCES: dict[str, RegionSource] = {}


def register_region_source(cloud: str, source: RegionSource) -> None:
    _SOURCES[cloud] = source


register_region_source("aws", RegionSource(_aws_found))
register_region_source("azure", RegionSource(_azure_found, _azure_token))
register_region_source("gcp", RegionSource(_gcp_found, _gcp_token))


def source_clouds() -> tuple[str, ...]:
    return tuple(_SOURCES)


def credential_token(cloud: str, subscription: str | None = None, project: str | None = None) -> str | None:
    """The token `refresh` needs for `cloud`, from the default credential (None: none, or not needed)."""
    source = _SOURCES.get(cloud)
    return source.token(subscription, project) if source else None


def refresh(cloud: str, write: bool = False, *, ssm=None, subscription: str | None = None,
            project: str | None = None, token: str | None = None, directory: Path | None = None) -> RegionsReport:
    """Compare one cloud's catalogue with its API; `write` rewrites AWS availability lists."""
    source = _SOURCES.get(cloud)
    if source is None:
        raise ValueError(f"unknown cloud {cloud!r}")
    try:
        found = source.found(ssm, subscription, project, token)
    except SourceUnavailable as why:
        return RegionsReport(cloud=cloud, skipped=str(why))
    report = compare(cloud, found)
    if write and cloud == "aws" and any(c["field"] == "offers" for c in report.changed):
        path = (directory or catalog.CATALOG_DIR) / f"{cloud}.yaml"
        text = write_offers(path, report.changed)
        tmp = path.with_suffix(".yaml.tmp")
        tmp.write_text(text)
        tmp.replace(path)
        catalog.catalogue.cache_clear()
        report.written = True
    return report


def render(report: RegionsReport) -> str:
    if report.skipped:
        return f"{report.cloud}: skipped: {report.skipped}"
    lines = [f"{report.cloud}: {len(report.new)} new, {len(report.gone)} no longer listed, {len(report.changed)} changed"
             + (" (written)" if report.written else "")]
    lines += [f"  new: {n['region']} {n.get('name', '')} (curate country, coordinates and services)" for n in report.new]
    lines += [f"  gone: {g}" for g in report.gone]
    lines += [f"  {c['region']} {c['field']}: {c['old']} -> {c['new']}" for c in report.changed]
    return "\n".join(lines)
