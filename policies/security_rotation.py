"""customer-key-rotation: customer-managed keys rotate within maxRotationDays (the catalogue's `rotation` readers)."""

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationPolicy

try:
    from .concern_rules import check_resource
    from .pack_settings import setting
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from concern_rules import check_resource  # type: ignore[no-redef]
    from pack_settings import setting  # type: ignore[no-redef]


def _validate_rotation(args, report) -> None:
    max_days = setting(args.get_config(), "maxRotationDays", 365)
    check_resource("rotation", args, report, {"maxRotationDays": max_days})


customer_key_rotation = ResourceValidationPolicy(
    name="customer-key-rotation",
    description=(
        "Customer-managed keys rotate automatically within maxRotationDays. Mirrors checkov CKV_AWS_7 (KMS "
        "rotation), CKV_GCP_43 (Cloud KMS rotation period; CIS asks 90 days: set maxRotationDays 90) and Azure "
        "Policy 'Keys should have a rotation policy ensuring that their rotation is scheduled within the "
        "specified number of days after creation'."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_rotation,
    config_schema=PolicyConfigSchema(properties={
        "maxRotationDays": {"type": "integer", "minimum": 1, "default": 365,
                            "description": "Longest allowed automatic rotation period in days."},
    }),
)
