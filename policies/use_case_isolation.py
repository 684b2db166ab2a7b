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

import json
import re
from typing import Any, Iterable

from pulumi_policy import EnforcementLevel, StackValidationPolicy

try:
    from .stack_facts import tags_of
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from stack_facts import tags_of  # type: ignore[no-redef]

from components.catalog.resources.props import UNKNOWN, get, plain
from components.spec.tenancy import share_identifier, use_case_prefix

USE_CASE_COMPONENT = re.compile(r"^mlplat:[a-z0-9-]+:UseCase$")
# Inputs that carry a resource's physical name (what a grant names it by).
NAME_INPUTS = ("name", "featureGroupName", "modelPackageGroupName", "endpointName", "computeName", "bucket",
               "accountId")
# Azure resource kinds (the scope's last type segment) a use case may be granted on, by name.
AZURE_OWN_KINDS = ("onlineEndpoints", "featuresets", "models", "computes")


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


def _aws_statement_problems(statement: dict, use_case: str, names: dict[str, set]) -> list[str]:
    problems = []
    resources = statement.get("Resource", [])
    resources = [resources] if isinstance(resources, str) else resources
    prefix = use_case_prefix(use_case)
    for arn in resources:
        if not isinstance(arn, str) or arn is UNKNOWN:
            continue
        if arn == "*" or not arn.startswith("arn:"):
            problems.append(f"grants {statement.get('Action')} on {arn!r}")
            continue
        service, rest = arn.split(":")[2], arn.split(":", 5)[-1]
        if service == "s3":
            # arn:aws:s3:::bucket/key (the offline plan's mocks answer arn:aws:s3:<region>:<account>:bucket/...)
            bucket, _, key = rest.removeprefix("bucket/").partition("/")
            if key and not key.startswith(prefix):
                problems.append(f"reaches {arn} outside its prefix {prefix}")
            if not key:
                condition = (statement.get("Condition") or {}).get("StringLike", {}).get("s3:prefix", [])
                condition = [condition] if isinstance(condition, str) else condition
                if not condition or any(not str(c).startswith(prefix) for c in condition):
                    problems.append(f"lists bucket {bucket} beyond its prefix {prefix}")
            continue
        if service == "kms":
            continue  # the platform key: its objects are encrypted with it
        if service == "batch":
            shares = (statement.get("Condition") or {}).get("StringEquals", {}).get("batch:ShareIdentifier")
            if shares != share_identifier(use_case):
                problems.append(f"submits to {arn} without its own share identifier")
            continue
        kind, _, name = rest.partition("/")
        name = name.split("/")[0].rstrip("*").lower()
        owners = names.get(name)
        if not owners:
            problems.append(f"names {arn}, not a resource of this stack")
        elif owners != {use_case}:
            others = sorted(o or "(shared)" for o in owners - {use_case})
            problems.append(f"reaches {kind} {name} of {', '.join(others)}")
    return problems


def aws_grants(resource: Any, use_case: str, names: dict[str, set]) -> list[str]:
    document = plain(get(resource.props, "policy", None))
    if not isinstance(document, str):
        return []
    try:
        statements = json.loads(document).get("Statement", [])
    except (ValueError, AttributeError):
        return []
    problems = []
    for statement in [statements] if isinstance(statements, dict) else statements:
        if statement.get("Effect") == "Allow":
            problems += _aws_statement_problems(statement, use_case, names)
    return problems


def _named(kind: str, name: str, use_case: str, names: dict[str, set]) -> list[str]:
    owners = names.get(name.lower())
    if not owners:
        return [f"names {kind} {name}, not a resource of this stack"]
    if owners != {use_case}:
        return [f"reaches {kind} {name} of {', '.join(sorted(o or '(shared)' for o in owners - {use_case}))}"]
    return []


def azure_grants(resource: Any, use_case: str, names: dict[str, set]) -> list[str]:
    scope = plain(get(resource.props, "scope", None))
    if not isinstance(scope, str):
        return []
    parts = scope.rstrip("/").split("/")
    kind, name = (parts[-2], parts[-1]) if len(parts) >= 2 else ("", "")
    if kind == "containers":
        condition = plain(get(resource.props, "condition", None)) or ""
        if f"StringStartsWith '{use_case_prefix(use_case)}'" not in condition:
            return [f"reaches container {name} beyond its path {use_case_prefix(use_case)}"]
        return []
    if kind in AZURE_OWN_KINDS:
        return _named(kind, name, use_case, names)
    return [f"is assigned at {scope}, not one of its own resources"]


def gcp_grants(resource: Any, use_case: str, names: dict[str, set]) -> list[str]:
    props = resource.props
    member_of = {k: plain(get(props, k, None)) for k in ("bucket", "endpoint", "featureGroup", "project")}
    if member_of["bucket"]:
        expression = plain(get(props, "condition.expression", None)) or ""
        if f"/objects/{use_case_prefix(use_case)}" not in expression:
            return [f"reaches bucket {member_of['bucket']} beyond its prefix {use_case_prefix(use_case)}"]
        return []
    for key in ("endpoint", "featureGroup"):
        if isinstance(member_of[key], str):
            return _named(key, member_of[key].rstrip("/").split("/")[-1], use_case, names)
    return [f"grants {plain(get(props, 'role', None))} beyond its own resources"]


# Grant readers per resource type of a use-case component's grants.
GRANT_READERS = {
    "aws:iam/rolePolicy:RolePolicy": aws_grants,
    "azure-native:authorization:RoleAssignment": azure_grants,
    "gcp:storage/bucketIAMMember:BucketIAMMember": gcp_grants,
    "gcp:vertex/aiEndpointIamMember:AiEndpointIamMember": gcp_grants,
    "gcp:vertex/aiFeatureGroupIamMember:AiFeatureGroupIamMember": gcp_grants,
    "gcp:projects/iAMMember:IAMMember": gcp_grants,
}


def violations(resources: list) -> list[tuple[str, str]]:
    """(message, urn) for every grant of a use-case identity that reaches beyond its own resources."""
    names = owners_by_name(resources)
    found = []
    for r in resources:
        reader = GRANT_READERS.get(r.resource_type)
        if reader is None:
            continue
        use_case = next((n.name for n in _ancestors(r) if USE_CASE_COMPONENT.match(n.resource_type or "")), None)
        if use_case is None:
            continue
        for problem in reader(r, use_case, names):
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
        "storage prefix, its model group, its endpoints, its fair-share identifier (and the platform key)."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate,
)
