"""`mlplat models refresh`: the model catalogue (components/catalog/models.yaml) against the clouds'
model-listing APIs, one region at a time (credentials needed; a cloud without them is skipped with the reason).

- AWS: Bedrock `ListFoundationModels` in the region (boto3, the default credential chain): the ids of models
  the region serves on demand (in-region); a model listed only for cross-Region inference profiles is not.
- Azure: `GET /subscriptions/<id>/providers/Microsoft.CognitiveServices/locations/<region>/models`
  (api-version 2024-10-01, Entra ID token): `model.name` + `model.version` with format OpenAI.
- GCP: `GET https://<region>-aiplatform.googleapis.com/v1beta1/publishers/google/models` (OAuth token):
  publisher model names. A row called through the global endpoint (`location: global`) is left alone: a
  region's listing does not say what the global endpoint serves.

A row whose model is listed gains the region; a row whose model is not listed (a retired version too) loses
it; every row checked gets today's date. Prices and quotas are not in these APIs: they and the price's
`basis` stay as they are (their source pages are named in the row). `--write` rewrites models.yaml line by line (comments kept).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from components.catalog.models import CATALOG_PATH, load

AZURE_API = "2024-10-01"
Fetch = Callable[[str, str | None], dict]  # (url, bearer token) -> JSON document


@dataclass
class ModelsReport:
    cloud: str
    region: str
    skipped: str | None = None
    added: list[str] = field(default_factory=list)  # neutral names now offered in the region
    removed: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    written: bool = False

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _http_get(url: str, token: str | None) -> dict:
    import json
    import urllib.request

    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (fixed https API hosts)
        return json.loads(response.read())


def offered_aws(region: str, client=None) -> set[str]:
    if client is None:
        import boto3

        client = boto3.client("bedrock", region_name=region)
    summaries = client.list_foundation_models().get("modelSummaries", [])
    return {summary["modelId"] for summary in summaries
            if "ON_DEMAND" in summary.get("inferenceTypesSupported", ["ON_DEMAND"])}


def offered_azure(region: str, subscription: str, token: str, fetch: Fetch = _http_get) -> set[str]:
    url = (f"https://management.azure.com/subscriptions/{subscription}/providers/Microsoft.CognitiveServices"
           f"/locations/{region}/models?api-version={AZURE_API}")
    found = set()
    while url:
        page = fetch(url, token)
        for entry in page.get("value", []):
            model = entry.get("model") or {}
            if model.get("format") == "OpenAI":
                found.add(f"{model.get('name')}:{model.get('version')}")
        url = page.get("nextLink")
    return found


def offered_gcp(region: str, token: str, fetch: Fetch = _http_get) -> set[str]:
    base = f"https://{region}-aiplatform.googleapis.com/v1beta1/publishers/google/models"
    found, page_token = set(), ""
    while True:
        page = fetch(base + (f"?pageToken={page_token}" if page_token else ""), token)
        found |= {model["name"] for model in page.get("publisherModels", [])}
        page_token = page.get("nextPageToken") or ""
        if not page_token:
            return found


# (region, Azure subscription) -> (the model ids the region offers, or None and why the cloud was skipped).
OfferedSource = Callable[[str, "str | None"], "tuple[set[str] | None, str | None]"]
_SOURCES: dict[str, OfferedSource] = {}


def register_model_source(cloud: str, source: OfferedSource) -> None:
    _SOURCES[cloud] = source


def offered(cloud: str, region: str, subscription: str | None = None) -> tuple[set[str] | None, str | None]:
    """What `region` of `cloud` offers, through the cloud's registered source; an API refusal is the reason
    the cloud is skipped, never an exception."""
    source = _SOURCES.get(cloud)
    if source is None:
        return None, f"no model listing is registered for {cloud}"
    try:
        return source(region, subscription)
    except Exception as error:  # noqa: BLE001 - an API refusal is reported, not raised
        return None, f"{type(error).__name__}: {error}"


def _aws_offered(region: str, _subscription: str | None):
    import boto3

    if boto3.session.Session().get_credentials() is None:
        return None, "no AWS credentials"
    return offered_aws(region), None


def _azure_offered(region: str, subscription: str | None):
    from mlplat.cloud_tokens import azure_token

    token = azure_token() if subscription else None
    if token is None:
        return None, "no Azure credentials or --azure-subscription"
    return offered_azure(region, subscription, token), None


def _gcp_offered(region: str, _subscription: str | None):
    from mlplat.cloud_tokens import GCP_CLOUD_PLATFORM, gcp_token

    token = gcp_token(GCP_CLOUD_PLATFORM)
    return (offered_gcp(region, token), None) if token else (None, "no Google credentials")


register_model_source("aws", _aws_offered)
register_model_source("azure", _azure_offered)
register_model_source("gcp", _gcp_offered)


def row_key(row) -> str:
    return f"{row.model_id}:{row.model_version}" if row.cloud == "azure" else row.model_id


def apply(text: str, cloud: str, region: str, offered: set[str], path: Path = CATALOG_PATH,
          today: str | None = None) -> tuple[str, ModelsReport]:
    """The catalogue text with `region` added to / removed from each `cloud` row as `offered` says."""
    today = today or datetime.date.today().isoformat()
    report = ModelsReport(cloud, region)
    lines = text.splitlines(keepends=True)
    for name, rows in load(path).items():
        row = rows[cloud]
        if row.location:
            continue
        listed = row_key(row) in offered or (cloud == "gcp" and row.model_id.rsplit("/", 1)[-1] in offered)
        regions = list(row.regions)
        if listed and region not in regions:
            regions.append(region)
            report.added.append(name)
        elif not listed and region in regions:
            regions.remove(region)
            report.removed.append(name)
        else:
            report.confirmed.append(name)
        start = _row_start(lines, name, cloud)
        for i in range(start, len(lines)):
            if re.match(r"^      regions: ", lines[i]):
                lines[i] = f"      regions: [{', '.join(regions)}]\n"
            elif re.match(r"^      date: ", lines[i]):
                lines[i] = f'      date: "{today}"\n'
            elif re.match(r"^    \S", lines[i]) or re.match(r"^  \S", lines[i]):
                break
    return "".join(lines), report


def _row_start(lines: list[str], name: str, cloud: str) -> int:
    model = next(i for i, line in enumerate(lines) if line.rstrip() == f"  {name}:")
    return next(i for i in range(model + 1, len(lines)) if lines[i].rstrip() == f"    {cloud}:") + 1


def refresh(cloud: str, region: str, write: bool, offered: set[str] | None, skipped: str | None = None,
            path: Path = CATALOG_PATH) -> ModelsReport:
    if offered is None:
        return ModelsReport(cloud, region, skipped=skipped or "no credentials")
    text, report = apply(path.read_text(encoding="utf-8"), cloud, region, offered, path)
    if write:
        path.write_text(text, encoding="utf-8")
        load(path)  # the rewritten file still parses
        report.written = True
    return report


def render(report: ModelsReport) -> str:
    if report.skipped:
        return f"{report.cloud} {report.region}: skipped ({report.skipped})"
    parts = [f"added: {', '.join(report.added) or '-'}", f"removed: {', '.join(report.removed) or '-'}",
             f"confirmed: {', '.join(report.confirmed) or '-'}"]
    return f"{report.cloud} {report.region}: " + "; ".join(parts) + (" (written)" if report.written else " (dry run)")
