"""no-public-buckets: object storage is never public (the catalogue's `public_access` readers)."""

from pulumi_policy import EnforcementLevel, StackValidationPolicy

try:
    from .concern_rules import stack_policy
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from concern_rules import stack_policy  # type: ignore[no-redef]

no_public_buckets = StackValidationPolicy(
    name="no-public-buckets",
    description=(
        "Object storage is never public. Mirrors checkov CKV_AWS_20 (no public-read ACL), CKV_AWS_53-56 and "
        "CKV2_AWS_6 (S3 public access block), CKV_GCP_114 (public access prevention), CKV_GCP_29 (uniform "
        "bucket-level access), CKV_GCP_28 (no allUsers), and Azure Policy 'Storage account public access "
        "should be disallowed'."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=stack_policy("public_access", prod_only=False),
)
