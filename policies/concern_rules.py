"""Table-driven rules: a policy names a concern (encryption, public_access, ...); the resource catalogue's row of
each resource type says whether and how that concern reads it. A type without a reader for the concern is
not checked by that policy, so the pack keeps working as types land."""

from __future__ import annotations

import re

from components.catalog import resources as catalogue
from mlplat.scan.skips import skip_comments, skips_for

try:
    from .pack_settings import prod_environments
    from .stack_facts import stack_environment, subject
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from pack_settings import prod_environments  # type: ignore[no-redef]
    from stack_facts import stack_environment, subject  # type: ignore[no-redef]


def stack_is_prod(args) -> bool:
    env = stack_environment(args.resources)
    return env is not None and env in prod_environments(args.get_config())


# The pack's policy reporting each concern (the mirrored-check table of docs/policies.md names them).
POLICY_OF_CONCERN = {
    "encryption": "storage-encryption", "public_access": "no-public-buckets",
    "public_network": "no-public-network-in-prod", "local_auth": "local-auth-disabled",
    "iam": "no-wildcard-iam-actions", "rotation": "customer-key-rotation", "logging": "audit-logging",
    "data_protection": "data-protection", "hardening": "compute-hardening", "network_rules": "network-restrictions",
    "iam_scope": "iam-least-privilege", "alert_encryption": "alert-topic-encryption",
}

# The checkov check a mirrored finding names (catalogue mirrors.py: "CKV_AWS_79: ...").
CHECK_ID = re.compile(r"^(CKV2?_[A-Z]+_\d+): ")


def accepted(message: str, resource, environment: str | None) -> bool:
    """A mirrored check the scan's skip list accepts for this resource in this environment (a design choice,
    docs/scanning.md): the pack does not report what the scan suppresses."""
    match = CHECK_ID.match(message)
    cloud = catalogue.cloud_of(resource.resource_type)
    if not match or not cloud or not environment:
        return False
    return match.group(1) in dict(skip_comments(skips_for(cloud, environment), resource))


def check_stack(concern: str, args, report, settings: dict | None = None) -> None:
    """Report the findings of `concern` over every resource of the stack, each on its own URN (or the URN of
    the companion resource a finding is about)."""
    environment = stack_environment(args.resources)
    for resource in args.resources:
        for message, urn in catalogue.findings(subject(resource, args.resources, settings), concern):
            if not accepted(message, resource, environment):
                report(message, urn or resource.urn)


def check_resource(concern: str, args, report, settings: dict | None = None) -> None:
    """Report the findings of `concern` on the resource under validation."""
    target = catalogue.Subject(type=args.resource_type, props=args.props, urn=args.urn,
                               name=getattr(args, "name", ""), settings=settings or {})
    for message, _ in catalogue.findings(target, concern):
        report(message)


def stack_policy(concern: str, prod_only: bool):
    """A StackValidationPolicy `validate` function for `concern` (only in prod stacks when `prod_only`)."""

    def validate(args, report) -> None:
        if prod_only and not stack_is_prod(args):
            return
        check_stack(concern, args, report)

    return validate
