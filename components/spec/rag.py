"""RAG generation section: the foundation models wired to the platform's vector search.

Cloud-neutral: the chat and embedding models are neutral names from the model catalogue
(`components/catalog/models.yaml`), mapped per cloud. Checked once the cloud is known (after defaults):
the models must be offered in the region (the error lists where they are and, for a region in the EU/EEA,
whether RAG on that cloud can stay there at all), under `residency: eu` a model must not be processed
outside the EU/EEA (a global location or SKU), the embedding model must
produce `vector_search.dimensions`, and the requested tokens per minute must not exceed what the cloud
sells on demand. Environment default: content filtering (guardrail / RAI policy) off in dev, on
elsewhere; the managed retrieval pipeline (Bedrock knowledge base, AI Search indexer, RAG Engine corpus)
is created by default wherever it can fill the index. A cloud whose pipeline embeds at the model's default
size only says so (`CloudProvider.rag_pipeline_fixed_size`: Vertex AI RAG Engine, whose v1
`RagEmbeddingModelConfig` has no output dimensionality); there the pipeline is left out when
`vector_search.dimensions` differs from that size (a plan gap), and asking for it is an error.
"""

from __future__ import annotations

from pydantic import Field

from .base import NAME_PATTERN, SpecModel

EU = "EU"  # the region catalogue's data boundary of the EU/EEA (residency: eu)


def _eu_regions(cloud: str) -> set[str]:
    from ..catalog import regions as catalog

    return {r.id for r in catalog.regions(cloud) if r.boundary == EU} if cloud in catalog.CLOUDS else set()


def _where_processed(row, eu: set[str]) -> str | None:
    """How a model row may process requests outside the EU/EEA although the stack's region is in it (a
    global location or SKU), or None when it is processed in the stack's region or its EU data zone."""
    if row.location is not None and row.location not in eu:
        return f"is served through the {row.location!r} location (processed in any region)"
    if row.sku and row.sku.startswith("Global"):
        return f"is deployed as {row.sku} (processed in any region)"
    return None


def residency_error(spec, name: str) -> str | None:
    """Why model `name` breaks `residency: eu` although the stack's region is in the EU/EEA, or None."""
    from ..catalog import models

    cloud, eu = spec.cloud.value, _eu_regions(spec.cloud.value)
    if spec.residency != "eu" or spec.region not in eu:
        return None  # a region outside the residency is refused on `residency` itself
    row = models.model_for(cloud, name)
    elsewhere = _where_processed(row, eu)
    if elsewhere is None:
        return None
    fitting = [n for n in models.names(row.kind) if models.serving(cloud, n, spec.region) is not None
               and _where_processed(models.model_for(cloud, n), eu) is None]
    instead = (f"use {' or '.join(fitting)}" if fitting else f"no {cloud} {row.kind} model of the catalogue "
               "stays there: leave out rag: (serve your own model under endpoints:) or residency")
    model = row.model_id.rsplit("/", 1)[-1]
    return f"residency: 'eu' keeps processing in the EU/EEA, but {name} on {cloud} ({model}) {elsewhere}; {instead}"


def eu_note(cloud: str, region: str) -> str:
    """For a region in the EU/EEA: the EU/EEA regions offering both a chat and an embedding model of the
    catalogue, or that none does (RAG on that cloud cannot stay in the EU/EEA); "" elsewhere."""
    from ..catalog import models

    eu = _eu_regions(cloud)
    if region not in eu:
        return ""
    offered = {kind: {r for n in models.names(kind) for r in eu if models.serving(cloud, n, r) is not None}
               for kind in ("chat", "embedding")}
    both = sorted(offered["chat"] & offered["embedding"])
    if both:
        more = ", ..." if len(both) > 3 else ""
        return f"; EU/EEA regions offering a chat and an embedding model: {', '.join(both[:3])}{more}"
    missing = [kind for kind, found in offered.items() if not found]
    what = (f"no {cloud} {' or '.join(missing)} model of the catalogue is offered in the EU/EEA" if missing else
            "no EU/EEA region offers both a chat and an embedding model of the catalogue")
    return f"; {what}: RAG on {cloud} cannot stay in the EU/EEA (docs/rag.md)"


def pipeline_blocker(cloud: str, embedding_model: str, dimensions: int) -> str | None:
    """Why the cloud's managed pipeline cannot fill an index of `dimensions`, or None."""
    from ..catalog.models import model_for
    from ..registry import cloud_of

    reason = cloud_of(cloud).rag_pipeline_fixed_size()
    default = model_for(cloud, embedding_model).default_dimensions
    if reason is None or default == dimensions:
        return None
    return f"{reason}: {default} for {embedding_model}, but vector_search.dimensions is {dimensions}"


class RagSpec(SpecModel):
    chat_model: str = Field(default="chat-small", description="Neutral chat model name (model catalogue).")
    embedding_model: str = Field(default="embed-text", description="Neutral embedding model name (model catalogue).")
    chat_tokens_per_minute: int = Field(
        default=100_000, ge=1_000, description="Capacity of the chat deployment (Azure: 1K-TPM units, rounded up)."
    )
    embedding_tokens_per_minute: int = Field(default=100_000, ge=1_000, description="Capacity of the embedding deployment.")
    content_filter: bool | None = Field(
        default=None, description="Guardrail / content filter policy; default off in dev, on elsewhere."
    )
    managed_pipeline: bool | None = Field(
        default=None,
        description="Create the managed retrieval pipeline (documents -> embeddings -> index); default: "
        "wherever the cloud's pipeline can embed at vector_search.dimensions.",
    )
    use_case: str | None = Field(default=None, pattern=NAME_PATTERN)

    @staticmethod
    def apply_defaults(spec) -> None:
        section = spec.rag
        if section is not None and section.content_filter is None:
            section.content_filter = spec.environment.value != "dev"

    @staticmethod
    def check_platform(spec) -> None:
        """Cloud-dependent checks, called by `PlatformSpec` after environment defaults are applied."""
        from ..catalog import models

        section = spec.rag
        if section is None:
            return
        if spec.vector_search is None:
            raise ValueError("rag: needs a vector_search section (the index the models are wired to)")
        cloud, region = spec.cloud.value, spec.region
        for field, kind in (("chat_model", "chat"), ("embedding_model", "embedding")):
            name = getattr(section, field)
            problem = models.kind_error(name, kind)
            if problem is None and models.region_error(cloud, name, region):
                problem = models.region_error(cloud, name, region) + eu_note(cloud, region)
            problem = problem or residency_error(spec, name)
            if problem:
                raise ValueError(f"rag.{field}: {problem}")
        problem = models.dimensions_error(cloud, section.embedding_model, spec.vector_search.dimensions)
        if problem:
            raise ValueError(f"rag.embedding_model: {problem}")
        blocker = pipeline_blocker(cloud, section.embedding_model, spec.vector_search.dimensions)
        if section.managed_pipeline and blocker:
            raise ValueError(
                f"rag.managed_pipeline: {blocker}; use a model whose default size matches, or leave "
                "managed_pipeline out (the plan then lists the gap)"
            )
        if section.managed_pipeline is None:
            section.managed_pipeline = blocker is None
        for field, name in (
            ("chat_tokens_per_minute", section.chat_model),
            ("embedding_tokens_per_minute", section.embedding_model),
        ):
            problem = models.capacity_error(cloud, name, getattr(section, field))
            if problem:
                raise ValueError(f"rag.{field}: {problem}")
