"""Monitoring policies: prod endpoints are watched, and alert topics are encrypted.

- `prod-endpoint-monitoring` (mandatory, prod stacks): every endpoint has a drift monitor (a type with the
  catalogue role `drift-monitor` named for the endpoint), at least one health alert (role `health-alert`,
  named for the endpoint) that notifies a target, and the platform's alerts reach at least one subscriber
  (role `alert-subscriber` under the monitoring component). Resources are matched to an endpoint by the
  platform's naming, `<platform>-<environment>-<endpoint>-...` (components/context.py: `ctx.name`), read from
  the `platform`/`environment` tags.
- `alert-topic-encryption` (mandatory): alert topics are encrypted with a customer-managed key where the
  cloud allows it (the catalogue's `alert_encryption` readers: SNS). Azure action groups and Cloud Monitoring
  notification channels hold no data and take no key.
"""

from __future__ import annotations

import re

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationPolicy

from components.catalog import resources as catalogue

try:
    from .concern_rules import check_stack, stack_is_prod
    from .pack_settings import PROD_SCHEMA
    from .stack_facts import subject, tags_of
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from concern_rules import check_stack, stack_is_prod  # type: ignore[no-redef]
    from pack_settings import PROD_SCHEMA  # type: ignore[no-redef]
    from stack_facts import subject, tags_of  # type: ignore[no-redef]

ENDPOINT_COMPONENT = re.compile(r"^mlplat:[^:]+:Endpoint$")
MONITORING_COMPONENT = re.compile(r"^mlplat:[^:]+:Monitoring$")


def _row_roles(resource) -> frozenset:
    row = catalogue.lookup(resource.resource_type, resource.props)
    return row.roles if row is not None else frozenset()


def _prefix(resources) -> str | None:
    for resource in resources:
        tags = {str(k).lower(): v for k, v in (tags_of(resource.resource_type, resource.props) or {}).items()}
        if isinstance(tags.get("platform"), str) and isinstance(tags.get("environment"), str):
            return f"{tags['platform']}-{tags['environment']}"
    return None


def _under_monitoring(resource) -> bool:
    parent = getattr(resource, "parent", None)
    while parent is not None:
        if MONITORING_COMPONENT.match(parent.resource_type):
            return True
        parent = getattr(parent, "parent", None)
    return False


def _count(resources, stack, role: str, concern: str, name_start: str = "", name_equals: str = "") -> int:
    total = 0
    for resource in resources:
        if role not in _row_roles(resource):
            continue
        if name_equals and resource.name != name_equals or not resource.name.startswith(name_start):
            continue
        total += catalogue.read(subject(resource, stack), concern, 1) if concern else 1
    return total


def _validate_prod_monitoring(args, report) -> None:
    if not stack_is_prod(args):
        return
    resources = list(args.resources)
    endpoints = [r for r in resources if ENDPOINT_COMPONENT.match(r.resource_type)]
    if not endpoints:
        return
    prefix = _prefix(resources)
    subscribers = sum(
        catalogue.read(subject(r, resources), "subscribers", 1)
        for r in resources if "alert-subscriber" in _row_roles(r) and _under_monitoring(r)
    )
    for endpoint in endpoints:
        stem = f"{prefix}-{endpoint.name}"
        missing = []
        if not _count(resources, resources, "drift-monitor", "", name_equals=f"{stem}-monitor"):
            missing.append("no drift monitor (give monitoring.baseline)")
        if not _count(resources, resources, "health-alert", "alert_targets", name_start=f"{stem}-"):
            missing.append("no health alert that notifies anyone")
        if not subscribers:
            missing.append("no alert subscriber (alerts.emails or alerts.webhook)")
        if missing:
            report(f"prod endpoint {endpoint.name!r} is not monitored: {'; '.join(missing)} (docs/monitoring.md)",
                   endpoint.urn)


prod_endpoint_monitoring = StackValidationPolicy(
    name="prod-endpoint-monitoring",
    description=(
        "Prod endpoints have a drift monitor and health alerts that reach at least one subscriber. Mirrors the "
        "AWS Well-Architected Machine Learning Lens best practices 'Monitor data drift' and 'Enable model "
        "observability' and Google Cloud's MLOps guidance on continuous model monitoring."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_prod_monitoring,
    config_schema=PolicyConfigSchema(properties=PROD_SCHEMA),
)

alert_topic_encryption = StackValidationPolicy(
    name="alert-topic-encryption",
    description=(
        "Alert topics are encrypted with a customer-managed key where the cloud allows it (SNS). Mirrors checkov "
        "CKV_AWS_26 (SNS topic encrypted)."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=lambda args, report: check_stack("alert_encryption", args, report),
)

POLICIES = [prod_endpoint_monitoring, alert_topic_encryption]
