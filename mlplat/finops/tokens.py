"""Token cost of RAG generation: the spec's `rag:` models priced per 1,000 tokens from the model catalogue
(components/catalog/models.yaml), driven by the `usage:` assumptions

    chat input  = usage.rag_requests_per_month x usage.rag_input_tokens_per_request
    chat output = usage.rag_requests_per_month x usage.rag_output_tokens_per_request
    embedding   = usage.rag_requests_per_month x usage.rag_query_tokens_per_request
                  + usage.rag_document_tokens_per_month

Tokens are a usage of the models, not of a resource (Vertex AI has no model resource at all), so they are
estimate lines of their own (`resource`: rag/<neutral model>, capability `rag`). Pure Python.
"""

from __future__ import annotations

from components.catalog.models import CATALOG_PATH, model_for

TOKEN_USAGE_DEFAULTS = {
    "rag_requests_per_month": 0.0,
    "rag_input_tokens_per_request": 2000.0,
    "rag_output_tokens_per_request": 300.0,
    "rag_query_tokens_per_request": 50.0,
    "rag_document_tokens_per_month": 0.0,
}


def token_charges(spec: dict | None, cloud: str, usage: dict) -> list[dict]:
    """One dict per (model, direction) with monthly tokens, price per 1k and the basis in words; [] without rag."""
    rag = (spec or {}).get("rag")
    if rag is None:
        return []
    requests = float(usage.get("rag_requests_per_month") or 0)
    chat = model_for(cloud, rag.get("chat_model") or "chat-small")
    embedding = model_for(cloud, rag.get("embedding_model") or "embed-text")
    per = {key: float(usage.get(key, default)) for key, default in TOKEN_USAGE_DEFAULTS.items()}
    documents = per["rag_document_tokens_per_month"]
    rows = [
        (chat, "input", chat.input_usd_per_1k, requests * per["rag_input_tokens_per_request"],
         f"usage.rag_requests_per_month {requests:g} x usage.rag_input_tokens_per_request "
         f"{per['rag_input_tokens_per_request']:g}"),
        (chat, "output", chat.output_usd_per_1k, requests * per["rag_output_tokens_per_request"],
         f"usage.rag_requests_per_month {requests:g} x usage.rag_output_tokens_per_request "
         f"{per['rag_output_tokens_per_request']:g}"),
        (embedding, "input", embedding.input_usd_per_1k,
         requests * per["rag_query_tokens_per_request"] + documents,
         f"usage.rag_requests_per_month {requests:g} x usage.rag_query_tokens_per_request "
         f"{per['rag_query_tokens_per_request']:g} + usage.rag_document_tokens_per_month {documents:g}"),
    ]
    return [
        {
            "resource": f"rag/{row.name}",
            "sku": f"{row.model_id} {direction} tokens",
            "ref": f"{CATALOG_PATH.name} {cloud}/{row.name}",
            "unit": "1K tokens",
            "quantity": tokens / 1000,
            "unit_price": price,
            "basis": basis + " tokens",
            "source": row.source,
            "date": row.date,
        }
        for row, direction, price, tokens, basis in rows
    ]
