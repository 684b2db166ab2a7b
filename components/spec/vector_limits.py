"""Vector search limits the spec is checked against: dimension limits, how each neutral metric is
expressed, replicas per tier. The shape is neutral (`CloudVectorLimits`); each cloud's row lives in its
`components/<cloud>/cloud.py` and is read through the registry.

The components (components/<cloud>/vector_search.py) read their mappings from the same row, so that what
validation promises and what is deployed cannot drift apart. Sources are the providers' public docs
(see docs/vector-search.md, "Limits"); change a row when a provider changes a limit.
"""

from __future__ import annotations

# The shape lives with the cloud interface, which must import without the spec (`mlplat --help`).
from ..cloud import CloudVectorLimits  # noqa: F401  (re-exported)

# The neutral metrics (the spec's `metric`).
METRICS = ("cosine", "dot_product", "euclidean")
TIERS = ("small", "medium", "large")
# A sanity bound independent of the cloud (int32-sized embeddings are not a thing); the per-cloud limit
# below is what normally decides.
ABSOLUTE_MAX_DIMENSIONS = 65536


def vector_limits(cloud: str) -> CloudVectorLimits:
    """The vector search limits of a registered cloud (each cloud's own `cloud.py` holds its row)."""
    from ..registry import cloud_of

    return cloud_of(cloud).vector_limits()


def vector_search_error(cloud: str, dimensions: int, metric: str, replicas: int | None, tier: str | None) -> str | None:
    """Why `vector_search` cannot be built on `cloud` as asked ("<field path>: <message>"), or None."""
    limits = vector_limits(cloud)
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
            sku = limits.tier_names.get(tier, tier)
            return (
                f"vector_search.replicas: {cloud} ({limits.service}) tier {tier!r} ({sku}) supports at most "
                f"{cap} replicas, got {replicas}; choose a larger tier or fewer replicas"
            )
    return None
