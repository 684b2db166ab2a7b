"""The model catalogue (components/catalog/models.yaml): ids in the form each cloud's API requires,
every row sourced and dated, embedding rows with dimensions, malformed files named in errors."""

from __future__ import annotations

import datetime
import re

import botocore.session
import pytest

from components.catalog import models
from components.registry import cloud_of
from tests.support.plans import ROOT

ROWS = [row for rows in models.catalogue().values() for row in rows.values()]


def rows_of(cloud):
    return [row for row in ROWS if row.cloud == cloud]


def _full(pattern: str) -> re.Pattern:
    return re.compile(f"^(?:{pattern})$")


@pytest.fixture(scope="module")
def bedrock_patterns():
    session = botocore.session.get_session()
    bedrock = session.get_service_model("bedrock")
    agent = session.get_service_model("bedrock-agent")
    return {
        "model_identifier": _full(bedrock.shape_for("ModelIdentifier").metadata["pattern"]),
        "foundation_model_arn": _full(bedrock.shape_for("ModelArn").metadata["pattern"]),
        "knowledge_base_embedding": _full(agent.shape_for("BedrockEmbeddingModelArn").metadata["pattern"]),
    }


def test_bedrock_model_ids_match_botocores_model_identifier_pattern(bedrock_patterns):
    for row in rows_of("aws"):
        assert bedrock_patterns["model_identifier"].match(row.model_id), row
        # The knowledge base and the inference profile take the foundation-model ARN built from the id.
        arn = f"arn:aws:bedrock:us-east-1::foundation-model/{row.model_id}"
        assert bedrock_patterns["foundation_model_arn"].match(arn), arn
        if row.kind == "embedding":
            assert bedrock_patterns["knowledge_base_embedding"].match(arn), arn


def test_the_patterns_refuse_a_malformed_id(bedrock_patterns):
    assert not bedrock_patterns["foundation_model_arn"].match("arn:aws:bedrock:us-east-1::foundation-model/Claude 3")


def test_azure_rows_name_an_openai_model_with_a_version_and_a_deployment_sku():
    for row in rows_of("azure"):
        assert re.fullmatch(r"[a-z0-9][a-z0-9.-]*", row.model_id), row
        assert row.model_format == "OpenAI"
        assert re.fullmatch(r"\d+|\d{4}-\d{2}-\d{2}", row.model_version), row
        assert row.sku in {"Standard", "GlobalStandard", "DataZoneStandard", "ProvisionedManaged"}


def test_vertex_rows_are_publisher_model_paths():
    for row in rows_of("gcp"):
        assert re.fullmatch(r"publishers/google/models/[a-z0-9][a-z0-9.-]*", row.model_id), row


def test_vertex_embeddings_stay_in_the_stacks_region_and_chat_models_name_their_endpoint():
    """RAG Engine's corpus embeds in its own region; the current Gemini chat models are served globally."""
    for row in rows_of("gcp"):
        if row.kind == "embedding":
            assert row.location is None and models.vertex_location(row, "europe-west4") == "europe-west4", row
        else:
            assert models.vertex_location(row, "europe-west4") == row.location == "global", row
    assert all(row.location is None for row in rows_of("aws") + rows_of("azure"))


GEMINI_EMBEDDING = "      model_id: publishers/google/models/gemini-embedding-001\n"


@pytest.mark.parametrize("name, old, new", [
    ("chat-small", "      location: global\n", "      location: us-central1\n"),  # not a location rows may name
    ("embed-text", GEMINI_EMBEDDING, GEMINI_EMBEDDING + "      location: global\n"),  # embeddings stay regional
])
def test_a_location_other_than_global_or_on_an_embedding_is_refused(tmp_path, name, old, new):
    path = tmp_path / "models.yaml"
    path.write_text(models.CATALOG_PATH.read_text().replace(old, new, 1))
    with pytest.raises(models.ModelCatalogError,
                       match=rf"models\.yaml: models\.{name}\.gcp\.location: .*only chat rows may name a location"):
        models.load(path)


def test_an_unknown_key_on_a_cloud_that_has_no_location_is_refused(tmp_path):
    path = tmp_path / "models.yaml"
    text = models.CATALOG_PATH.read_text()
    path.write_text(text.replace("      model_id: amazon.nova-lite-v1:0\n",
                                 "      model_id: amazon.nova-lite-v1:0\n      location: global\n", 1))
    with pytest.raises(models.ModelCatalogError, match=r"models\.chat-small\.aws: missing \[\], unknown \['location'\]"):
        models.load(path)


