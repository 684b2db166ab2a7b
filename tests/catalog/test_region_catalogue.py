"""The region catalogue against the installed SDKs' own data, and its lookups."""

from __future__ import annotations

import json
import re
from pathlib import Path

import botocore
import pytest
import yaml

from components.catalog import regions as catalog
from components.catalog.gpus import gpu_classes, offered
from components.catalog.prices import load_catalog

ENDPOINTS = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
AWS_PARTITION = next(p for p in ENDPOINTS["partitions"] if p["partition"] == "aws")


def _botocore_regions(service: str) -> set[str]:
    return {r for r in AWS_PARTITION["services"][service]["endpoints"] if r in AWS_PARTITION["regions"]}


def test_aws_regions_are_botocore_commercial_regions():
    assert {r.id for r in catalog.regions("aws")} == set(AWS_PARTITION["regions"])
    for r in catalog.regions("aws"):
        assert r.name == AWS_PARTITION["regions"][r.id]["description"]


@pytest.mark.parametrize("capability", [c for c in catalog.CAPABILITIES if c != "budget"])
def test_every_aws_region_and_service_pair_matches_botocore(capability):
    services = catalog.catalogue("aws").services[capability]
    assert services, capability
    for r in catalog.regions("aws"):
        expected = all(r.id in _botocore_regions(s) for s in services)
        assert (capability in r.offers) == expected, (r.id, capability, services)


def test_botocore_has_no_feature_store_runtime_entry_so_the_catalogue_says_what_it_uses():
    assert not {"sagemaker-featurestore-runtime", "featurestore-runtime"} & set(AWS_PARTITION["services"])
    assert catalog.catalogue("aws").services["feature_store"] == ("api.sagemaker",)
    assert "feature-store" in catalog.catalogue("aws").sources


def _aiplatform_supported_regions() -> set[str]:
    """SUPPORTED_REGIONS of the installed google-cloud-aiplatform, read without importing the SDK (slow)."""
    import ast
    import importlib.util

    package = Path(importlib.util.find_spec("google.cloud.aiplatform").submodule_search_locations[0])
    tree = ast.parse((package / "constants" / "base.py").read_text())
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "SUPPORTED_REGIONS")
    return set(ast.literal_eval(node.value.args[0]))


def test_gcp_vertex_regions_match_the_installed_aiplatform_sdk():
    SUPPORTED_REGIONS = _aiplatform_supported_regions()
    assert "us-central1" in SUPPORTED_REGIONS
    for r in catalog.regions("gcp"):
        assert ("endpoints" in r.offers) == (r.id in SUPPORTED_REGIONS), r.id
        assert ("registry" in r.offers) == (r.id in SUPPORTED_REGIONS), r.id
        # Feature store and vector search only where Vertex AI itself is.
        assert not ({"feature_store", "vector_search"} & r.offers) or r.id in SUPPORTED_REGIONS


@pytest.mark.parametrize("cloud", catalog.CLOUDS)
def test_rows_are_complete_and_cite_a_source(cloud):
    data = catalog.catalogue(cloud)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data.date)
    for r in catalog.regions(cloud):
        assert r.name and re.fullmatch(r"[A-Z]{2}", r.country), r.id
        assert r.source in data.sources.values()
        assert "budget" in r.offers  # budgets are billing-scoped on every cloud


