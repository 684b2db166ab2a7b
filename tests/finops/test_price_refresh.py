"""`mlplat prices refresh` against recorded responses (tests/fixtures/prices/, see its README): the rows
change to the recorded prices, every other row and column is untouched, source/date are updated, a second
run changes nothing, an unreachable source is skipped with its reason, a missing SKU exits 1.
No live network: Azure/GCP HTTPS calls are answered by `responses`; AWS talks real HTTP to a loopback server."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import shutil
import urllib.parse
from pathlib import Path

import pytest
import requests
import responses
from typer.testing import CliRunner

from cli.app import app
from components.catalog.prices import PRICES_FILE, load_catalog
from tests.support.plans import FIXTURES_DIR

FIXTURES = FIXTURES_DIR / "prices"
TODAY = datetime.date.today().isoformat()


@pytest.fixture
def catalog(tmp_path) -> Path:
    path = tmp_path / "prices.csv"
    shutil.copyfile(PRICES_FILE, path)
    return path


def records(path: Path) -> dict[tuple[str, str, str], dict]:
    return {(r["cloud"], r["region"], r["sku"]): r for r in csv.DictReader(io.StringIO(path.read_text()))}


def run(catalog: Path, *args: str, env: dict | None = None):
    return CliRunner().invoke(app, ["prices", "refresh", "--catalog", str(catalog), *args], env=env)


def assert_only_changed(before: dict, after: dict, changed: set, columns=("on_demand_usd", "spot_usd", "source", "date")):
    assert list(before) == list(after), "row order changed"
    for key, row in before.items():
        if key in changed:
            assert {k: v for k, v in row.items() if k not in columns} == \
                   {k: v for k, v in after[key].items() if k not in columns}, key
        else:
            assert after[key] == row, key


# -- Azure Retail Prices API ------------------------------------------------------------------------------

AZURE_URL = re.compile(r"https://prices\.azure\.com(:443)?/api/retail/prices.*")


def azure_fixture_name(request) -> tuple[str, str]:
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.url).query)
    where = query["$filter"][0]
    region = re.search(r"armRegionName eq '([^']+)'", where)[1]
    if "Virtual Machines" in where:
        name = re.search(r"armSkuName eq '([^']+)'", where)[1]
    else:
        tier = re.search(r"skuName eq '([^']+)'", where)[1]
        name = "search-" + {"Basic": "basic", "Standard S1": "standard", "Standard S2": "standard2",
                            "Standard S3": "standard3"}[tier]
    return region, name + (".page2" if "$skip" in query else "")


@pytest.fixture
def http():
    """One `responses` mock for every HTTPS call of a test (requests to anything unregistered fail)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def azure_api(http):
    """Replays tests/fixtures/prices/azure/<region>/<name>.json; `missing` names answer no Items."""
    missing: set[tuple[str, str]] = set()
    seen: list[tuple[str, str]] = []

    def answer(request):
        region, name = azure_fixture_name(request)
        seen.append((region, name))
        path = FIXTURES / "azure" / region / f"{name}.json"
        if (region, name) in missing or not path.exists():
            body = {"BillingCurrency": "USD", "Items": [], "NextPageLink": None, "Count": 0}
            return 200, {}, json.dumps(body)
        return 200, {}, path.read_text()

    http.add_callback(responses.GET, AZURE_URL, callback=answer)
    return type("AzureApi", (), {"missing": missing, "seen": seen})


