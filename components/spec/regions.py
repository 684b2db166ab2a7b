"""Region names per cloud: shape checks and the equivalent region on another cloud.

Used when the same spec is rendered on another cloud (`mlplat plan --cloud ...`): the region moves to
the nearest equivalent. Regions not listed here still validate when they have the cloud's shape; they
just have no automatic equivalent (pass `--region`).
"""

from __future__ import annotations

import re

from .base import Cloud

REGION_SHAPE = {
    Cloud.aws: re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$"),
    Cloud.azure: re.compile(r"^[a-z]+[a-z0-9]*$"),
    Cloud.gcp: re.compile(r"^[a-z]+-[a-z]+\d+$"),
}
REGION_EXAMPLE = {Cloud.aws: "us-east-1", Cloud.azure: "eastus", Cloud.gcp: "us-central1"}

# One row per metro area: (aws, azure, gcp).
EQUIVALENT_REGIONS: list[tuple[str, str, str]] = [
    ("us-east-1", "eastus", "us-east4"),
    ("us-east-2", "eastus2", "us-central1"),
    ("us-west-2", "westus2", "us-west1"),
    ("eu-west-1", "northeurope", "europe-west1"),
    ("eu-central-1", "germanywestcentral", "europe-west3"),
    ("eu-west-2", "uksouth", "europe-west2"),
    ("ap-northeast-1", "japaneast", "asia-northeast1"),
    ("ap-southeast-1", "southeastasia", "asia-southeast1"),
]
_COLUMN = {Cloud.aws: 0, Cloud.azure: 1, Cloud.gcp: 2}


def region_error(cloud: Cloud, region: str) -> str | None:
    """Why `region` cannot be a region of `cloud`, or None when it has the right shape."""
    if REGION_SHAPE[cloud].match(region):
        return None
    return f"{region!r} is not a region name on {cloud.value} (for example {REGION_EXAMPLE[cloud]!r})"


def equivalent_region(region: str, source: Cloud, target: Cloud) -> str | None:
    """The region of `target` in the same metro area as `region` on `source`."""
    if source == target:
        return region
    for row in EQUIVALENT_REGIONS:
        if row[_COLUMN[source]] == region:
            return row[_COLUMN[target]]
    return None


def guess_cloud_of_region(region: str) -> Cloud | None:
    for cloud, column in _COLUMN.items():
        if any(row[column] == region for row in EQUIVALENT_REGIONS):
            return cloud
    return None
