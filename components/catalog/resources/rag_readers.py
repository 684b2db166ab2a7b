"""Policy readers of the RAG generation types (Bedrock, Azure OpenAI, Vertex AI RAG Engine), per concern:
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
    yield ("Bedrock model invocation logging is not configured by this stack: set mlplat:bedrockInvocationLogging "
           "to 'manage' on one stack per account and region, and to 'shared' on the others (docs/rag.md).")


def bedrock_private(s: Subject):
    names = [str(get(resource.props, "serviceName") or "") for resource in s.stack if resource.resource_type == VPC_ENDPOINT]
    if not any(name.endswith(".bedrock-runtime") for name in names):
        yield "prod Bedrock calls leave the VPC: no bedrock-runtime interface endpoint (network.private: true)."


OPENAI_ACCOUNT = {"local_auth": openai_local_auth, "public_network": openai_public_network,
                  "invocation_logging": openai_diagnostics}
OPENAI_DEPLOYMENT = {"content_filter": openai_deployment_filter}
KNOWLEDGE_BASE = {"content_filter": bedrock_guardrail, "invocation_logging": bedrock_logging,
                  "model_private": bedrock_private}
