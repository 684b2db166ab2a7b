"""Example budgets for costly property tests, as a share of the loaded Hypothesis profile.

The profiles in tests/conftest.py decide how many examples a property test runs (few and derandomised in
CI, more and random locally). A test whose example runs a whole plan takes a share of that budget instead
of a number of its own, so the profile still decides: CI stays fast and fixed, a local run explores more.
"""

from __future__ import annotations

from hypothesis import settings


def share(fraction: float, floor: int = 2) -> settings:
    """Settings running `fraction` of the profile's examples (at least `floor`), everything else as the
    profile says (derandomised in CI)."""
    return settings(max_examples=max(floor, round(settings.default.max_examples * fraction)))
