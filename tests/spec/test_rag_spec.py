"""The `rag:` section: models from the catalogue, checked against region, dimensions and capacity."""

from __future__ import annotations

import pytest

from components.spec import SpecError, parse_spec

SOURCE = "stacks/Pulumi.aws-prod.yaml"
PREFIX = "mlplat:platform"
REGIONS = {"aws": "us-east-1", "azure": "eastus", "gcp": "us-central1"}


def spec(cloud="aws", environment="prod", dimensions=1024, region=None, **rag) -> dict:
    return {
        "name": "demo",
        "environment": environment,
        "cloud": cloud,
        "region": region or REGIONS[cloud],
        "finops": {"cost_center": "cc-1", "owner": "owner@example.com", "team": "ml"},
        "vector_search": {"dimensions": dimensions},
        "rag": rag,
    }


def error_lines(raw: dict) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_spec(raw, SOURCE, PREFIX)
    return caught.value.lines


@pytest.mark.parametrize("cloud", ["aws", "azure", "gcp"])
def test_defaults_validate_on_every_cloud_with_content_filter_by_environment(cloud):
    prod = parse_spec(spec(cloud), SOURCE, PREFIX).rag
    dev = parse_spec(spec(cloud, environment="dev"), SOURCE, PREFIX).rag
    assert (prod.content_filter, dev.content_filter) == (True, False)
    assert prod.managed_pipeline is (cloud != "gcp") and prod.chat_model == "chat-small"


def test_embedding_dimensions_must_match_the_vector_index():
    [line] = error_lines(spec("gcp", embedding_model="embed-compact"))
    assert line.startswith(f"{SOURCE}: {PREFIX}.rag.embedding_model: ")
    assert "text-embedding-005" in line and "256, 512, 768" in line and "vector_search.dimensions is 1024" in line


def test_a_model_not_offered_in_the_region_lists_where_it_is():
    """sa-east-1 is in no geography of Bedrock's cross-Region profiles for the chat model; the nearest regions
    serving it count those its profiles reach (us-east-2 through the us. profile)."""
    lines = error_lines(spec("aws", region="sa-east-1", chat_model="chat-large"))
    [line] = [line for line in lines if ".rag.chat_model: " in line]
    assert line.startswith(f"{SOURCE}: {PREFIX}.rag.chat_model: ")
    assert "not offered on aws in region sa-east-1; nearest regions offering it: us-east-1 (" in line
    assert "us-east-2 (" in line


def test_a_chat_model_outside_us_east_1_validates_through_its_geographic_profile():
    rag = parse_spec(spec("aws", region="us-east-2", chat_model="chat-large"), SOURCE, PREFIX).rag
    assert rag.chat_model == "chat-large"


def test_capacity_beyond_what_the_cloud_sells_is_an_error():
    [line] = error_lines(spec("azure", chat_tokens_per_minute=5_000_000))
    assert f"{PREFIX}.rag.chat_tokens_per_minute: " in line and "at most 2000000" in line


def test_unknown_or_wrong_kind_model_names_list_the_catalogue():
    [line] = error_lines(spec("aws", chat_model="embed-text"))
    assert "rag.chat_model: 'embed-text' is not a chat model" in line and "chat-large, chat-small" in line


def test_rag_needs_vector_search():
    raw = spec("aws")
    del raw["vector_search"]
    [line] = error_lines(raw)
    assert line == f"{SOURCE}: {PREFIX}.rag: needs a vector_search section (the index the models are wired to)"


def test_rag_use_case_must_be_declared():
    [line] = error_lines(spec("aws", use_case="support"))
    assert "rag.use_case: use case 'support' is not declared" in line


def test_gcp_pipeline_embeds_at_the_models_default_size_only():
    asked = error_lines(spec("gcp", managed_pipeline=True))
    assert len(asked) == 1 and "rag.managed_pipeline: Vertex AI RAG Engine embeds at the model's default size" in asked[0]
    assert "3072 for embed-text, but vector_search.dimensions is 1024" in asked[0]
    defaulted = parse_spec(spec("gcp"), SOURCE, PREFIX)
    assert defaulted.rag.managed_pipeline is False
    from components.spec.gaps import capability_gaps

    assert [gap["capability"] for gap in capability_gaps(defaulted)] == ["rag"]
    fitting = parse_spec(spec("gcp", dimensions=768, embedding_model="embed-compact"), SOURCE, PREFIX)
    assert fitting.rag.managed_pipeline is True and capability_gaps(fitting) == []


MAX_LINE = 400  # components/spec/loading.py: longer error lines are cut in the middle


def test_gcp_residency_refuses_a_chat_model_served_through_the_global_location():
    raw = {**spec("gcp", region="europe-west4", embedding_model="embed-compact", dimensions=768), "residency": "eu"}
    [line] = error_lines(raw)
    assert line.startswith(f"{SOURCE}: {PREFIX}.rag.chat_model: residency: 'eu' keeps processing in the EU/EEA")
    assert "gemini-3.1-flash-lite) is served through the 'global' location (processed in any region)" in line
    assert "no gcp chat model of the catalogue stays there: leave out rag:" in line and "characters cut" not in line
    del raw["residency"]  # the same region without residency: the global endpoint is accepted
    assert parse_spec(raw, SOURCE, PREFIX).rag.chat_model == "chat-small"


@pytest.mark.parametrize("chat_model, field", [("chat-small", "chat_model"), ("chat-large", "embedding_model")])
def test_an_eu_azure_region_says_rag_cannot_stay_in_the_eu(chat_model, field):
    # chat-large is offered in westeurope (Data Zone EU), but no embedding model is offered in the EU/EEA
    lines = error_lines(spec("azure", region="westeurope", chat_model=chat_model))
    [line] = [line for line in lines if line.startswith(f"{SOURCE}: {PREFIX}.rag.{field}: ")]
    assert all(".rag." in other for other in lines)
    assert line.endswith("no azure embedding model of the catalogue is offered in the EU/EEA: "
                         "RAG on azure cannot stay in the EU/EEA (docs/rag.md)")
    assert len(line) <= MAX_LINE and "characters cut" not in line


def test_a_region_outside_the_eu_gets_no_eu_note():
    [line] = error_lines(spec("azure", region="centralus"))
    assert "EU/EEA" not in line and "rag.embedding_model: " in line


def test_rows_processed_in_the_region_or_its_data_zone_keep_eu_residency():
    from dataclasses import replace

    from components.catalog.models import model_for
    from components.spec.rag import _eu_regions, _where_processed

    eu = _eu_regions("gcp")
    gemini = model_for("gcp", "chat-small")
    assert _where_processed(gemini, eu) and _where_processed(replace(gemini, location="europe-west4"), eu) is None
    assert _where_processed(model_for("gcp", "embed-text"), eu) is None  # called in the stack's region
    azure = model_for("azure", "chat-large")
    assert azure.sku == "DataZoneStandard" and _where_processed(azure, _eu_regions("azure")) is None
    assert "GlobalStandard" in _where_processed(replace(azure, sku="GlobalStandard"), _eu_regions("azure"))
