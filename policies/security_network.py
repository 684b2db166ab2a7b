"""no-public-network-in-prod: prod ML services are not reachable from public networks (the catalogue's
`public_network` readers)."""

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationPolicy

try:
    from .concern_rules import stack_policy
    from .pack_settings import PROD_SCHEMA
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from concern_rules import stack_policy  # type: ignore[no-redef]
    from pack_settings import PROD_SCHEMA  # type: ignore[no-redef]

no_public_network_in_prod = StackValidationPolicy(
    name="no-public-network-in-prod",
    description=(
        "Prod ML services are not reachable from public networks: ML workspace, online endpoints, search "
        "service, storage, registry, Azure OpenAI account, vector collection network policy, Vertex endpoints and "
        "index endpoints. Mirrors checkov CKV_AZURE_144 (ML workspace public access), CKV_AZURE_59 (storage public "
        "access), CKV_AZURE_134 (Azure OpenAI public access), "
        "CKV_AWS_130 (no public IPs on launch), CKV2_GCP_33 / CKV_GCP_64 (private Vertex endpoint/GKE), and Azure Policy built-ins 'Azure Machine Learning "
        "Workspaces should disable public network access', 'Azure AI Search services should disable public "
        "network access', 'Public network access should be disabled for Container registries'."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=stack_policy("public_network", prod_only=True),
    config_schema=PolicyConfigSchema(properties=PROD_SCHEMA),
)
