"""local-auth-disabled: local / key authentication is off where the cloud allows it (the catalogue's
`local_auth` readers)."""

from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

try:
    from .concern_rules import check_resource
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from concern_rules import check_resource  # type: ignore[no-redef]

local_auth_disabled = ResourceValidationPolicy(
    name="local-auth-disabled",
    description=(
        "Local / key authentication is disabled where the cloud allows it. Mirrors Azure Policy built-ins 'Azure "
        "AI Search services should have local authentication methods disabled', 'Azure Machine Learning "
        "Computes should have local authentication methods disabled', 'Storage accounts should prevent shared "
        "key access', checkov CKV_AZURE_137 (ACR admin user), CKV_AZURE_236/238 (Azure OpenAI keys off, managed "
        "identity on), and CIS AWS/GCP 'no long-lived access keys'."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=lambda args, report: check_resource("local_auth", args, report),
)