@pytest.mark.parametrize("cloud", ["aws", "azure", "gcp"])
def test_every_row_is_sourced_dated_priced_and_in_real_regions(cloud):
    for row in rows_of(cloud):
        assert row.source.startswith("https://"), row
        assert datetime.date.fromisoformat(row.date) <= datetime.date.today()
        assert row.input_usd_per_1k > 0 and row.max_tokens_per_minute > 0
        assert row.regions and all(cloud_of(cloud).region_error(r) is None for r in row.regions), row
        if row.kind == "embedding":
            assert row.dimensions and row.output_usd_per_1k == 0
        else:
            assert row.output_usd_per_1k > 0 and not row.dimensions


def test_a_malformed_catalogue_names_the_file_and_the_entry(tmp_path):
    path = tmp_path / "models.yaml"
    path.write_text(
        "schema: 1\nmodels:\n  chat-x:\n    kind: chat\n"
        "    aws: {model_id: a.b, regions: [us-east-1]}\n    azure: {}\n    gcp: {}\n"
    )
    with pytest.raises(models.ModelCatalogError, match=r"models\.yaml: models\.chat-x\.aws: missing \['basis'"):
        models.load(path)


def _checked_rows() -> dict[tuple[str, str], str]:
    """(neutral name, cloud) -> price basis, from the "Catalogue check" table of docs/rag.md."""
    text = (ROOT / "docs" / "rag.md").read_text()
    table = text[text.index("### Catalogue check"):].split("\n\n")[2]
    found = {}
    for line in table.splitlines()[2:]:
        first, basis = (cell.strip() for cell in line.strip("|").split("|")[:2])
        subject = first.split(" (")[0]
        names, cloud = subject.rsplit(" ", 1)
        for name in names.split(" / "):
            found[(name, cloud)] = basis
    return found


def test_docs_state_the_price_basis_of_every_row():
    """docs/rag.md says which rows are still estimates: the table and the catalogue agree row by row."""
    checked = _checked_rows()
    for name, rows in models.catalogue().items():
        for cloud, row in rows.items():
            assert row.basis in models.BASES, row
            assert checked.get((name, cloud)) == row.basis, f"docs/rag.md: {name} {cloud} is {row.basis}"


def test_aws_chat_rows_are_served_in_region_in_us_east_1_and_through_a_geo_profile_elsewhere(bedrock_patterns):
    arn = _full(botocore.session.get_session().get_service_model("bedrock")
                .shape_for("InferenceProfileModelSourceArn").metadata["pattern"])
    for row in rows_of("aws"):
        if row.kind != "chat":
            assert not row.geo_profiles, row
            continue
        assert models.serving("aws", row.name, "us-east-1").geo is None
        assert {p.geo for p in row.geo_profiles} == {"us", "eu", "apac"}, row
        for profile in row.geo_profiles:
            assert all(cloud_of("aws").region_error(r) is None for r in profile.sources + profile.destinations)
            for region in profile.sources:
                route = models.serving("aws", row.name, region)
                if region in row.regions:
                    continue
                assert route.model_id == f"{profile.geo}.{row.model_id}" and route.destinations == profile.destinations
                # the application inference profile copies the system-defined profile ARN in the stack's region
                assert arn.match(f"arn:aws:bedrock:{region}:123456789012:inference-profile/{route.model_id}")
    assert models.serving("aws", "chat-small", "eu-west-1").geography == "EU"
    assert models.serving("aws", "chat-small", "ap-southeast-2").model_id == "apac.amazon.nova-lite-v1:0"


def test_a_region_in_no_geography_still_lists_where_the_chat_model_is_offered():
    problem = models.region_error("aws", "chat-small", "sa-east-1")
    assert models.serving("aws", "chat-small", "sa-east-1") is None
    assert "not offered on aws in region sa-east-1; regions offering it: us-east-1" in problem
    assert "; through its us./eu./apac. cross-Region profiles: us-east-2, us-west-2, eu-central-1," in problem


@pytest.mark.parametrize("old, new, message", [
    ("        eu: {sources:", "        mars: {sources:", r"geo_profiles\.mars: not one of"),
    ("destinations: [us-east-1, us-east-2, us-west-2]}", "destinations: []}",
     r"geo_profiles\.us: expected non-empty lists"),
])
def test_a_malformed_geo_profile_is_refused_naming_the_entry(tmp_path, old, new, message):
    path = tmp_path / "models.yaml"
    path.write_text(models.CATALOG_PATH.read_text().replace(old, new, 1))
    with pytest.raises(models.ModelCatalogError, match=rf"models\.yaml: models\.chat-small\.aws\.{message}"):
        models.load(path)
