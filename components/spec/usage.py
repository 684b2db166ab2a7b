"""Usage assumptions for the cost estimate (`mlplat cost`, `mlplat compare`, the budget policy).

Idle (always-on) cost follows from the resources alone; usage cost needs stated assumptions. Every
usage figure in an estimate names the assumption it came from (`usage.<field>`), and a spec without a
`usage:` section gets zero usage, shown as such.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .base import SpecModel

# Upper bounds far above any real platform: they keep every derived figure (replicas, hours, dollars)
# finite and printable.
MAX_RATE = 1e7  # requests per second
MAX_HOURS = 1e7  # GPU-hours per month (about 13,700 GPUs running all month)
MAX_GB = 1e9  # one exabyte
RequestRate = Annotated[float, Field(ge=0, le=MAX_RATE, allow_inf_nan=False)]


class Usage(SpecModel):
    training_gpu_hours: float = Field(
        default=0, ge=0, le=MAX_HOURS, description="GPU-hours of training per month (node-hours = GPU-hours / gpus_per_node)."
    )
    training_on_spot_percent: float = Field(
        default=100,
        ge=0,
        le=100,
        description="Share of training hours that run on spot/low-priority capacity when training.spot is true.",
    )
    endpoint_requests_per_second: dict[str, RequestRate] = Field(
        default_factory=dict,
        description="Average requests per second per endpoint name (endpoints not listed: 0).",
    )
    requests_per_replica_per_second: float = Field(
        default=20, gt=0, le=MAX_RATE, description="Requests per second one replica serves (sizes replicas above the minimum)."
    )
    batch_hours_per_run: dict[str, Annotated[float, Field(ge=0, le=MAX_HOURS, allow_inf_nan=False)]] = Field(
        default_factory=dict,
        description="Hours one run of a batch_inference entry (by name) takes on each of its instances "
        "(entries not listed: their hours_per_run).",
    )
    retraining_hours_per_run: dict[str, Annotated[float, Field(ge=0, le=MAX_HOURS, allow_inf_nan=False)]] = Field(
        default_factory=dict,
        description="Node-hours one run of a retraining entry (by name) takes on the training capacity "
        "(entries not listed: their hours_per_run).",
    )
    stored_gb: float = Field(default=0, ge=0, le=MAX_GB, description="GB stored in the platform's buckets / storage accounts.")
    vector_stored_gb: float = Field(default=0, ge=0, le=MAX_GB, description="GB of vectors and index stored by vector search.")
    rag_requests_per_month: float = Field(default=0, ge=0, description="RAG questions answered per month.")
    rag_input_tokens_per_request: float = Field(
        default=2000, ge=0, description="Prompt tokens per RAG request (question + retrieved passages)."
    )
    rag_output_tokens_per_request: float = Field(default=300, ge=0, description="Generated tokens per RAG request.")
    rag_query_tokens_per_request: float = Field(
        default=50, ge=0, description="Tokens embedded per RAG request (the question, for retrieval)."
    )
    rag_document_tokens_per_month: float = Field(
        default=0, ge=0, description="Document tokens embedded per month by ingestion (new and changed documents)."
    )
