"""FinOps policies: every taggable resource carries the FinOps tags (the catalogue's tag fact says which types
are taggable and by which input); the stack has a budget (the catalogue's `budget` role)."""

from __future__ import annotations

import re

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy

from components.catalog import resources as catalogue

try:
    from .pack_settings import setting
    from .stack_facts import tags_of
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from pack_settings import setting  # type: ignore[no-redef]
    from stack_facts import tags_of  # type: ignore[no-redef]

NEUTRAL_TAG_KEYS = ["cost-center", "owner", "team", "environment", "platform", "managed-by"]


def _gcp_key(key: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "_", key.lower())


def _validate_tags(args, report) -> None:
    if catalogue.tag_input(args.resource_type) is None:
        return
    tags = tags_of(args.resource_type, args.props, args.provider.props if args.provider else None)
    if tags is None:
        return  # computed during preview: cannot decide
    cloud = catalogue.cloud_of(args.resource_type)
    required = setting(args.get_config(), "requiredTags", NEUTRAL_TAG_KEYS)
    if cloud == "gcp":
        present = {k: v for k, v in tags.items()}
        wanted = {_gcp_key(k): k for k in required}
    elif cloud == "azure":
        present = {str(k).lower(): v for k, v in tags.items()}
        wanted = {k.lower(): k for k in required}
    else:
        present = dict(tags)
        wanted = {k: k for k in required}
    missing = [shown for key, shown in wanted.items() if present.get(key) in (None, "")]
    if missing:
        kind = "labels" if cloud == "gcp" else "tags"
        report(f"missing FinOps {kind}: {', '.join(missing)}.")


required_finops_tags = ResourceValidationPolicy(
    name="required-finops-tags",
    description=(
        "Every taggable resource carries the FinOps tags (GCP labels) cost-center, owner, team, environment, "
        "platform and managed-by. Mirrors Pulumi's compliance policy 'required tags' (aws/azure/gcp "
        "*-missing-required-tags) and Azure Policy 'Require a tag on resources'."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_tags,
    config_schema=PolicyConfigSchema(properties={
        "requiredTags": {"type": "array", "items": {"type": "string"}, "default": NEUTRAL_TAG_KEYS,
                         "description": "Tag/label keys every taggable resource must carry (non-empty)."},
    }),
)


def _validate_budget(args, report) -> None:
    clouds = {catalogue.cloud_of(r.resource_type) for r in args.resources} - {None}
    if not clouds:
        return  # nothing of a known cloud in the stack
    if not any(catalogue.has_role(r.resource_type, "budget") for r in args.resources):
        report(f"the stack creates {', '.join(sorted(clouds))} resources but no budget "
               "(aws.budgets.Budget, azure-native consumption Budget or gcp.billing.Budget); set `budget:` in the spec.")


stack_budget = StackValidationPolicy(
    name="stack-budget",
    description=(
        "The stack has a cost budget with alerts. Mirrors Pulumi compliance policies for budgets, CIS/AWS "
        "Well-Architected COST02-BP05 (implement cost controls: budgets) and Azure Policy/Advisor "
        "'configure budgets'."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_budget,
)

POLICIES = [required_finops_tags, stack_budget]
