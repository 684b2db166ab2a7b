"""`mlplat regions refresh`: AWS against moto's copy of the SSM global-infrastructure parameters, Azure and
GCP against recorded-shape HTTP answers (`responses`); no live network."""

from __future__ import annotations

import shutil

import boto3
import pytest
import responses
import yaml
from moto import mock_aws
from typer.testing import CliRunner

from cli.app import app
from components.catalog import regions as catalog
from mlplat import regions_refresh

@pytest.fixture
def ssm(no_aws_config, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("ssm", region_name="us-east-1")


@pytest.fixture
def catalogue_copy(tmp_path):
    shutil.copy(catalog.CATALOG_DIR / "aws.yaml", tmp_path / "aws.yaml")
    yield tmp_path
    catalog.catalogue.cache_clear()


def test_aws_regions_come_from_ssm_commercial_partition_only(ssm):
    found = regions_refresh.fetch_aws(ssm)
    assert found["us-east-1"]["country"] == "US" and found["us-east-1"]["name"] == "US East (N. Virginia)"
    assert not [r for r in found if r.startswith(("us-gov-", "cn-"))]
    assert {"endpoints", "registry", "training", "budget"} <= set(found["eu-central-1"]["offers"])


def test_aws_report_lists_changes_against_the_catalogue(ssm):
    report = regions_refresh.refresh("aws", ssm=ssm)
    assert report.skipped is None
    found = regions_refresh.fetch_aws(ssm)
    assert [n["region"] for n in report.new] == sorted(set(found) - {r.id for r in catalog.regions("aws")})
    for change in report.changed:
        assert change["region"] in found and change["old"] != change["new"]


def test_aws_write_rewrites_only_the_offers_lists(ssm, catalogue_copy):
    report = regions_refresh.refresh("aws", write=False, ssm=ssm)
    changes = [{"region": "af-south-1", "field": "offers", "old": [], "new": ["budget", "endpoints"]}]
    text = regions_refresh.write_offers(catalogue_copy / "aws.yaml", changes)
    before = yaml.safe_load((catalogue_copy / "aws.yaml").read_text())
    after = yaml.safe_load(text)
    assert after["regions"]["af-south-1"]["offers"] == ["endpoints", "budget"]
    after["regions"]["af-south-1"]["offers"] = before["regions"]["af-south-1"]["offers"]
    assert after == before
    assert report.written is False


def test_aws_without_credentials_is_skipped_with_the_reason(no_aws_config):
    report = regions_refresh.refresh("aws")
    assert report.skipped and "credentials" in report.skipped
    result = CliRunner().invoke(app, ["regions", "refresh", "--cloud", "aws"])
    assert result.exit_code == 0 and "aws: skipped:" in result.stdout


AZURE_URL = regions_refresh.AZURE_API.format(subscription="sub-1")
GCP_URL = regions_refresh.GCP_API.format(project="proj-1")


def test_azure_list_locations_reports_new_gone_and_moved_regions():
    value = [
        {"name": r.id, "displayName": r.name,
         "metadata": {"regionType": "Physical", "latitude": str(r.lat), "longitude": str(r.lon)}}
        for r in catalog.regions("azure") if r.id not in ("ukwest", "westeurope")
    ]
    value.append({"name": "westeurope", "displayName": "West Europe",
                  "metadata": {"regionType": "Physical", "latitude": "40.0", "longitude": "4.9"}})
    value.append({"name": "atlantisnorth", "displayName": "Atlantis North",
                  "metadata": {"regionType": "Physical", "latitude": "31.0", "longitude": "-24.0"}})
    value.append({"name": "europe", "displayName": "Europe", "metadata": {"regionType": "Logical"}})
    with responses.RequestsMock() as http:
        http.add(responses.GET, AZURE_URL, json={"value": value})
        report = regions_refresh.refresh("azure", subscription="sub-1", token="t")
    assert [n["region"] for n in report.new] == ["atlantisnorth"]
    assert report.gone == ["ukwest"]
    assert [(c["region"], c["field"]) for c in report.changed] == [("westeurope", "coordinates")]
    assert "atlantisnorth" in regions_refresh.render(report)


def test_gcp_regions_list_pages_and_reports():
    items = [{"name": r.id, "status": "UP", "zones": [f"https://x/zones/{r.id}-a"]} for r in catalog.regions("gcp")]
    with responses.RequestsMock() as http:
        http.add(responses.GET, GCP_URL, json={"items": items[:20], "nextPageToken": "p2"})
        http.add(responses.GET, GCP_URL + "?pageToken=p2", json={"items": items[20:-1]})
        report = regions_refresh.refresh("gcp", project="proj-1", token="t")
    assert report.new == [] and report.gone == [items[-1]["name"]] and report.changed == []


@pytest.mark.parametrize("cloud", ["azure", "gcp"])
def test_unreachable_or_refused_is_skipped(cloud):
    url = AZURE_URL if cloud == "azure" else GCP_URL
    with responses.RequestsMock() as http:
        http.add(responses.GET, url, status=403)
        report = regions_refresh.refresh(cloud, subscription="sub-1", project="proj-1", token="t")
    assert report.skipped and "HTTP 403" in report.skipped
    assert regions_refresh.refresh(cloud).skipped.startswith("needs --")  # no subscription / project / token


def test_every_registry_cloud_has_a_region_source_in_registry_order():
    from components.registry import cloud_names

    assert regions_refresh.source_clouds() == cloud_names()


def test_a_cloud_without_its_subscription_or_project_asks_for_no_token():
    assert regions_refresh.credential_token("azure", None, "p") is None
    assert regions_refresh.credential_token("gcp", "s", None) is None
    assert regions_refresh.credential_token("aws", "s", "p") is None
