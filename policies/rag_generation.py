"""RAG generation policies (the catalogue's rag readers, components/catalog/resources/rag_readers.py):

- rag-content-filter-in-prod: prod model deployments carry a content filter (Azure RAI policy on every
  deployment, a Bedrock guardrail beside the knowledge base). Vertex AI applies Gemini safety settings
  per request; there is no resource to check (the stack outputs the thresholds).
- rag-invocation-logging: model calls are logged (an Azure OpenAI diagnostic setting; Bedrock invocation
  logging managed by this stack, or by another stack of the account and region: pack setting
  `bedrockInvocationLoggingShared: true`; Vertex AI Data Access audit logs on the project, or owned by
  another stack or tool of the project: `vertexDataAccessLoggingShared: true`).
- rag-model-endpoints-private-in-prod: prod Bedrock calls go through the VPC interface endpoints. The Azure
  OpenAI account's public network access and key auth are checked by no-public-network-in-prod and
  local-auth-disabled (its `public_network` / `local_auth` readers).
"""

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationPolicy

try:
    from .concern_rules import check_stack, stack_policy
    from .pack_settings import PROD_SCHEMA, setting
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from concern_rules import check_stack, stack_policy  # type: ignore[no-redef]
    from pack_settings import PROD_SCHEMA, setting  # type: ignore[no-redef]

SHARED_LOGGING_SCHEMA = {
    "bedrockInvocationLoggingShared": {
        "type": "boolean",
        "default": False,
        "description": "Another stack of this AWS account and region manages Bedrock model invocation logging.",
    },
    "vertexDataAccessLoggingShared": {
        "type": "boolean",
        "default": False,
        "description": "Another stack or tool of this GCP project manages the Vertex AI Data Access audit config.",
    },
}


def _logging(args, report) -> None:
    config = args.get_config()
    settings = {key: "shared" if setting(config, name, False) else ""
                for key, name in (("bedrock_invocation_logging", "bedrockInvocationLoggingShared"),
                                  ("vertex_data_access_logging", "vertexDataAccessLoggingShared"))}
    check_stack("invocation_logging", args, report, settings)


content_filter_in_prod = StackValidationPolicy(
    name="rag-content-filter-in-prod",
    description="Prod foundation-model deployments filter harmful content: an Azure OpenAI RAI policy on every "
    "deployment, a Bedrock guardrail beside the knowledge base. Mirrors the AWS Well-Architected Generative AI "
    "Lens guardrail guidance and Azure OpenAI's default content filtering (kept on, never a custom no-filter policy).",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=stack_policy("content_filter", prod_only=True),
    config_schema=PolicyConfigSchema(properties=PROD_SCHEMA),
)
invocation_logging = StackValidationPolicy(
    name="rag-invocation-logging",
    description="Foundation-model calls are logged: Azure OpenAI diagnostic settings to Log Analytics, Bedrock "
    "model invocation logging (one configuration per account and region), Vertex AI Data Access audit logs "
    "(DATA_READ and DATA_WRITE, one audit config per service and project). Mirrors Azure Policy built-in "
    "'Diagnostic logs in Azure AI services resources should be enabled', the Bedrock security guidance to "
    "enable model invocation logging and Google's guidance to enable Vertex AI Data Access audit logs.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_logging,
    config_schema=PolicyConfigSchema(properties=SHARED_LOGGING_SCHEMA),
)
model_endpoints_private_in_prod = StackValidationPolicy(
    name="rag-model-endpoints-private-in-prod",
    description="Prod foundation-model and retrieval calls stay in the private network (Bedrock runtime VPC "
    "interface endpoints; Azure OpenAI public access is checked by no-public-network-in-prod). Mirrors Azure "
    "Policy built-in 'Azure AI Services resources should restrict network access' and the Bedrock guidance "
    "to use VPC interface endpoints (AWS PrivateLink).",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=stack_policy("model_private", prod_only=True),
    config_schema=PolicyConfigSchema(properties=PROD_SCHEMA),
)

POLICIES = [content_filter_in_prod, invocation_logging, model_endpoints_private_in_prod]
