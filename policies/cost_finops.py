"""FinOps policies: every taggable resource carries the FinOps tags (the catalogue's tag fact says which types
are taggable and by which input); the stack has a budget (the catalogue's `budget` role)."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy

from components.catalog import resources as catalogue
from components.cloud import TagError
from components.registry import cloud_names, cloud_of

try:
    from .pack_settings import setting
    from .stack_facts import tags_of
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from pack_settings import setting  # type: ignore[no-redef]
    from stack_facts import tags_of  # type: ignore[no-redef]

NEUTRAL_TAG_KEYS = ["cost-center", "owner", "team", "environment", "platform", "managed-by"]


def _wanted(cloud: str | None, required: list[str]) -> tuple[dict[str, str], bool, str]:
    """{key as the cloud writes it: key as configured}, whether keys are case-insensitive there, and what the
    cloud calls them: the cloud's own tag rules (`CloudProvider.tag_rules`, applied by components/spec/tags.py
    when tagging). A configured key the cloud cannot express is looked up as written."""
    if cloud not in cloud_names():
        return {k: k for k in required}, False, "tags"
    rules = cloud_of(cloud).tag_rules()
    wanted = {}
    for key in required:
        try:
            written = rules.normalise_key(key, ("requiredTags",))
        except TagError:
            written = key
        wanted[written.lower() if rules.case_insensitive_keys else written] = key
    return wanted, rules.case_insensitive_keys, rules.kind


def _validate_tags(args, report) -> None:
    if catalogue.tag_input(args.resource_type) is None:
        return
    tags = tags_of(args.resource_type, args.props, args.provider.props if args.provider else None)
    if tags is None:
        return  # computed during preview: cannot decide
    required = setting(args.get_config(), "requiredTags", NEUTRAL_TAG_KEYS)
    wanted, fold, kind = _wanted(catalogue.cloud_of(args.resource_type), required)
    present = {str(k).lower(): v for k, v in tags.items()} if fold else dict(tags)
    missing = [shown for key, shown in wanted.items() if present.get(key) in (None, "")]
    if missing:
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