def test_azure_refresh_updates_rows_to_recorded_prices(catalog, azure_api):
    before = records(catalog)
    result = run(catalog, "--cloud", "azure")
    assert result.exit_code == 0, result.output
    after = records(catalog)

    ds3 = after[("azure", "eastus", "vm/Standard_DS3_v2")]
    assert (ds3["on_demand_usd"], ds3["spot_usd"], ds3["date"]) == ("0.229", "0.0586", TODAY)
    assert ds3["source"].startswith("Azure Retail Prices API") and "'DS3 v2 Low Priority' (Low Priority meter)" in ds3["source"]
    # the Spot meter wins over Low Priority; Windows meters are ignored
    t4 = after[("azure", "eastus2", "vm/Standard_NC4as_T4_v3")]
    assert (t4["on_demand_usd"], t4["spot_usd"]) == ("0.526", "0.0526")
    assert "'NC4as T4 v3 Spot' (Spot meter)" in t4["source"]
    assert after[("azure", "eastus", "search/standard")]["on_demand_usd"] == "0.344"
    # the second page (NextPageLink) holds the Spot meter of this row
    paged = after[("azure", "eastus", "vm/Standard_NC4as_T4_v3")]
    assert "(Spot meter)" in paged["source"] and paged["spot_usd"] == "0.069"
    assert ("eastus", "Standard_NC4as_T4_v3.page2") in azure_api.seen
    # mirrored by gpus.yaml and different there: held, untouched, reported old -> new
    assert after[("azure", "eastus", "vm/Standard_NC64as_T4_v3")] == before[("azure", "eastus", "vm/Standard_NC64as_T4_v3")]
    assert re.search(r"held\s+azure\s+eastus\s+vm/Standard_NC64as_T4_v3\s+4\.352\s+0\.571 -> 0\.4352", result.output)
    # the free tier has no meter: reported, kept
    assert after[("azure", "eastus", "search/free")] == before[("azure", "eastus", "search/free")]
    assert re.search(r"not-refreshable\s+azure\s+eastus\s+search/free", result.output)
    # every refreshed row got source/date; nothing else changed anywhere
    refreshed = {k for k in before if k[0] == "azure" and (k[2].startswith("vm/") or k[2] in
                 ("search/basic", "search/standard", "search/standard2", "search/standard3"))} - \
                {("azure", "eastus", "vm/Standard_NC64as_T4_v3")}
    assert all(after[k]["date"] == TODAY and after[k]["source"].startswith("Azure Retail Prices API") for k in refreshed)
    assert_only_changed(before, after, refreshed)
    assert re.search(r"updated\s+azure\s+eastus\s+vm/Standard_DS3_v2\s+0\.293 -> 0\.229", result.output)
    load_catalog(catalog)  # still a valid catalog


def test_azure_second_refresh_changes_nothing(catalog, azure_api):
    assert run(catalog, "--cloud", "azure").exit_code == 0
    first = catalog.read_bytes()
    result = run(catalog, "--cloud", "azure", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    statuses = {r["status"] for s in report["sources"] for r in s["rows"]}
    assert statuses == {"unchanged", "held", "not-refreshable"}
    assert report["written"] is False and catalog.read_bytes() == first


def test_dry_run_reports_and_writes_nothing(catalog, azure_api):
    original = catalog.read_bytes()
    result = run(catalog, "--cloud", "azure", "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    updated = [r for s in report["sources"] for r in s["rows"] if r["status"] == "updated"]
    assert {"/".join([r["region"], r["sku"]]) for r in updated} >= {"eastus/vm/Standard_DS3_v2", "eastus/search/standard"}
    ds3 = next(r for r in updated if r["sku"] == "vm/Standard_DS3_v2" and r["region"] == "eastus")
    assert ds3["on_demand_usd"] == {"old": 0.293, "new": 0.229}
    assert catalog.read_bytes() == original


def test_azure_missing_sku_exits_1_listing_it_and_keeps_the_row(catalog, azure_api):
    azure_api.missing.add(("eastus", "Standard_E2s_v3"))
    before = records(catalog)
    result = run(catalog, "--cloud", "azure")
    assert result.exit_code == 1, result.output
    assert "azure/eastus/vm/Standard_E2s_v3" in result.output
    after = records(catalog)
    assert after[("azure", "eastus", "vm/Standard_E2s_v3")] == before[("azure", "eastus", "vm/Standard_E2s_v3")]
    assert after[("azure", "eastus", "vm/Standard_DS3_v2")]["on_demand_usd"] == "0.229"


def test_azure_unreachable_is_skipped_with_reason_and_file_unchanged(catalog):
    original = catalog.read_bytes()
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, AZURE_URL, body=requests.ConnectionError("Connection refused"))
        result = run(catalog, "--cloud", "azure")
    assert result.exit_code == 0, result.output
    assert "azure: Azure Retail Prices API: skipped: cannot reach prices.azure.com (ConnectionError)" in result.output
    assert catalog.read_bytes() == original


def test_azure_server_error_is_skipped(catalog):
    original = catalog.read_bytes()
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, AZURE_URL, status=503, body="busy")
        result = run(catalog, "--cloud", "azure")
    assert result.exit_code == 0 and "skipped: prices.azure.com answered HTTP 503" in result.output
    assert catalog.read_bytes() == original


