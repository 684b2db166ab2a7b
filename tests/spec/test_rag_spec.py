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
    [line] = error_lines(spec("aws", region="us-east-2", chat_model="chat-large"))
    assert f"{PREFIX}.rag.chat_model: " in line
    assert "not offered on aws in region us-east-2; nearest regions offering it: us-east-1 (" in line


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
