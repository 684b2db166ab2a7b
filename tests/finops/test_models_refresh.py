"""`mlplat models refresh` with faked model-listing API responses: rows gain and lose regions, the file keeps
its comments and still parses, and a cloud without credentials is skipped."""

from __future__ import annotations

import shutil

from components.catalog import models
from mlplat.finops import models_refresh as m


class FakeBedrock:
    def list_foundation_models(self):
        return {"modelSummaries": [{"modelId": "anthropic.claude-3-haiku-20240307-v1:0"},
                                   {"modelId": "amazon.titan-embed-text-v2:0"}]}


def test_aws_listing_adds_and_removes_the_region(tmp_path):
    path = tmp_path / "models.yaml"
    shutil.copy(models.CATALOG_PATH, path)
    offered = m.offered_aws("eu-west-3", client=FakeBedrock())
    report = m.refresh("aws", "eu-west-3", True, offered, path=path)
    assert set(report.added) == {"chat-small", "embed-text", "embed-compact"}
    assert report.removed == [] and report.confirmed == ["chat-large"]  # not listed there, and never was
    rows = models.load(path)
    assert "eu-west-3" in rows["chat-small"]["aws"].regions and "eu-west-3" not in rows["chat-large"]["aws"].regions
    assert "# Model catalogue" in path.read_text() and report.written
    report = m.refresh("aws", "us-east-1", False, set(), path=path)  # nothing listed: every row loses us-east-1
    assert set(report.removed) == set(rows) and not report.written
    assert "us-east-1" in models.load(path)["chat-small"]["aws"].regions  # dry run left the file alone


def test_azure_listing_pages_and_matches_name_and_version():
    pages = {
        "first": {"value": [{"model": {"name": "gpt-4o-mini", "version": "2024-07-18", "format": "OpenAI"}}],
                  "nextLink": "second"},
        "second": {"value": [{"model": {"name": "text-embedding-3-small", "version": "1", "format": "OpenAI"}},
                             {"model": {"name": "gpt-4o", "version": "2024-05-13", "format": "OpenAI"}}]},
    }
    seen = []

    def fetch(url, token):
        seen.append((url, token))
        return pages["second" if url == "second" else "first"]

    offered = m.offered_azure("swedencentral", "sub-1", "tok", fetch)
    assert seen[0][0].startswith("https://management.azure.com/subscriptions/sub-1/providers/Microsoft.CognitiveServices/locations/swedencentral/models")
    _, report = m.apply(models.CATALOG_PATH.read_text(), "azure", "swedencentral", offered)
    assert "chat-large" in report.removed  # gpt-4o listed only in another version
    assert "chat-small" in report.confirmed


def test_gcp_listing_and_skipped_cloud():
    def fetch(url, token):
        return {"publisherModels": [{"name": "publishers/google/models/gemini-2.0-flash-001"}]}

    offered = m.offered_gcp("europe-west2", "tok", fetch)
    _, report = m.apply(models.CATALOG_PATH.read_text(), "gcp", "europe-west2", offered)
    assert report.added == ["chat-small"]
    skipped = m.refresh("gcp", "us-central1", False, None, "no Google credentials")
    assert m.render(skipped) == "gcp us-central1: skipped (no Google credentials)"
