"""no-wildcard-iam-actions: IAM grants name their actions (the catalogue's `iam` readers)."""

from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

try:
    from .concern_rules import check_resource
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from concern_rules import check_resource  # type: ignore[no-redef]

no_wildcard_iam_actions = ResourceValidationPolicy(
    name="no-wildcard-iam-actions",
    description=(
        "IAM grants name their actions: no '*' or 'service:*' actions, NotAction, admin managed policies, basic "
        "GCP roles, Owner or Contributor assignments (both allow every action). Mirrors checkov CKV_AWS_62/CKV_AWS_63 (no '*' actions), "
        "CKV_AWS_274 (no AdministratorAccess), CKV_AZURE_39 (no custom owner roles) and CIS GCP 1.5 "
        "(no basic roles)."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=lambda args, report: check_resource("iam", args, report),
)
