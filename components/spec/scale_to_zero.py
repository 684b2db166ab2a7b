"""Which endpoints can scale to zero on which cloud, and why not: one source for the environment
default (dev gets 0 only where it can be served), the validation error (an explicit 0 that cannot be
served), and the gap the plan shows. The facts are the registered cloud's
(`CloudProvider.scale_to_zero_blockers`, see docs/endpoints.md)."""

from __future__ import annotations


def scale_to_zero_blockers(cloud, endpoint, private: bool) -> list[str]:
    """Why `endpoint` cannot scale to zero on `cloud` ([] when it can)."""
    from ..registry import cloud_of

    return cloud_of(cloud).scale_to_zero_blockers(endpoint, private)
