"""Which endpoints can scale to zero on which cloud, and why not: one source for the environment
default (dev gets 0 only where it can be served), the validation error (an explicit 0 that cannot be
served), and the gap the plan shows. Pure facts, no cloud SDK (see docs/endpoints.md)."""

from __future__ import annotations

from .base import Cloud

CLOUD_LIMITS = {
    Cloud.azure: ["Azure ML managed online endpoints keep at least 1 instance"],
    Cloud.gcp: ["Vertex AI endpoints keep at least 1 replica (scale to zero is preview only)"],
}


def scale_to_zero_blockers(cloud: Cloud, endpoint, private: bool) -> list[str]:
    """Why `endpoint` cannot scale to zero on `cloud` ([] when it can).

    On AWS an endpoint scales to zero only as a SageMaker serverless endpoint (inference components,
    which scale GPU endpoints to zero, are not in pulumi-aws), and serverless endpoints are CPU only,
    serve one production variant, have no data capture and cannot join a VPC.
    """
    if cloud != Cloud.aws:
        return list(CLOUD_LIMITS[cloud])
    blockers = []
    if endpoint.compute != "cpu":
        blockers.append(f"GPU compute ({endpoint.compute}): SageMaker serverless inference is CPU only")
    if endpoint.canary is not None:
        blockers.append("a canary: SageMaker serverless endpoints serve a single production variant")
    if endpoint.logging:
        blockers.append("logging: SageMaker serverless endpoints have no data capture")
    if private:
        blockers.append("a private network: SageMaker serverless endpoints cannot join a VPC")
    return blockers
