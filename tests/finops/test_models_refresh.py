"""`mlplat models refresh` with faked model-listing API responses: rows gain and lose regions, the file keeps
its comments and still parses, and a cloud without credentials is skipped."""

from __future__ import annotations

import shutil

from components.catalog import models
from mlplat.finops import models_refresh as m


class FakeBedrock:
    def list_foundation_models(self):
        return {"modelSummaries": [
            {"modelId": "amazon.nova-lite-v1:0", "inferenceTypesSupported": ["ON_DEMAND"]},
            {"modelId": "amazon.titan-embed-text-v2:0", "inferenceTypesSupported": ["ON_DEMAND"]},
            # listed, but only through cross-Region inference profiles: not offered in-region
            {"modelId": "amazon.nova-pro-v1:0", "inferenceTypesSupported": ["INFERENCE_PROFILE"]},
        ]}


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
        "first": {"value": [{"model": {"name": "gpt-5.4-mini", "version": "2026-03-17", "format": "OpenAI"}}],
                  "nextLink": "second"},
        "second": {"value": [{"model": {"name": "text-embedding-3-small", "version": "1", "format": "OpenAI"}},
                             {"model": {"name": "gpt-5.4", "version": "2025-01-01", "format": "OpenAI"}}]},
    }
    seen = []

    def fetch(url, token):
        seen.append((url, token))
        return pages["second" if url == "second" else "first"]

    offered = m.offered_azure("eastus", "sub-1", "tok", fetch)
    assert seen[0][0].startswith("https://management.azure.com/subscriptions/sub-1/providers/Microsoft.CognitiveServices/locations/eastus/models")
    _, report = m.apply(models.CATALOG_PATH.read_text(), "azure", "eastus", offered)
    assert "chat-large" in report.removed  # gpt-5.4 listed only in another version
    assert "chat-small" in report.confirmed


def test_gcp_listing_and_skipped_cloud():
    def fetch(url, token):
        return {"publisherModels": [{"name": "publishers/google/models/text-embedding-005"},
                                    {"name": "publishers/google/models/gemini-3.1-flash-lite"}]}

    offered = m.offered_gcp("europe-west2", "tok", fetch)
    text, report = m.apply(models.CATALOG_PATH.read_text(), "gcp", "europe-west2", offered)
    assert report.added == ["embed-compact"]
    # the chat rows are called through the global endpoint: a region's listing leaves them alone
    assert "chat-small" not in report.added + report.removed + report.confirmed
    assert text.count("europe-west2") == 1
    skipped = m.refresh("gcp", "us-central1", False, None, "no Google credentials")
    assert m.render(skipped) == "gcp us-central1: skipped (no Google credentials)"


def test_a_region_of_another_cloud_is_refused_with_the_nearest_ids(monkeypatch):
    import json

    from typer.testing import CliRunner

    from cli.app import app

    asked = []
    monkeypatch.setattr(m, "offered", lambda *args: asked.append(args) or (None, "no credentials"))
    result = CliRunner().invoke(app, ["models", "refresh", "--cloud", "azure", "--region", "us-east-1"])
    assert result.exit_code == 2 and not asked  # refused before any listing is asked for
    assert "--region: 'us-east-1' is a region of aws, not a region of azure; the nearest azure region is 'eastus'" in result.output
    result = CliRunner().invoke(app, ["models", "refresh", "--cloud", "azure", "--region", "eastus", "--region", "eastus2x",
                                      "-f", "json"])
    assert result.exit_code == 2 and not asked
    [line] = json.loads(result.stdout)["error"]
    assert line.startswith("--region: 'eastus2x' is not a region of azure; did you mean 'eastus2'")
