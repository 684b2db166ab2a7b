"""Cloud Billing Catalog API (Compute Engine, service 6F81-5844-456A), REST with an API key.

Route: `GET https://cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus?key=...` with `requests`
(pages via nextPageToken). The catalog is public but Google requires an API key (or credentials): the key
comes from `--gcp-api-key` / GOOGLE_API_KEY; without one the source is skipped.

Compute Engine bills a machine per vCPU-hour and per GiB-hour of memory, GPUs per GPU-hour. A catalog row
`compute/<machine type>` or `compute/<machine type>+<accelerator>x<n>` is priced as
    vCPUs x core SKU + memory GiB x RAM SKU (+ n x GPU SKU)
with the SKU whose description is exactly "<pattern> running in <place>" and whose serviceRegions holds
the row's region (the most specific one when several do). Spot: the same with "Spot Preemptible " in front;
when a spot SKU is missing the spot column is kept. vCPUs and memory: gpus.yaml for GPU shapes, the
standard ratio (n1 3.75 GiB per vCPU, e2/n2 4 GiB) for `<family>-standard-<n>`. Families without an
unambiguous per-core/per-GiB SKU here (a3, whose H100 machines are not split that way in this model;
any other) are reported not refreshable and kept.
"""

from __future__ import annotations

import re

SERVICE = "services/6F81-5844-456A"
API = f"https://cloudbilling.googleapis.com/v1/{SERVICE}/skus"
SOURCE = "Cloud Billing Catalog API (Compute Engine 6F81-5844-456A)"
FAMILIES = {
    "n1": ("N1 Predefined Instance Core", "N1 Predefined Instance Ram"),
    "e2": ("E2 Instance Core", "E2 Instance Ram"),
    "n2": ("N2 Instance Core", "N2 Instance Ram"),
    "g2": ("G2 Instance Core", "G2 Instance Ram"),
    "a2": ("A2 Instance Core", "A2 Instance Ram"),
}
STANDARD_GIB_PER_VCPU = {"n1": 3.75, "e2": 4.0, "n2": 4.0}
GPUS = {
    "nvidia-tesla-t4": "Nvidia Tesla T4 GPU",
    "nvidia-l4": "Nvidia L4 GPU",
    "nvidia-tesla-a100": "Nvidia Tesla A100 GPU",
    "nvidia-a100-80gb": "Nvidia A100 80GB GPU",
}
SPOT = "Spot Preemptible "
MAX_PAGES = 50
_ROW = re.compile(r"^compute/(?P<machine>[a-z0-9]+-[a-z0-9-]+?)(\+(?P<accel>[a-z0-9-]+)x(?P<count>\d+))?$")


class SourceUnavailable(Exception):
    """No API key, or the Cloud Billing API could not be reached or refused the key."""


def covers(row) -> bool:
    return row.cloud == "gcp" and row.sku.startswith("compute/")


def shape(row) -> tuple[str, float, float, str | None, int] | str:
    """(family, vCPUs, memory GiB, accelerator, count) of the row's machine, or why it cannot be priced."""
    match = _ROW.match(row.sku)
    if not match:
        return "not a <machine type>[+<accelerator>x<n>] SKU"
    machine, accel, count = match["machine"], match["accel"], int(match["count"] or 0)
    family = machine.split("-", 1)[0]
    if family not in FAMILIES:
        return f"no per-core/per-GiB price rule for the {family} family: kept"
    if accel and accel not in GPUS:
        return f"no GPU SKU description known for {accel}: kept"
    if accel:
        from components.catalog import gpus

        for candidate in gpus.all_shapes():
            if candidate.cloud == "gcp" and candidate.instance_type == machine and candidate.accelerator == accel \
                    and candidate.accelerator_count == count:
                return family, float(candidate.vcpus), float(candidate.memory_gib), accel, count
        return f"{machine} with {count} x {accel} is not in gpus.yaml (vCPUs and memory unknown): kept"
    standard = re.match(rf"^{family}-standard-(\d+)$", machine)
    if not standard or family not in STANDARD_GIB_PER_VCPU:
        return f"vCPUs and memory of {machine} not known: kept"
    vcpus = int(standard[1])
    return family, float(vcpus), vcpus * STANDARD_GIB_PER_VCPU[family], None, 0


