"""Token cost of RAG generation: the spec's models priced from the model catalogue, driven by `usage:`."""

from __future__ import annotations

import pytest

from components.catalog.models import model_for
from mlplat.finops.estimate import estimate_plan
from tests.support.plans import reference_plan

USAGE = {"rag_requests_per_month": 100_000, "rag_input_tokens_per_request": 2000,
         "rag_output_tokens_per_request": 300, "rag_query_tokens_per_request": 50,
         "rag_document_tokens_per_month": 5_000_000}


@pytest.mark.parametrize("cloud", ["aws", "azure", "gcp"])
def test_tokens_are_priced_per_1k_from_the_model_catalogue(cloud):
    lines = [l for l in estimate_plan(reference_plan("aws-prod", cloud), USAGE).lines if l.type == "model tokens"]
    chat, embedding = model_for(cloud, "chat-small"), model_for(cloud, "embed-text")
    expected = (100_000 * 2000 / 1000 * chat.input_usd_per_1k + 100_000 * 300 / 1000 * chat.output_usd_per_1k
                + (100_000 * 50 + 5_000_000) / 1000 * embedding.input_usd_per_1k)
    assert sum(l.monthly_usd for l in lines) == pytest.approx(expected)
    assert {l.capability for l in lines} == {"rag"} and all(l.kind == "usage" for l in lines)
    assert all(l.ref.startswith(f"models.yaml {cloud}/") and l.source.startswith("https://") for l in lines)
    assert any("usage.rag_requests_per_month 100000" in l.basis for l in lines)


def test_without_usage_tokens_cost_nothing_and_idle_cost_stays():
    estimate = estimate_plan(reference_plan("aws-prod"))
    rag = estimate.group("capability")["rag"]
    assert rag["usage"] == 0 and rag["idle"] > 0  # the two Bedrock VPC interface endpoints of a private stack
