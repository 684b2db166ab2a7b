"""Physical names within a cloud's length limit, stable across runs (cloud-neutral)."""

from __future__ import annotations

import hashlib


def bounded_name(name: str, limit: int) -> str:
    """`name` when it fits `limit`; otherwise its head plus a stable 6-character hash of the whole name,
    so two long names that share a head stay distinct and the same name always gives the same result."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[: limit - 7].rstrip('-_')}-{digest}"


def use_case_prefix(name: str) -> str:
    """A use case's own prefix in the platform's data and artifacts storage."""
    return f"use-cases/{name}/"


def share_identifier(name: str) -> str:
    """A use case's fair-share identifier (AWS Batch: alphanumeric only, so the hyphens go)."""
    return name.replace("-", "")


def use_case_namespace(name: str) -> str:
    """A use case's namespace on a Kubernetes training cluster (GKE); the names fit a DNS label with the prefix."""
    return f"uc-{name}"
