"""Table-driven rules: a policy names a concern (encryption, public_access, ...); the resource catalogue's row of
each resource type says whether and how that concern reads it. A type without a reader for the concern is
not checked by that policy, so the pack keeps working as types land."""

from __future__ import annotations

from components.catalog import resources as catalogue

try:
    from .pack_settings import prod_environments
    from .stack_facts import stack_environment, subject
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from pack_settings import prod_environments  # type: ignore[no-redef]
    from stack_facts import stack_environment, subject  # type: ignore[no-redef]


def stack_is_prod(args) -> bool:
    env = stack_environment(args.resources)
    return env is not None and env in prod_environments(args.get_config())


def check_stack(concern: str, args, report, settings: dict | None = None) -> None:
    """Report the findings of `concern` over every resource of the stack, each on its own URN (or the URN of
    the companion resource a finding is about)."""
    for resource in args.resources:
        for message, urn in catalogue.findings(subject(resource, args.resources, settings), concern):
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
