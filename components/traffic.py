"""Traffic split of an inference endpoint: which versions it serves and the share of each.

Cloud-neutral and the single source every cloud uses (SageMaker variant weights, Azure ML endpoint
traffic, Vertex AI traffic split): that is how the same spec sends the same shares to the same
versions on all three clouds.

    stable: 100 - canary.weight_percent     canary: canary.weight_percent     (no canary: stable 100)
"""

from __future__ import annotations

from dataclasses import dataclass

STABLE = "stable"
CANARY = "canary"
VERSION_NAMES = (STABLE, CANARY)


class TrafficError(ValueError):
    """A split that cannot be served; the message starts with the spec field path."""


@dataclass(frozen=True)
class ServingVersion:
    """One model version an endpoint serves."""

    name: str  # "stable" or "canary"
    weight_percent: int
    image: str | None  # None: the cloud's default serving image
    artifact: str | None  # None: artifact_key() in the platform's artifacts bucket
    framework: str | None = None  # prebuilt container used when image is None (None: by compute)

    def artifact_key(self, endpoint_name: str) -> str:
        """The default artifact location inside the artifacts bucket (no leading or trailing slash)."""
        return default_artifact_key(endpoint_name, self.name)


def default_artifact_key(endpoint_name: str, version: str) -> str:
    return f"models/{endpoint_name}/{version}"


def versions(endpoint) -> list[ServingVersion]:
    """The versions of `endpoint` (a spec Endpoint), stable first, with their shares (sum 100)."""
    canary = endpoint.canary
    weight = canary.weight_percent if canary is not None else 0
    if canary is not None and not 1 <= weight <= 99:
        # The spec model rejects this already; kept so that no caller can build a 0/100 canary.
        raise TrafficError(f"endpoints.{endpoint.name}.canary.weight_percent: {weight} is outside 1-99")
    stable = endpoint.model
    served = [ServingVersion(STABLE, 100 - weight, stable.image, stable.artifact, stable.framework)]
    if canary is not None:
        image = canary.model.image or stable.image
        framework = canary.model.framework or stable.framework
        served.append(ServingVersion(CANARY, weight, image, canary.model.artifact, framework))
    return served


def split(endpoint) -> dict[str, int]:
    """{version name: percent}, e.g. {"stable": 90, "canary": 10}."""
    shares = {version.name: version.weight_percent for version in versions(endpoint)}
    if sum(shares.values()) != 100:
        raise TrafficError(f"endpoints.{endpoint.name}: traffic shares {shares} do not sum to 100")
    return shares
