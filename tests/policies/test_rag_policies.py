"""The RAG generation policies through the real pack: content filter in prod, invocation logging, private model
endpoints in prod, key auth and public network of the Azure OpenAI account."""

from __future__ import annotations

from mlplat.policy_run.results import analyze, analyzer_resources, resolve_config
from tests.policies.test_pack import DEV_TAGS, TAGS, policies_hit, res
from tests.support.plans import plan_of_stack

KB = "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase"


def bedrock(tags=TAGS, guardrail=True, logging=True, private=True):
    resources = [res(KB, "kb", {"roleArn": "arn"}, tags=tags)]
    if guardrail:
        resources.append(res("aws:bedrock/guardrail:Guardrail", "guardrail", {}, tags=tags))
    if logging:
        resources.append(res("aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration", "log", {}))
    if private:
        resources.append(res("aws:ec2/vpcEndpoint:VpcEndpoint", "runtime",
                             {"serviceName": "com.amazonaws.us-east-1.bedrock-runtime"}, tags=tags))
    return resources


def openai(tags=TAGS, public="Disabled", local_auth_off=True, rai=True, diagnostics=True):
    resources = [
        res("azure-native:cognitiveservices:Account", "openai",
            {"kind": "OpenAI", "identity": {"type": "UserAssigned", "userAssignedIdentities": ["id"]},
             "properties": {"publicNetworkAccess": public, "disableLocalAuth": local_auth_off}}, tags=tags),
        res("azure-native:cognitiveservices:Deployment", "chat",
            {"properties": {"model": {"name": "gpt-5.4-mini"}, **({"raiPolicyName": "filter"} if rai else {})}}, tags=tags),
    ]
    if diagnostics:
        resources.append(res("azure-native:monitor:DiagnosticSetting", "diagnostics", {"resourceUri": "id"}))
    return resources


def vertex(log_types=("DATA_READ", "DATA_WRITE"), service="aiplatform.googleapis.com"):
    resources = [res("gcp:projects/iAMCustomRole:IAMCustomRole", "rag-workloads-role",
                     {"permissions": ["aiplatform.endpoints.predict", "aiplatform.ragCorpora.query"]})]
    if log_types:
        resources.append(res("gcp:projects/iAMAuditConfig:IAMAuditConfig", "vertex-data-access-logs",
                             {"service": service, "auditLogConfigs": [{"logType": t} for t in log_types]}))
    return resources


RAG_POLICIES = {"rag-content-filter-in-prod", "rag-invocation-logging", "rag-model-endpoints-private-in-prod",
                "no-public-network-in-prod", "local-auth-disabled"}


def test_compliant_prod_rag_passes(pack):
    assert policies_hit(pack, bedrock()) & RAG_POLICIES == set()
    assert policies_hit(pack, openai()) & RAG_POLICIES == set()
    assert policies_hit(pack, vertex()) & RAG_POLICIES == set()


def test_prod_without_guardrail_or_rai_policy_is_refused(pack):
    assert "rag-content-filter-in-prod" in policies_hit(pack, bedrock(guardrail=False))
    assert "rag-content-filter-in-prod" in policies_hit(pack, openai(rai=False))


def test_content_filter_is_not_required_in_dev(pack):
    assert "rag-content-filter-in-prod" not in policies_hit(pack, bedrock(tags=DEV_TAGS, guardrail=False, private=False))


def test_invocation_logging_is_required_unless_another_stack_manages_it(pack):
    assert "rag-invocation-logging" in policies_hit(pack, bedrock(logging=False))
    shared = {"rag-invocation-logging": {"bedrockInvocationLoggingShared": True}}
    assert "rag-invocation-logging" not in policies_hit(pack, bedrock(logging=False), shared)
    assert "rag-invocation-logging" in policies_hit(pack, openai(diagnostics=False))


def test_vertex_model_calls_need_data_read_and_data_write_audit_logs(pack):
    assert "rag-invocation-logging" in policies_hit(pack, vertex(log_types=()))
    assert "rag-invocation-logging" in policies_hit(pack, vertex(log_types=("DATA_READ",)))
    assert "rag-invocation-logging" in policies_hit(pack, vertex(service="storage.googleapis.com"))
    assert "rag-invocation-logging" not in policies_hit(pack, vertex(service="allServices"))
    shared = {"rag-invocation-logging": {"vertexDataAccessLoggingShared": True}}
    assert "rag-invocation-logging" not in policies_hit(pack, vertex(log_types=()), shared)


def test_a_custom_role_that_does_not_call_the_models_needs_no_audit_config(pack):
    role = res("gcp:projects/iAMCustomRole:IAMCustomRole", "registry-role", {"permissions": ["aiplatform.models.get"]})
    assert "rag-invocation-logging" not in policies_hit(pack, [role])


def test_prod_model_endpoints_are_private_and_keyless(pack):
    assert "rag-model-endpoints-private-in-prod" in policies_hit(pack, bedrock(private=False))
    assert "no-public-network-in-prod" in policies_hit(pack, openai(public="Enabled"))
    assert "local-auth-disabled" in policies_hit(pack, openai(local_auth_off=False))


def test_an_aws_rag_stack_served_through_the_eu_profile_passes_the_pack(pack, tmp_path):
    """The cross-Region generation grant names its resources (no wildcard), and the stack keeps its guardrail,
    logging and private endpoints: the pack finds nothing, as for the us-east-1 reference stack."""
    def frankfurt(platform):
        platform["region"] = "eu-central-1"

    plan = plan_of_stack(tmp_path, "aws-prod", frankfurt, {"aws:region": "eu-central-1"})
    assert any(r.name.endswith("knowledge-base-generation") for r in plan.resources)
    _, policies = pack.info()
    assert analyze(pack, analyzer_resources(plan), resolve_config(policies, {}), stack=plan.stack) == []
