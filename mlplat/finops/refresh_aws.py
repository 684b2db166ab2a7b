"""AWS Pricing API (boto3 `pricing` client, us-east-1 endpoint): needs AWS credentials (signed requests).

Rows priced here:
- `ec2/<instance type>`: ServiceCode AmazonEC2, TERM_MATCH instanceType, regionCode, operatingSystem Linux,
  tenancy Shared, preInstalledSw NA, capacitystatus Used, licenseModel No License required.
- `sagemaker-hosting/ml.<type>` and `sagemaker-training/ml.<type>`: ServiceCode AmazonSageMaker,
  productFamily "ML Instance", instanceName, regionCode, component Hosting / Training.
The on-demand price is terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD (unit Hrs). Spot prices are
not in the Pricing API: the spot column is kept as it was (the row's note says so).

The endpoint is botocore's: AWS_ENDPOINT_URL_PRICING / AWS_ENDPOINT_URL redirect it like for any client.
"""

from __future__ import annotations

import json

SOURCE = "AWS Pricing API (get_products, us-east-1 endpoint)"
SPOT_NOTE = "spot column kept: the Pricing API has no spot prices"
_EC2_FIXED = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
    "licenseModel": "No License required",
}
_SAGEMAKER_COMPONENT = {"sagemaker-hosting": "Hosting", "sagemaker-training": "Training"}


class SourceUnavailable(Exception):
    """No credentials, or the Pricing API could not be reached or refused them."""


def covers(row) -> bool:
    kind = row.sku.split("/", 1)[0]
    return row.cloud == "aws" and (kind == "ec2" or (kind in _SAGEMAKER_COMPONENT and "/ml." in row.sku))


def not_refreshable(row) -> str | None:
    return None


def query(row) -> tuple[str, dict[str, str]]:
    """(ServiceCode, attribute -> value) get_products is asked for `row`."""
    kind, name = row.sku.split("/", 1)
    if kind == "ec2":
        return "AmazonEC2", {"instanceType": name, "regionCode": row.region, **_EC2_FIXED}
    return "AmazonSageMaker", {"productFamily": "ML Instance", "instanceName": name, "regionCode": row.region,
                               "component": _SAGEMAKER_COMPONENT[kind]}


def on_demand_prices(price_list: list[str]) -> list[tuple[str, float]]:
    """(product sku, USD per hour) of every hourly on-demand dimension in a get_products PriceList."""
    found = []
    for text in price_list:
        item = json.loads(text) if isinstance(text, str) else text
        for term in (item.get("terms", {}).get("OnDemand") or {}).values():
            for dimension in (term.get("priceDimensions") or {}).values():
                usd = (dimension.get("pricePerUnit") or {}).get("USD")
                if usd is None or dimension.get("unit") not in ("Hrs", "Hours", "hour"):
                    continue
                found.append((item.get("product", {}).get("sku", "?"), float(usd)))
    return found


def fetch_prices(rows, session=None) -> list:
    from mlplat.finops.refresh import PriceUpdate

    if not rows:
        return []
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    session = session or boto3.session.Session()
    if session.get_credentials() is None:
        raise SourceUnavailable("no AWS credentials (the Pricing API only answers signed requests)")
    client = session.client("pricing", region_name="us-east-1",
                            config=Config(retries={"max_attempts": 2}, connect_timeout=5, read_timeout=30))
    paginator = client.get_paginator("get_products")
    updates = []
    for row in rows:
        service, attributes = query(row)
        filters = [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in attributes.items()]
        price_list: list[str] = []
        try:
            for page in paginator.paginate(ServiceCode=service, Filters=filters):
                price_list += page.get("PriceList") or []
        except NoCredentialsError:
            raise SourceUnavailable("no AWS credentials (the Pricing API only answers signed requests)") from None
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            raise SourceUnavailable(f"the Pricing API refused the request ({code}: {error})") from None
        except BotoCoreError as error:
            raise SourceUnavailable(f"cannot reach the Pricing API ({type(error).__name__}: {error})") from None
        prices = {usd for _, usd in on_demand_prices(price_list) if usd > 0}
        if len(prices) != 1:
            continue  # none, or several products for one row: not found (reported by the caller)
        what = "Linux shared" if service == "AmazonEC2" else attributes["component"]
        note = SPOT_NOTE if row.spot_usd is not None else ""
        source = f"{SOURCE}: {service} on-demand {what}" + (f"; {note}" if note else "")
        updates.append(PriceUpdate(row.key, prices.pop(), None, source, note))
    return updates