def test_usage_errors_exit_2(tmp_path):
    assert CliRunner().invoke(app, ["prices", "refresh", "--cloud", "oracle"]).exit_code == 2
    result = CliRunner().invoke(app, ["prices", "refresh", "--catalog", str(tmp_path / "none.csv")])
    assert result.exit_code == 2 and "cannot read" in result.output


# -- AWS Pricing API (real HTTP to a loopback server speaking the Pricing API's JSON protocol) ---------------

class PricingServer:
    """Answers AWSPriceListService.GetProducts from tests/fixtures/prices/aws/<ServiceCode>/<region>/<name>.json."""

    def __init__(self):
        import http.server
        import threading

        self.requests: list[dict] = []
        self.missing: set[tuple[str, str, str]] = set()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                target = self.headers.get("X-Amz-Target")
                server.requests.append({"target": target, "auth": self.headers.get("Authorization"), **body})
                filters = {f["Field"]: f["Value"] for f in body["Filters"]}
                name = filters.get("instanceType") or f"{filters.get('component')}-{filters.get('instanceName')}"
                key = (body["ServiceCode"], filters.get("regionCode"), name)
                path = FIXTURES / "aws" / key[0] / str(key[1]) / f"{name}.json"
                if target != "AWSPriceListService.GetProducts":
                    payload, status = {"__type": "UnknownOperationException"}, 400
                elif key in server.missing or not path.exists():
                    payload, status = {"FormatVersion": "aws_v1", "PriceList": []}, 200
                else:
                    payload, status = json.loads(path.read_text()), 200
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def pricing_api(no_aws_config, monkeypatch):
    server = PricingServer()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", server.url)
    yield server
    server.close()


def test_aws_refresh_updates_on_demand_and_keeps_spot(catalog, pricing_api):
    before = records(catalog)
    result = run(catalog, "--cloud", "aws")
    assert result.exit_code == 0, result.output
    after = records(catalog)

    m5 = after[("aws", "us-east-1", "ec2/m5.xlarge")]
    assert (m5["on_demand_usd"], m5["spot_usd"], m5["date"]) == ("0.2", "0.076", TODAY)
    assert m5["source"].startswith("AWS Pricing API") and "spot column kept" in m5["source"]
    assert re.search(r"updated\s+aws\s+us-east-1\s+ec2/m5\.xlarge\s+0\.192 -> 0\.2\s+0\.076\s+spot column kept", result.output)
    assert after[("aws", "us-east-1", "sagemaker-hosting/ml.m5.large")]["on_demand_usd"] == "0.12"
    assert after[("aws", "us-east-2", "ec2/g6.xlarge")]["on_demand_usd"] == "0.805"
    assert after[("aws", "us-east-1", "ec2/g5.xlarge")] == before[("aws", "us-east-1", "ec2/g5.xlarge")]
    assert re.search(r"held\s+aws\s+us-east-1\s+ec2/g5\.xlarge\s+1\.01 -> 1\.006", result.output)
    # a row without spot gets no spot note
    assert "spot" not in after[("aws", "us-east-1", "sagemaker-hosting/ml.m5.large")]["source"]
    refreshed = {k for k in before if k[0] == "aws" and (k[2].startswith("ec2/") or "/ml." in k[2])} \
        - {("aws", "us-east-1", "ec2/g5.xlarge")}
    assert all(after[k]["date"] == TODAY for k in refreshed)
    assert_only_changed(before, after, refreshed)

    # the requests: signed, the documented filters
    ec2 = next(r for r in pricing_api.requests if r["ServiceCode"] == "AmazonEC2")
    assert ec2["auth"].startswith("AWS4-HMAC-SHA256") and ec2["target"] == "AWSPriceListService.GetProducts"
    assert {f["Field"]: f["Value"] for f in ec2["Filters"]}.keys() >= {
        "instanceType", "regionCode", "operatingSystem", "tenancy", "preInstalledSw", "capacitystatus"}
    assert all(f["Type"] == "TERM_MATCH" for f in ec2["Filters"])
    hosting = {f["Field"]: f["Value"] for r in pricing_api.requests if r["ServiceCode"] == "AmazonSageMaker"
               for f in r["Filters"] if any(g["Value"] == "Hosting" for g in r["Filters"])}
    assert hosting["component"] == "Hosting"

    second = run(catalog, "--cloud", "aws", "--format", "json")
    assert second.exit_code == 0
    assert {r["status"] for s in json.loads(second.output)["sources"] for r in s["rows"]} == {"unchanged", "held"}
    assert records(catalog) == after


