"""storage-encryption: data stores use customer-managed keys in prod (the catalogue's `encryption` readers)."""

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationPolicy

try:
    from .concern_rules import stack_policy
    from .pack_settings import PROD_SCHEMA
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from concern_rules import stack_policy  # type: ignore[no-redef]
    from pack_settings import PROD_SCHEMA  # type: ignore[no-redef]

storage_encryption = StackValidationPolicy(
    name="storage-encryption",
    description=(
        "Data stores are encrypted, with customer-managed keys in prod. Mirrors checkov CKV_AWS_145 (S3 KMS "
        "by default), CKV_AWS_98 (SageMaker endpoint config KMS), CKV_AWS_136 (ECR KMS), CKV_GCP_92/CKV_GCP_96 "
        "(Vertex AI CMK), and Azure Policy built-ins 'Azure Machine Learning workspaces should be encrypted with "
        "a customer-managed key', 'Storage accounts should use customer-managed key for encryption', 'Azure AI "
        "Search services should use customer-managed keys to encrypt data at rest'."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    # every store is encrypted at rest by the cloud; customer-managed keys are required in prod
    validate=stack_policy("encryption", prod_only=True),
    config_schema=PolicyConfigSchema(properties=PROD_SCHEMA),
)
