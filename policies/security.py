"""Security policies: encryption, public buckets, public network in prod, local auth, IAM wildcards,
protection of stateful resources, key rotation. One module per policy; this one lists them (the SARIF
report tags the policies listed here `security`)."""

try:
    from .security_auth import local_auth_disabled
    from .security_encryption import storage_encryption
    from .security_iam import no_wildcard_iam_actions
    from .security_network import no_public_network_in_prod
    from .security_protection import protect_stateful_in_prod
    from .security_public_access import no_public_buckets
    from .security_rotation import customer_key_rotation
    from .use_case_isolation import use_case_isolation
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from security_auth import local_auth_disabled  # type: ignore[no-redef]
    from security_encryption import storage_encryption  # type: ignore[no-redef]
    from security_iam import no_wildcard_iam_actions  # type: ignore[no-redef]
    from security_network import no_public_network_in_prod  # type: ignore[no-redef]
    from security_protection import protect_stateful_in_prod  # type: ignore[no-redef]
    from security_public_access import no_public_buckets  # type: ignore[no-redef]
    from security_rotation import customer_key_rotation  # type: ignore[no-redef]
    from use_case_isolation import use_case_isolation  # type: ignore[no-redef]

POLICIES = [
    storage_encryption,
    no_public_buckets,
    no_public_network_in_prod,
    local_auth_disabled,
    no_wildcard_iam_actions,
    protect_stateful_in_prod,
    customer_key_rotation,
    use_case_isolation,
]