def test_aws_missing_sku_exits_1(catalog, pricing_api):
    pricing_api.missing.add(("AmazonSageMaker", "us-east-2", "Training-ml.g5.xlarge"))
    result = run(catalog, "--cloud", "aws")
    assert result.exit_code == 1
    assert "aws/us-east-2/sagemaker-training/ml.g5.xlarge" in result.output
    assert records(catalog)[("aws", "us-east-2", "sagemaker-training/ml.g5.xlarge")]["date"] == "2026-11-21"


def test_aws_without_credentials_is_skipped(catalog, no_aws_config):
    original = catalog.read_bytes()
    result = run(catalog, "--cloud", "aws")
    assert result.exit_code == 0, result.output
    assert "aws: AWS Pricing API: skipped: no AWS credentials" in result.output
    assert catalog.read_bytes() == original


def test_aws_connection_refused_is_skipped(catalog, no_aws_config, monkeypatch):
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", f"http://127.0.0.1:{port}")
    original = catalog.read_bytes()
    result = run(catalog, "--cloud", "aws")
    assert result.exit_code == 0, result.output
    assert "aws: AWS Pricing API: skipped: cannot reach the Pricing API (EndpointConnectionError" in result.output
    assert catalog.read_bytes() == original


# -- Cloud Billing Catalog API (REST + API key; responses answers the HTTPS calls) ---------------------------

GCP_URL = "https://cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus"
GCP_KEY = "test-api-key"


@pytest.fixture
def billing_api(http):
    """Replays tests/fixtures/prices/gcp/skus-page{1,2}.json; `drop` removes SKUs by description + region."""
    state = type("BillingApi", (), {"calls": [], "drop": set()})

    def answer(request):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.url).query)
        state.calls.append(query)
        if query.get("key") != [GCP_KEY]:
            return 400, {}, json.dumps({"error": {"code": 400, "message": "API key not valid.", "status": "INVALID_ARGUMENT"}})
        page = json.loads((FIXTURES / "gcp" / ("skus-page2.json" if "pageToken" in query else "skus-page1.json")).read_text())
        page["skus"] = [s for s in page["skus"] if not any(
            s["description"] == d and r in s["serviceRegions"] for d, r in state.drop)]
        return 200, {}, json.dumps(page)

    http.add_callback(responses.GET, GCP_URL, callback=answer)
    return state


