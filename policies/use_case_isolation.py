"""use-case-isolation: a use case's identity reaches only its own resources.

Every resource a use-case component (`mlplat:<cloud>:UseCase`) owns is that use case's; so is every
resource tagged/labelled `use-case: <name>`. A grant under a use case's component is flagged when it
names a resource of another use case, a storage path outside `use-cases/<name>/`, or anything that is
not a resource of the stack (a wildcard, another account's ARN). The platform's own key is shared (its
objects are encrypted with it) and allowed. The grants are read per cloud by `grants` readers:
AWS inline role policies (ARNs), Azure role assignments (scopes and ABAC conditions), GCP IAM members
(resources and IAM conditions).
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from pulumi_policy import EnforcementLevel, StackValidationPolicy

try:
    from .stack_facts import tags_of
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from stack_facts import tags_of  # type: ignore[no-redef]

from components.catalog import resources as catalogue
from components.catalog.resources.props import get, plain

USE_CASE_COMPONENT = re.compile(r"^mlplat:[a-z0-9-]+:UseCase$")
# Inputs that carry a resource's physical name (what a grant names it by).
NAME_INPUTS = ("name", "featureGroupName", "modelPackageGroupName", "endpointName", "computeName", "bucket",
               "accountId")



def owner_of(resource: Any) -> str | None:
    """The use case that owns a resource: its use-case component, else its `use-case` tag/label."""
    node = resource
    while node is not None:
        if USE_CASE_COMPONENT.match(node.resource_type or ""):
            return node.name
        node = getattr(node, "parent", None)
    for tags in (tags_of(resource.resource_type, resource.props), plain(get(resource.props, "properties.tags", None))):
        if isinstance(tags, dict) and tags.get("use-case"):
            return tags["use-case"]
    return None


def owners_by_name(resources: Iterable[Any]) -> dict[str, set]:
    """Physical name (and resource id) -> the use cases owning a resource of that name (None: shared)."""
    found: dict[str, set] = {}
    for r in resources:
        for key in NAME_INPUTS:
            value = plain(get(r.props, key, None))
            if isinstance(value, str) and value:
                found.setdefault(value.lower(), set()).add(owner_of(r))
    return found


def violations(resources: list) -> list[tuple[str, str]]:
    """(message, urn) for every grant of a use-case identity that reaches beyond its own resources."""
    names = owners_by_name(resources)
    found = []
    for r in resources:
        reader = catalogue.reader(r.resource_type, "use_case_grants")
        if reader is None:
            continue
        use_case = next((n.name for n in _ancestors(r) if USE_CASE_COMPONENT.match(n.resource_type or "")), None)
        if use_case is None:
            continue
        subject = catalogue.Subject(type=r.resource_type, props=r.props, urn=r.urn, name=r.name,
                                    settings={"use_case": use_case, "names": names})
        for problem in reader(subject):
            found.append((f"use case {use_case!r}: {r.name} {problem}", r.urn))
    return found


def _ancestors(resource: Any):
    node = getattr(resource, "parent", None)
    while node is not None:
        yield node
        node = getattr(node, "parent", None)


def _validate(args, report) -> None:
    for message, urn in violations(list(args.resources)):
        report(message, urn)


use_case_isolation = StackValidationPolicy(
    name="use-case-isolation",
    description=(
        "A use case's identity reaches only its own resources: its feature groups, its use-cases/<name>/ "
        "storage prefix, its model group, its endpoints, its fair-share identifier (and the platform key). "
        "Mirrors checkov CKV_AWS_355/CKV_AWS_290 (no unconstrained resource in IAM policies) applied per tenant."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate,
)
