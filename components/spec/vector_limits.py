"""Per-cloud vector search facts the spec is checked against: dimension limits, how each neutral metric
is expressed, and what the size hint (`tier`) becomes. Cloud-neutral data: no cloud SDK is imported here.

The components (components/<cloud>/vector_search.py) read their mappings from this table, so that what
validation promises and what is deployed cannot drift apart. Sources are the providers' public docs
(see docs/vector-search.md, "Limits"); change a row when a provider changes a limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The neutral metrics (the spec's `metric`).
METRICS = ("cosine", "dot_product", "euclidean")
TIERS = ("small", "medium", "large")
# A sanity bound independent of the cloud (int32-sized embeddings are not a thing); the per-cloud limit
# below is what normally decides.
ABSOLUTE_MAX_DIMENSIONS = 65536


@dataclass(frozen=True)
class CloudVectorLimits:
    cloud: str
    service: str
    max_dimensions: int | None  # None: the provider documents no maximum
    metrics: dict[str, str]  # neutral metric -> the service's own name
    source: str
    max_replicas: dict[str, int] = field(default_factory=dict)  # by tier; empty: no cloud-side cap
    notes: str = ""


VECTOR_LIMITS: dict[str, CloudVectorLimits] = {
    "aws": CloudVectorLimits(
        cloud="aws",
        service="OpenSearch Serverless",
        # knn_vector fields: "can accommodate 16,000 dimensions" (serverless vector search collections).
        max_dimensions=16000,
        # k-NN `space_type` of the knn_vector field (faiss engine, HNSW).
        metrics={"cosine": "cosinesimil", "dot_product": "innerproduct", "euclidean": "l2"},
        source="docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-vector-search.html",
        notes="no dimension setting on the collection: dimensions live in the index mapping (stack output)",
    ),
    "azure": CloudVectorLimits(
        cloud="azure",
        service="Azure AI Search",
        # Collection(Edm.Single) vector fields: "Valid values are 2 through 3072 dimensions".
        max_dimensions=3072,
        # `vectorSearch.algorithms[].hnswParameters.metric`.
        metrics={"cosine": "cosine", "dot_product": "dotProduct", "euclidean": "euclidean"},
        source="learn.microsoft.com/azure/search/vector-search-how-to-create-index",
        # Basic: up to 3 replicas; Standard tiers: up to 12.
        max_replicas={"small": 3, "medium": 12, "large": 12},
    ),
    "gcp": CloudVectorLimits(
        cloud="gcp",
        service="Vertex AI Vector Search",
        # The index API takes `dimensions` as int32 and documents no maximum.
        max_dimensions=None,
        # distanceMeasureType (+ featureNormType): cosine is served as dot product over unit-normalised
        # vectors, Google's recommendation instead of COSINE_DISTANCE (same ranking, faster).
        metrics={"cosine": "DOT_PRODUCT_DISTANCE", "dot_product": "DOT_PRODUCT_DISTANCE", "euclidean": "SQUARED_L2_DISTANCE"},
        source="cloud.google.com/vertex-ai/docs/vector-search/configuring-indexes",
    ),
}

# GCP: feature normalisation per neutral metric (UNIT_L2_NORM turns dot product into cosine).
GCP_FEATURE_NORM = {"cosine": "UNIT_L2_NORM", "dot_product": "NONE", "euclidean": "NONE"}

# What the size hint becomes on each cloud (see docs/vector-search.md, "Sizing").
AZURE_SKU = {"small": "basic", "medium": "standard", "large": "standard2"}
AZURE_PARTITIONS = {"small": 1, "medium": 1, "large": 2}
GCP_SHARD = {
    # tier: (shard size, the smallest machine type Vertex serves that shard size on)
    "small": ("SHARD_SIZE_SMALL", "e2-standard-2"),
    "medium": ("SHARD_SIZE_MEDIUM", "e2-standard-16"),
    "large": ("SHARD_SIZE_LARGE", "e2-highmem-16"),
}


def vector_search_error(cloud: str, dimensions: int, metric: str, replicas: int | None, tier: str | None) -> str | None:
    """Why `vector_search` cannot be built on `cloud` as asked ("<field path>: <message>"), or None."""
    limits = VECTOR_LIMITS[cloud]
    if limits.max_dimensions is not None and dimensions > limits.max_dimensions:
        return (
            f"vector_search.dimensions: {cloud} ({limits.service}) supports at most {limits.max_dimensions} "
            f"dimensions per vector, got {dimensions}; use an embedding model with fewer dimensions "
            "(or truncated/Matryoshka embeddings)"
        )
    if metric not in limits.metrics:
        return (
            f"vector_search.metric: {cloud} ({limits.service}) supports {', '.join(sorted(limits.metrics))}, "
            f"not {metric!r}"
        )
    if replicas is not None and tier is not None and tier in limits.max_replicas:
        cap = limits.max_replicas[tier]
        if replicas > cap:
            sku = AZURE_SKU.get(tier, tier) if cloud == "azure" else tier
            return (
                f"vector_search.replicas: {cloud} ({limits.service}) tier {tier!r} ({sku}) supports at most "
                f"{cap} replicas, got {replicas}; choose a larger tier or fewer replicas"
            )
    return None
