"""Capability gaps: what a cloud cannot do that the spec's environment would otherwise get.

Shown in the plan (`gaps`) and documented in docs/ARCHITECTURE.md; never silent.
"""

from __future__ import annotations

from .base import Environment
from .monitoring import monitoring_gaps
from .scale_to_zero import scale_to_zero_blockers


def capability_gaps(spec) -> list[dict]:
    from ..registry import cloud_of

    gaps: list[dict] = list(cloud_of(spec.cloud).spec_gaps(spec))
    gaps += monitoring_gaps(spec)
    if spec.rag and not spec.rag.managed_pipeline:
        from .rag import pipeline_blocker

        blocker = pipeline_blocker(spec.cloud.value, spec.rag.embedding_model, spec.vector_search.dimensions)
        if blocker:
            gaps.append({"capability": "rag", "cloud": spec.cloud.value,
                         "gap": f"no managed retrieval pipeline: {blocker}; load documents yourself (docs/rag.md)"})
    if spec.environment != Environment.dev:
        return gaps
    for endpoint in spec.endpoints:
        blockers = scale_to_zero_blockers(spec.cloud, endpoint, bool(spec.network.private))
        if blockers:
            gaps.append(
                {
                    "capability": "endpoints",
                    "cloud": spec.cloud.value,
                    "gap": f"endpoint {endpoint.name} cannot scale to zero in dev ({'; '.join(blockers)}); "
                    "it keeps min_replicas 1 and is billed around the clock (see `mlplat cost`)",
                }
            )
    return gaps
