"""Azure Retail Prices API (https://prices.azure.com/api/retail/prices): public, no authentication.

Rows priced here:
- `vm/<armSkuName>`: serviceName 'Virtual Machines', priceType 'Consumption', Linux meters only (a
  productName ending in "Windows" is skipped), unitOfMeasure "1 Hour". The meter whose skuName has
  neither "Spot" nor "Low Priority" is the on-demand price; the spot column takes the "Spot" meter, or
  the "Low Priority" meter where no Spot meter is listed (Azure ML low-priority clusters bill that one).
- `search/<tier>`: Azure AI Search (serviceName 'Azure Cognitive Search', renamed 'Azure AI Search'),
  the tier's "<skuName> Unit" meter per hour = one search unit. The free tier has no meter (not refreshable).
"""

from __future__ import annotations

API = "https://prices.azure.com/api/retail/prices"
SOURCE = "Azure Retail Prices API (prices.azure.com, Consumption)"
SEARCH_TIERS = {"basic": "Basic", "standard": "Standard S1", "standard2": "Standard S2", "standard3": "Standard S3"}
MAX_PAGES = 20


class SourceUnavailable(Exception):
    """prices.azure.com could not be reached or did not answer usefully."""


def covers(row) -> bool:
    return row.cloud == "azure" and (row.sku.startswith("vm/") or row.sku.startswith("search/"))


def not_refreshable(row) -> str | None:
    if row.sku.startswith("search/") and row.sku.split("/", 1)[1] not in SEARCH_TIERS:
        return "no meter in the Retail Prices API for this tier (the free tier costs nothing)"
    return None


def _filter(row) -> str:
    kind, name = row.sku.split("/", 1)
    if kind == "vm":
        return (f"serviceName eq 'Virtual Machines' and armRegionName eq '{row.region}' "
                f"and armSkuName eq '{name}' and priceType eq 'Consumption'")
    return ("(serviceName eq 'Azure Cognitive Search' or serviceName eq 'Azure AI Search') "
            f"and armRegionName eq '{row.region}' and skuName eq '{SEARCH_TIERS[name]}' and priceType eq 'Consumption'")


def _items(session, row, timeout: float) -> list[dict]:
    import requests

    items: list[dict] = []
    url, params = API, {"$filter": _filter(row)}
    for _ in range(MAX_PAGES):
        try:
            response = session.get(url, params=params, timeout=timeout)
        except requests.RequestException as error:
            raise SourceUnavailable(f"cannot reach prices.azure.com ({type(error).__name__})") from None
        if response.status_code != 200:
            raise SourceUnavailable(f"prices.azure.com answered HTTP {response.status_code} for {row.sku} in {row.region}")
        try:
            page = response.json()
        except ValueError:
            raise SourceUnavailable("prices.azure.com answered something that is not JSON") from None
        items += page.get("Items") or []
        url, params = page.get("NextPageLink"), None
        if not url:
            return items
    raise SourceUnavailable(f"more than {MAX_PAGES} pages for {row.sku} in {row.region}")


def _latest(items: list[dict]) -> dict | None:
    return max(items, key=lambda i: i.get("effectiveStartDate") or "", default=None)


def _vm_update(row, items: list[dict]):
    from mlplat.finops.refresh import PriceUpdate

    linux = [i for i in items if i.get("unitOfMeasure") == "1 Hour" and i.get("type", "Consumption") == "Consumption"
             and not (i.get("productName") or "").endswith("Windows")]
    spot = _latest([i for i in linux if "Spot" in (i.get("skuName") or "")])
    low = _latest([i for i in linux if "Low Priority" in (i.get("skuName") or "")])
    regular = _latest([i for i in linux if i not in (spot, low) and "Spot" not in i.get("skuName", "")
                       and "Low Priority" not in i.get("skuName", "")])
    if regular is None:
        return None
    reduced, meter = (spot, "Spot") if spot else (low, "Low Priority") if low else (None, None)
    source = f"{SOURCE}: '{regular.get('skuName')}' Linux"
    note = ""
    if reduced is not None:
        source += f"; spot: '{reduced.get('skuName')}' ({meter} meter)"
    else:
        note = "no Spot or Low Priority meter listed: spot column kept"
    return PriceUpdate(row.key, float(regular["retailPrice"]), None if reduced is None else float(reduced["retailPrice"]),
                       source, note)


def _search_update(row, items: list[dict]):
    from mlplat.finops.refresh import PriceUpdate

    tier = SEARCH_TIERS[row.sku.split("/", 1)[1]]
    units = [i for i in items if i.get("unitOfMeasure") == "1 Hour" and i.get("meterName") == f"{tier} Unit"]
    unit = _latest(units)
    if unit is None:
        return None
    return PriceUpdate(row.key, float(unit["retailPrice"]), None,
                       f"{SOURCE}: {unit.get('serviceName')} '{unit.get('meterName')}' per hour")


def fetch_prices(rows, session=None, timeout: float = 30.0) -> list:
    """One filtered query per row (following NextPageLink). Rows without a usable meter are left out of
    the answer (the caller reports them as not found)."""
    import requests

    session = session or requests.Session()
    updates = []
    for row in rows:
        items = _items(session, row, timeout)
        update = _vm_update(row, items) if row.sku.startswith("vm/") else _search_update(row, items)
        if update is not None:
            updates.append(update)
    return updates
