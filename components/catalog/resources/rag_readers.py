"""Policy readers of the RAG generation types (Bedrock, Azure OpenAI, Vertex AI), per concern:
`local_auth`, `public_network` (prod), `content_filter` (prod), `invocation_logging` and `model_private`
(stack-wide facts: a finding names the resource that lacks its companion)."""

from __future__ import annotations

from . import Subject
from .props import get, is_known, lower, truthy

BEDROCK_MODEL_USERS = ("aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase", "aws:bedrock/inferenceProfile:InferenceProfile")
LOGGING_CONFIG = "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration"
GUARDRAIL = "aws:bedrock/guardrail:Guardrail"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
AUDIT_CONFIG = "gcp:projects/iAMAuditConfig:IAMAuditConfig"
# Vertex AI Data Access audit logs: DATA_READ records model calls and RAG retrievals, DATA_WRITE imports.
VERTEX_SERVICES = ("aiplatform.googleapis.com", "allServices")  # configs on both are unioned per service
VERTEX_LOG_TYPES = ("DATA_READ", "DATA_WRITE")
RAG_QUERY_PERMISSION = "aiplatform.ragCorpora.query"
# Stack config saying another stack of the account/region manages Bedrock invocation logging.
SHARED_LOGGING = "shared"


def _types(s: Subject) -> list[str]:
    return [resource.resource_type for resource in s.stack]


def openai_local_auth(s: Subject):
    value = get(s.props, "properties.disableLocalAuth")
    if is_known(value) and not truthy(value):
        yield "Azure OpenAI account allows API keys; set properties.disableLocalAuth = true (Entra ID only)."


def openai_public_network(s: Subject):
    value = get(s.props, "properties.publicNetworkAccess")
    if is_known(value) and lower(value) != "disabled":
        yield "prod Azure OpenAI account allows public network access; set publicNetworkAccess = Disabled."


def openai_deployment_filter(s: Subject):
    if not get(s.props, "properties.raiPolicyName"):
        yield "prod Azure OpenAI deployment has no content filter (RAI) policy; set rag.content_filter: true."


def openai_diagnostics(s: Subject):
    if DIAGNOSTIC_SETTING not in _types(s):
        yield "Azure OpenAI account has no diagnostic setting: requests are not logged to Log Analytics."


def bedrock_guardrail(s: Subject):
    if GUARDRAIL not in _types(s):
        yield "prod Bedrock knowledge base without a guardrail; set rag.content_filter: true."


def bedrock_logging(s: Subject):
    if LOGGING_CONFIG in _types(s) or lower(s.settings.get("bedrock_invocation_logging")) == SHARED_LOGGING:
        return
    yield ("Bedrock model invocation logging is not configured by this stack (stack config "
           "mlplat:bedrockInvocationLogging: shared): where another stack of the account and region manages it, "
           "set this policy's bedrockInvocationLoggingShared: true; otherwise leave mlplat:bedrockInvocationLogging "
           "at 'manage', the default (docs/rag.md).")


def _vertex_logged_types(s: Subject) -> set[str]:
    """The log types the stack's audit configs turn on for Vertex AI (its own and `allServices`)."""
    found: set[str] = set()
    for resource in s.stack:
        if resource.resource_type == AUDIT_CONFIG and get(resource.props, "service") in VERTEX_SERVICES:
            configs = get(resource.props, "auditLogConfigs") or []
            if not is_known(configs):  # computed during preview: not reported as missing
                return set(VERTEX_LOG_TYPES)
            found.update(str(get(config, "logType")) for config in configs)
    return found


def vertex_logging(s: Subject):
    permissions = get(s.props, "permissions") or []
    if not is_known(permissions) or RAG_QUERY_PERMISSION not in permissions:
        return  # not the role workloads call the models and RAG Engine with
    if lower(s.settings.get("vertex_data_access_logging")) == SHARED_LOGGING:
        return
    missing = [t for t in VERTEX_LOG_TYPES if t not in _vertex_logged_types(s)]
    if missing:
        yield (f"Vertex AI model calls are not logged: this stack has no Data Access audit config with "
               f"{', '.join(missing)} for aiplatform.googleapis.com; leave mlplat:vertexDataAccessLogging at "
               "'manage', or set it to 'shared' where another stack or tool of the project owns it (docs/rag.md).")


def bedrock_private(s: Subject):
    names = [str(get(resource.props, "serviceName") or "") for resource in s.stack if resource.resource_type == VPC_ENDPOINT]
    if not any(name.endswith(".bedrock-runtime") for name in names):
        yield "prod Bedrock calls leave the VPC: no bedrock-runtime interface endpoint (network.private: true)."


OPENAI_ACCOUNT = {"local_auth": openai_local_auth, "public_network": openai_public_network,
                  "invocation_logging": openai_diagnostics}
OPENAI_DEPLOYMENT = {"content_filter": openai_deployment_filter}
VERTEX_MODEL_USER = {"invocation_logging": vertex_logging}
KNOWLEDGE_BASE = {"content_filter": bedrock_guardrail, "invocation_logging": bedrock_logging,
                  "model_private": bedrock_private}
