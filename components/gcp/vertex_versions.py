"""What identifies a model version deployed by the Vertex AI deployer, and how a traffic split evolves
while versions come and go (pure functions; the provider in `vertex_deployer.py` and the client in
`vertex_client.py` use them)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

# What, besides the version itself, is baked into a deployed model and cannot be changed in place: the
# model's encryption key (set at upload) and the deployed model's service account (set at deploy).
FINGERPRINT_PROPS = ("kms_key", "service_account")
# Inputs whose change means another endpoint (replace) / a change made in place (update).
REPLACE_KEYS = ("project", "location", "endpoint")
UPDATE_KEYS = ("versions", "labels", "service_account", "kms_key", "display_name", "private")
FINGERPRINT_VERSION = ("image", "artifact_uri", "machine_type", "accelerator_type", "accelerator_count", "default_image")


def has_unknown(value: Any) -> bool:
    """Whether an engine value (as the dynamic provider's Diff deserialises it, keeping unknowns) is or
    holds a value not known yet: `pulumi.output.Unknown`, or the wire sentinel `rpc.UNKNOWN`."""
    from pulumi.output import Unknown
    from pulumi.runtime.rpc import UNKNOWN

    if isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN):
        return True
    if isinstance(value, dict):
        return any(has_unknown(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_unknown(item) for item in value)
    return False


def as_count(value: Any) -> int | None:
    """An integer count from an engine value (1.0 -> 1); None stays None; 1.5 is an error, not truncated."""
    if value is None:
        return None
    number = float(value)
    if not number.is_integer():
        raise ValueError(f"expected a whole number, got {value!r}")
    return int(number)


def fingerprint(props: dict, version: dict) -> str:
    """What makes a deployed model a different one: image, artifact, machine, key and service account
    (not replicas, weight or labels, which change in place)."""
    blob = {k: version.get(k) for k in FINGERPRINT_VERSION}
    blob["accelerator_count"] = as_count(blob["accelerator_count"])
    blob.update({k: props.get(k) for k in FINGERPRINT_PROPS})
    return hashlib.sha256(json.dumps(blob, sort_keys=True).encode()).hexdigest()[:12]


def display_name(props: dict, version: dict) -> str:
    return f"{props['display_name']}-{version['name']}-{fingerprint(props, version)}"


def split_after_deploy(traffic: dict[str, int], deployed_id: str) -> dict[str, int]:
    """The endpoint's split after `VertexClient.deploy`: the new model joins with 0, or with all of the
    traffic when the endpoint had none (deploy sent {"0": 100})."""
    return {**traffic, deployed_id: 0} if traffic else {deployed_id: 100}


def renormalise(split: dict[str, int]) -> dict[str, int]:
    """What is left of a split after removing models: scaled to 100 (or empty when nothing is left)."""
    total = sum(split.values())
    if not split:
        return {}
    if total == 0:
        first = next(iter(split))
        return {k: (100 if k == first else 0) for k in split}
    scaled = {k: v * 100 // total for k, v in split.items()}
    first = next(iter(scaled))
    scaled[first] += 100 - sum(scaled.values())
    return scaled
