"""What a use case's grants reach, per cloud: the `use_case_grants` readers of the resource catalogue.

Each reader takes the grant as a `Subject` whose settings carry the use case (`use_case`), the stack's
physical names with the use cases owning them (`names`) and the (type, owning use case) of each resource the
grant depends on (`dependencies`), and returns one problem per grant that reaches
beyond that use case's own resources (policies/use_case_isolation.py reports them).
"""

from __future__ import annotations

import json
from typing import Any

from components.naming import share_identifier, use_case_namespace as namespace_of, use_case_prefix

from .props import UNKNOWN, get, plain

# Azure resource kinds (the scope's last type segment) a use case may be granted on, by name.
AZURE_OWN_KINDS = ("onlineEndpoints", "featuresets", "models", "computes")
VERTEX_ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint"
WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"


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
    if plain(get(props, "serviceAccountId", None)) is not None:
        # A grant on its own service account: only Workload Identity from its own namespace.
        member = plain(get(props, "member", None))
        if not isinstance(member, str):
            return []
        if plain(get(props, "role", None)) != WORKLOAD_IDENTITY_USER or f"[{namespace_of(use_case)}/" not in member:
            return [f"lets {member} act as it (only its namespace {namespace_of(use_case)} may)"]
        return []
    member_of = {k: plain(get(props, k, None)) for k in ("bucket", "endpoint", "featureGroup", "project")}
    if member_of["bucket"]:
        expression = plain(get(props, "condition.expression", None)) or ""
        if f"/objects/{use_case_prefix(use_case)}" not in expression:
            return [f"reaches bucket {member_of['bucket']} beyond its prefix {use_case_prefix(use_case)}"]
        return []
    endpoint = member_of["endpoint"]
    if isinstance(endpoint, str):
        # Vertex generates endpoint ids: the grant names its endpoint by the id the endpoint resource
        # outputs, which no input carries, so the owner is the endpoint's that the grant depends on.
        owners = {owner for kind, owner in getattr(resource, "settings", {}).get("dependencies", ())
                  if kind == VERTEX_ENDPOINT}
        if not owners:
            return _named("endpoint", endpoint.rstrip("/").split("/")[-1], use_case, names)
        if owners != {use_case}:
            return [f"reaches endpoint {endpoint} of {', '.join(sorted(o or '(shared)' for o in owners - {use_case}))}"]
        return []
    if isinstance(member_of["featureGroup"], str):
        return _named("featureGroup", member_of["featureGroup"].rstrip("/").split("/")[-1], use_case, names)
    return [f"grants {plain(get(props, 'role', None))} beyond its own resources"]




def reader(grants):
    """A catalogue reader (Subject -> problems) from a grant function."""
    def read(subject) -> list[str]:
        return grants(subject, subject.settings["use_case"], subject.settings["names"])
    return read


AWS = reader(aws_grants)
AZURE = reader(azure_grants)
GCP = reader(gcp_grants)
