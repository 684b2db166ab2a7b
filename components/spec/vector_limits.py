"""Vector search limits the spec is checked against: dimension limits, how each neutral metric is
expressed, replicas per tier. The shape is neutral (`CloudVectorLimits`); each cloud's row lives in its
`components/<cloud>/cloud.py` and is read through the registry.

The components (components/<cloud>/vector_search.py) read their mappings from the same row, so that what
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
    tier_names: dict[str, str] = field(default_factory=dict)  # tier -> the service's own name, for messages
    notes: str = ""


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