def not_refreshable(row) -> str | None:
    result = shape(row)
    return result if isinstance(result, str) else None


def unit_price(sku: dict) -> float | None:
    """USD per usage unit: the first non-zero tier of the first pricing info (units + nanos)."""
    infos = sku.get("pricingInfo") or []
    if not infos:
        return None
    rates = (infos[0].get("pricingExpression") or {}).get("tieredRates") or []
    for rate in rates:
        money = rate.get("unitPrice") or {}
        value = int(money.get("units") or 0) + int(money.get("nanos") or 0) / 1e9
        if value > 0:
            return value
    return 0.0 if rates else None


class Prices:
    """Lookup of the listing by (description pattern, region)."""

    def __init__(self, skus: list[dict]):
        self.by_pattern: dict[str, list[dict]] = {}
        for sku in skus:
            head = (sku.get("description") or "").split(" running in ", 1)[0]
            self.by_pattern.setdefault(head, []).append(sku)

    def get(self, pattern: str, region: str) -> float | None:
        matching = [s for s in self.by_pattern.get(pattern, []) if region in (s.get("serviceRegions") or [])]
        if not matching:
            return None
        return unit_price(min(matching, key=lambda s: len(s.get("serviceRegions") or [])))


def price_row(row, prices: Prices):
    from mlplat.finops.refresh import PriceUpdate

    family, vcpus, memory, accel, count = shape(row)
    core, ram = FAMILIES[family]

    def total(prefix: str) -> float | None:
        parts = [prices.get(prefix + core, row.region), prices.get(prefix + ram, row.region)]
        if accel:
            parts.append(prices.get(prefix + GPUS[accel], row.region))
        if any(p is None for p in parts):
            return None
        amount = vcpus * parts[0] + memory * parts[1] + (count * parts[2] if accel else 0.0)
        return round(amount, 6)

    on_demand = total("")
    if on_demand is None:
        return None
    spot = total(SPOT)
    rule = f"{vcpus:g} x '{core}' + {memory:g} GiB x '{ram}'" + (f" + {count} x '{GPUS[accel]}'" if accel else "")
    note = "" if spot is not None or row.spot_usd is None else "no Spot Preemptible SKU found: spot column kept"
    return PriceUpdate(row.key, on_demand, spot, f"{SOURCE}: {rule}" + (f"; spot: the {SPOT.strip()} SKUs" if spot is not None else ""),
                       note)


def list_skus(api_key: str, session=None, timeout: float = 60.0) -> list[dict]:
    import requests

    session = session or requests.Session()
    skus: list[dict] = []
    params = {"key": api_key, "currencyCode": "USD", "pageSize": 5000}
    for _ in range(MAX_PAGES):
        try:
            response = session.get(API, params=params, timeout=timeout)
        except requests.RequestException as error:
            raise SourceUnavailable(f"cannot reach cloudbilling.googleapis.com ({type(error).__name__})") from None
        if response.status_code in (400, 401, 403):
            raise SourceUnavailable(f"the Cloud Billing API refused the API key (HTTP {response.status_code})")
        if response.status_code != 200:
            raise SourceUnavailable(f"the Cloud Billing API answered HTTP {response.status_code}")
        try:
            page = response.json()
        except ValueError:
            raise SourceUnavailable("the Cloud Billing API answered something that is not JSON") from None
        skus += page.get("skus") or []
        token = page.get("nextPageToken")
        if not token:
            return skus
        params = {**params, "pageToken": token}
    raise SourceUnavailable(f"more than {MAX_PAGES} pages of SKUs")


def fetch_prices(rows, api_key: str | None = None, session=None) -> list:
    if not rows:
        return []
    if not api_key:
        raise SourceUnavailable("no API key for the Cloud Billing Catalog API (set GOOGLE_API_KEY or pass --gcp-api-key)")
    prices = Prices(list_skus(api_key, session))
    return [update for update in (price_row(row, prices) for row in rows) if update is not None]
