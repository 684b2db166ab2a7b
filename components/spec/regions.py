"""Region names: shape checks and the equivalent region on another cloud, asked of the registered cloud.

Used when the same spec is rendered on another cloud (`mlplat plan --cloud ...`): the region moves to
the region of the target cloud in the same metro area (each cloud lists its `metro_regions` in its
`components/<cloud>/cloud.py`). Regions not listed there still validate when they have the cloud's
shape; they just have no automatic equivalent (pass `--region`).
"""

from __future__ import annotations


def _cloud(name):
    from ..registry import cloud_of

    return cloud_of(name)


def region_error(cloud, region: str) -> str | None:
    """Why `region` cannot be a region of `cloud`, or None when it has the right shape."""
    return _cloud(cloud).region_error(region)


def region_example(cloud) -> str:
    return _cloud(cloud).region_example


def equivalent_region(region: str, source, target) -> str | None:
    """The region of `target` in the same metro area as `region` on `source`."""
    if source == target:
        return region
    metro = _cloud(source).metro_of(region)
    return _cloud(target).metro_regions.get(metro) if metro else None


def guess_cloud_of_region(region: str) -> str | None:
    from ..registry import CLOUDS

    return next((cloud.name for cloud in CLOUDS if cloud.metro_of(region)), None)