def test_gcp_refresh_prices_machines_from_core_ram_and_gpu_skus(catalog, billing_api):
    before = records(catalog)
    result = run(catalog, "--cloud", "gcp", "--gcp-api-key", GCP_KEY)
    assert result.exit_code == 0, result.output
    after = records(catalog)

    # n1-standard-2 = 2 x N1 core + 7.5 GiB x N1 RAM (Americas SKUs list us-central1)
    n1 = after[("gcp", "us-central1", "compute/n1-standard-2")]
    assert float(n1["on_demand_usd"]) == pytest.approx(2 * 0.031611 + 7.5 * 0.004237, abs=1e-6)
    assert float(n1["spot_usd"]) == pytest.approx(2 * 0.006655 + 7.5 * 0.000892, abs=1e-6)
    assert n1["date"] == TODAY and "'N1 Predefined Instance Core'" in n1["source"]
    # us-east4 uses the Virginia SKUs; E2 there has no spot SKU in the answer: spot column kept
    e2 = after[("gcp", "us-east4", "compute/e2-standard-4")]
    assert float(e2["on_demand_usd"]) == pytest.approx(4 * 0.024567 + 16 * 0.003293, abs=1e-6)
    assert e2["spot_usd"] == before[("gcp", "us-east4", "compute/e2-standard-4")]["spot_usd"]
    assert re.search(r"us-east4\s+compute/e2-standard-4\s+.*no Spot Preemptible SKU found: spot column kept", result.output)
    # a GPU shape outside the reference region: machine + GPUs (vCPUs and memory from gpus.yaml)
    t4 = after[("gcp", "us-east4", "compute/n1-standard-8+nvidia-tesla-t4x2")]
    assert float(t4["on_demand_usd"]) == pytest.approx(8 * 0.035605 + 30 * 0.004772 + 2 * 0.35, abs=1e-6)
    assert float(t4["spot_usd"]) == pytest.approx(8 * 0.0075 + 30 * 0.001005 + 2 * 0.14, abs=1e-6)
    # mirrored by gpus.yaml (us-central1) and different: held; a3 has no rule: not refreshable; both kept
    g2 = ("gcp", "us-central1", "compute/g2-standard-4+nvidia-l4x1")
    assert after[g2] == before[g2]
    assert re.search(r"held\s+gcp\s+us-central1\s+compute/g2-standard-4\+nvidia-l4x1\s+0\.71 -> 0\.70684", result.output)
    a3 = ("gcp", "us-central1", "compute/a3-highgpu-8g+nvidia-h100-80gbx8")
    assert after[a3] == before[a3] and re.search(r"not-refreshable\s+gcp\s+us-central1\s+compute/a3-highgpu-8g", result.output)
    changed = {k for k in before if after[k] != before[k]}
    assert changed and all(k[0] == "gcp" and k[2].startswith("compute/") and after[k]["date"] == TODAY for k in changed)
    assert_only_changed(before, after, changed)
    # both pages were read, with the key, in USD
    assert len(billing_api.calls) == 2 and billing_api.calls[1]["pageToken"] == ["CAEaCQoHMEEyNi0xQg"]
    assert billing_api.calls[0]["currencyCode"] == ["USD"]

    again = run(catalog, "--cloud", "gcp", "--gcp-api-key", GCP_KEY, "--format", "json")
    assert again.exit_code == 0
    assert {r["status"] for s in json.loads(again.output)["sources"] for r in s["rows"]} == \
        {"unchanged", "held", "not-refreshable"}
    assert records(catalog) == after


def test_gcp_api_key_from_environment(catalog, billing_api, monkeypatch):
    monkeypatch.setenv("GOOGLE_API_KEY", GCP_KEY)
    result = run(catalog, "--cloud", "gcp", "--dry-run")
    assert result.exit_code == 0 and "gcp: Cloud Billing Catalog API: " in result.output and "skipped" not in result.output


def test_gcp_missing_sku_exits_1(catalog, billing_api):
    billing_api.drop.add(("N2 Instance Ram running in Virginia", "us-east4"))
    result = run(catalog, "--cloud", "gcp", "--gcp-api-key", GCP_KEY)
    assert result.exit_code == 1
    assert "gcp/us-east4/compute/n2-standard-4" in result.output
    assert records(catalog)[("gcp", "us-east4", "compute/n2-standard-4")]["date"] == "2026-11-21"


def test_gcp_without_key_bad_key_or_network_is_skipped(catalog, billing_api, monkeypatch):
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    original = catalog.read_bytes()
    result = run(catalog, "--cloud", "gcp")
    assert result.exit_code == 0 and "gcp: Cloud Billing Catalog API: skipped: no API key" in result.output
    result = run(catalog, "--cloud", "gcp", "--gcp-api-key", "wrong")
    assert result.exit_code == 0 and "skipped: the Cloud Billing API refused the API key (HTTP 400)" in result.output
    assert catalog.read_bytes() == original


def test_gcp_connection_refused_is_skipped(catalog):
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, GCP_URL, body=requests.ConnectionError("Connection refused"))
        result = run(catalog, "--cloud", "gcp", "--gcp-api-key", GCP_KEY)
    assert result.exit_code == 0 and "skipped: cannot reach cloudbilling.googleapis.com" in result.output


def test_all_sources_in_one_run_write_once(catalog, azure_api, pricing_api, billing_api):
    result = run(catalog, "--gcp-api-key", GCP_KEY, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [s["cloud"] for s in report["sources"]] == ["aws", "azure", "gcp"]
    assert all(s["status"] == "refreshed" for s in report["sources"]) and report["written"]
    after = records(catalog)
    assert after[("aws", "us-east-1", "ec2/m5.xlarge")]["on_demand_usd"] == "0.2"
    assert after[("azure", "eastus", "vm/Standard_DS3_v2")]["on_demand_usd"] == "0.229"
    assert not list(catalog.parent.glob(".prices.csv.*"))  # no temporary file left behind
    load_catalog(catalog)
