"""Capability gaps: what a cloud cannot do that the spec's environment would otherwise get.

Shown in the plan and documented in docs/ARCHITECTURE.md; never silent.
"""

from __future__ import annotations

from .base import Cloud, Environment

ENDPOINT_SCALE_TO_ZERO_GAP = {
    Cloud.azure: "Azure ML managed online endpoints cannot scale to zero (minimum 1 instance)",
    Cloud.gcp: "Vertex AI endpoints keep at least 1 replica (scale to zero is preview only)",
}


def capability_gaps(spec) -> list[dict]:
    gaps: list[dict] = []
    if spec.endpoints and spec.environment == Environment.dev and spec.cloud in ENDPOINT_SCALE_TO_ZERO_GAP:
        gaps.append(
            {
                "capability": "endpoints",
                "cloud": spec.cloud.value,
                "gap": ENDPOINT_SCALE_TO_ZERO_GAP[spec.cloud] + "; dev endpoints default to min_replicas 1",
            }
        )
    return gaps
