"""protect-stateful-in-prod: stateful prod resources (the catalogue's `stateful` fact) carry `protect`."""

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationPolicy

from components.catalog import resources as catalogue

try:
    from .concern_rules import stack_is_prod
    from .pack_settings import PROD_SCHEMA
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from concern_rules import stack_is_prod  # type: ignore[no-redef]
    from pack_settings import PROD_SCHEMA  # type: ignore[no-redef]


def _validate_protect(args, report) -> None:
    if not stack_is_prod(args):
        return
    for r in args.resources:
        if catalogue.is_stateful(r.resource_type) and not r.opts.protect:
            report(f"prod stateful resource {r.name} is not protected; set protect=True.", r.urn)


protect_stateful_in_prod = StackValidationPolicy(
    name="protect-stateful-in-prod",
    description=(
        "Stateful prod resources (buckets, keys, feature stores, registries, search services, workspaces) carry "
        "the `protect` resource option so they cannot be deleted by a `pulumi up`/`destroy`. Mirrors Pulumi's "
        "documented `protect` resource option for production data and the deletion-protection intent of Azure "
        "resource locks and GCP deletion_protection."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_protect,
    config_schema=PolicyConfigSchema(properties=PROD_SCHEMA),
)