@pytest.mark.parametrize("cloud", catalog.CLOUDS)
def test_gpu_rows_cite_a_source_and_name_classes_the_cloud_offers(cloud):
    document = yaml.safe_load((catalog.CATALOG_DIR / f"{cloud}.yaml").read_text())
    assert document["gpus"], cloud
    for row in document["gpus"]:
        assert row["source"] in document["sources"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"])
        for gpu in row["classes"]:
            assert gpu in gpu_classes() and offered(cloud, gpu), (cloud, row["region"], gpu)
        region = catalog.region(cloud, row["region"])
        assert region.gpu_source and row["date"] in region.gpu_source


def test_gcp_zone_table_of_the_training_component_is_the_catalogue():
    from components.gcp.training import GPU_ZONES

    assert GPU_ZONES["us-central1"]["nvidia-a100-80gb"] == ("us-central1-a", "us-central1-c")
    assert GPU_ZONES["us-east4"]["nvidia-tesla-a100"] == ()
    assert set(GPU_ZONES) == {r.id for r in catalog.regions("gcp") if r.gpus is not None}


def test_region_ids_do_not_collide_across_clouds():
    ids = [r.id for cloud in catalog.CLOUDS for r in catalog.regions(cloud)]
    assert len(ids) == len(set(ids))


def test_distance_is_great_circle():
    frankfurt, london = catalog.region("aws", "eu-central-1"), catalog.region("aws", "eu-west-2")
    assert catalog.distance_km((frankfurt.lat, frankfurt.lon), (london.lat, london.lon)) == pytest.approx(637, abs=10)


def test_nearest_regions_filters_by_capability_and_leaves_out_the_origin():
    near = catalog.nearest_regions("aws", "af-south-1", 3, ["vector_search"])
    assert [r.id for r, _ in near][0] == "sa-east-1"
    assert all("vector_search" in r.offers for r, _ in near)
    assert "af-south-1" not in [r.id for r, _ in catalog.nearest_regions("aws", "af-south-1", 5)]
    with pytest.raises(KeyError):
        catalog.nearest_regions("aws", "us-foo-9")


def test_did_you_mean():
    assert "us-east-1" in catalog.did_you_mean("aws", "us-est-1")
    assert catalog.did_you_mean("gcp", "europe-west-4")[0] == "europe-west4"
    assert catalog.did_you_mean("azure", "West Europe")[0] == "westeurope"
    assert catalog.did_you_mean("aws", "us-foo-9")  # always some ids


def test_offers_capabilities_and_gpus():
    assert catalog.offers("aws", "us-east-1", "vector_search")
    assert not catalog.offers("aws", "af-south-1", "vector_search")
    assert catalog.offers("gcp", "us-central1", "gpu:a100") and not catalog.offers("gcp", "us-east4", "gpu:a100")
    assert catalog.lacks("gcp", "us-east4", "gpu:a100")
    assert not catalog.lacks("gcp", "europe-west4", "gpu:a100")  # no GPU data there: not known to lack it
    with pytest.raises(ValueError):
        catalog.offers("aws", "us-east-1", "quantum")


def test_equivalent_is_the_nearest_region_offering_everything_asked():
    found, km, same = catalog.equivalent("europe-west4", "gcp", "aws", ["endpoints", "vector_search", "feature_store"])
    assert (found.id, same) == ("eu-central-1", True) and 350 < km < 420
    # af-south-1 has no OpenSearch Serverless; the AWS equivalent of GCP's Johannesburg region skips it.
    assert catalog.equivalent("africa-south1", "gcp", "aws", [])[0].id == "af-south-1"
    assert catalog.equivalent("africa-south1", "gcp", "aws", ["vector_search"])[0].id != "af-south-1"
    assert catalog.equivalent("us-east-1", "aws", "gcp", ["gpu:a100"])[0].id != "us-east4"


def test_residency_keeps_the_equivalent_in_country_then_boundary():
    # London: nearest AWS region offering everything is eu-west-2 either way; ask for eu: never London.
    assert catalog.equivalent("uksouth", "azure", "aws", [], "eu")[0].boundary == "EU"
    found, _, same = catalog.equivalent("europe-west12", "gcp", "azure", [], residency="same")
    assert found.country == "IT" and same  # Turin -> Milan, same country first
    assert catalog.equivalent("us-east-1", "aws", "gcp", ["endpoints"], "eu")[0].boundary == "EU"


def test_a_malformed_catalogue_names_file_and_entry(tmp_path):
    document = yaml.safe_load((catalog.CATALOG_DIR / "aws.yaml").read_text())
    document["regions"]["us-east-1"]["offers"] = ["endpoints", "teleport"]
    with pytest.raises(catalog.RegionCatalogError, match=r"bad\.yaml: regions\.us-east-1\.offers: unknown"):
        catalog.parse_cloud(document, tmp_path / "bad.yaml")


def test_an_unpriced_region_borrows_the_nearest_priced_row_and_says_so():
    prices = load_catalog()
    sku = "storage/standard"
    assert prices.get("gcp", "us-central1", sku).borrowed_for == ""
    row = prices.get("gcp", "europe-west4", sku)
    assert row is not None and row.region in prices.regions("gcp")
    assert "borrowed for europe-west4: nearest priced region" in row.ref
    assert prices.get("gcp", "us-central1", "no/such-sku") is None  # a priced region never borrows
    assert prices.get("gcp", "mars-north1", sku) is None


def test_compare_says_which_clouds_figures_are_borrowed():
    from mlplat.finops.compare import notes

    row = load_catalog().get("gcp", "europe-west4", "storage/standard")
    line = type("Line", (), {"ref": row.ref})()
    column = type("Column", (), {"cloud": "gcp", "usage_section": True,
                                 "estimate": type("E", (), {"region": "europe-west4", "lines": [line]})()})()
    km = row.borrowed_for.split(", ")[1]
    assert notes([column]) == [f"gcp: no catalogue prices for europe-west4; its figures are those of {row.region} "
                               f"({km}) (nearest priced region); see `mlplat cost`"]


def test_a_gpu_class_the_source_does_not_cover_is_unknown_not_offered_nor_lacking():
    from components.catalog import regions as catalog

    found = catalog.region("azure", "westeurope")  # the Azure ML size listing covers the US regions only
    assert found.gpus is not None and "t4" in found.gpus_unknown
    assert not catalog.offers("azure", "westeurope", "gpu:t4")  # unknown is never "available"
    assert not catalog.lacks("azure", "westeurope", "gpu:t4")  # nor refused at validation


def test_every_gcp_region_knows_every_gpu_class_and_its_zones():
    """The machine-type and accelerator listing covers every region and class (t4 and l4 included): each
    region has a GPU row citing it, nothing unknown, and zones of its own for each class it offers."""
    from components.catalog import regions as catalog

    for found in catalog.regions("gcp"):
        assert found.gpus is not None and found.gpu_source and not found.gpus_unknown, found.id
        for gpu in found.gpus:
            assert found.zones(gpu) and all(z.startswith(found.id + "-") for z in found.zones(gpu)), (found.id, gpu)
    assert catalog.region("gcp", "europe-west2").zones("t4") == ("europe-west2-a", "europe-west2-b")
    assert catalog.region("gcp", "europe-west1").zones("l4") == ("europe-west1-b", "europe-west1-c")
    assert catalog.lacks("gcp", "europe-west2", "gpu:a100")  # the source lists no A2 machine there
    assert catalog.lacks("gcp", "us-south1", "gpu:t4") and catalog.lacks("gcp", "us-south1", "gpu:l4")
    assert sum(catalog.offers("gcp", r.id, "gpu:t4") for r in catalog.regions("gcp")) == 23
    assert sum(catalog.offers("gcp", r.id, "gpu:l4") for r in catalog.regions("gcp")) == 17


@pytest.mark.parametrize("cloud", ["aws", "azure"])
def test_every_aws_and_azure_region_has_a_gpu_row_citing_its_source(cloud):
    """Each region says, per GPU class of the cloud, offered, not offered or not covered by the source."""
    classes = {gpu for gpu in gpu_classes() if offered(cloud, gpu)}
    for found in catalog.regions(cloud):
        assert found.gpus is not None and "skypilot-org/skypilot-catalog" in found.gpu_source, found.id
        assert found.gpus <= classes and found.gpus_unknown <= classes, found.id


def test_aws_gpu_rows_follow_the_ec2_offerings():
    assert catalog.region("aws", "us-east-1").gpus == {"t4", "l4", "a10g", "a100", "a100-80gb", "h100"}
    assert catalog.offers("aws", "eu-west-3", "gpu:t4") and catalog.lacks("aws", "eu-west-3", "gpu:a100")
    assert catalog.lacks("aws", "eu-central-1", "gpu:a100-80gb")  # p4de: us-east-1 and us-west-2 only
    # sa-east-1 is not in the source file: every class unknown, neither offered nor refused.
    assert not catalog.offers("aws", "sa-east-1", "gpu:t4") and not catalog.lacks("aws", "sa-east-1", "gpu:t4")


def test_azure_gpu_rows_follow_the_azure_ml_sizes():
    assert catalog.region("azure", "eastus").gpus == {"t4", "a100", "a100-80gb", "h100"}
    assert catalog.lacks("azure", "centralus", "gpu:a100") and catalog.offers("azure", "centralus", "gpu:t4")
    assert catalog.region("azure", "westcentralus").gpus == frozenset()
    # The source covers the US regions only: West Europe is unknown, not refused.
    assert not catalog.lacks("azure", "westeurope", "gpu:a100")
    assert not catalog.offers("azure", "westeurope", "gpu:a100")
    assert all(not r.zones("t4") for r in catalog.regions("azure"))  # AmlCompute places nodes itself


def test_azure_vector_search_is_where_azure_ai_search_is():
    """Azure AI Search's regions list (search-region-support.md, 2025-10-09), public regions of the catalogue."""
    listed = set("""brazilsouth canadacentral canadaeast centralus eastus eastus2 mexicocentral northcentralus
        southcentralus westus westus2 westus3 westcentralus francecentral germanywestcentral italynorth norwayeast
        northeurope polandcentral spaincentral swedencentral switzerlandnorth uksouth ukwest westeurope israelcentral
        qatarcentral uaenorth southafricanorth australiaeast australiasoutheast centralindia eastasia indonesiacentral
        japaneast japanwest koreacentral koreasouth malaysiawest newzealandnorth southindia southeastasia""".split())
    assert {r.id for r in catalog.regions("azure") if "vector_search" in r.offers} == listed


def test_a_gpu_rows_source_names_each_date_once():
    """The GPU error quotes the row's source: a date the source text already gives is not repeated."""
    import re

    from components.catalog import regions as catalog

    sources = [r.gpu_source for cloud in catalog.CLOUDS for r in catalog.regions(cloud) if r.gpu_source]
    assert sources
    for source in sources:
        dates = re.findall(r"\d{4}-\d{2}-\d{2}", source)
        assert dates and len(dates) == len(set(dates)), source
