"""RAG generation in the offline plans: per cloud, the models, the retrieval pipeline bound to the platform's
own index and documents store, private and key-less in prod, logging on, content filter on in prod, tags."""

from __future__ import annotations

import json

import pytest
import yaml

from components.catalog.resources import tag_input
from components.outputs import RagOutputs, output_keys
from mlplat.offline_plan import plan_stack
from tests.support.plans import (CLOUDS, REFERENCE_STACKS, named, one_resource, plan_of_stack, reference_plan,
                                 resources_of, stack_document)


def rag_outputs(plan) -> dict:
    return plan.outputs["rag"]["rag"]


# The GCP reference stacks have no rag: block (their 1024-dimension index is not one RAG Engine can fill, and
# rendered on Azure their region, centralus, has no Azure OpenAI).
RAG_STACKS = [stack for stack in REFERENCE_STACKS if not stack.startswith("gcp-")]


@pytest.mark.parametrize("stack", RAG_STACKS)
@pytest.mark.parametrize("cloud", CLOUDS)
def test_the_outputs_have_the_same_keys_on_every_cloud(stack, cloud):
    assert list(rag_outputs(reference_plan(stack, cloud))) == output_keys(RagOutputs)


def test_aws_knowledge_base_is_bound_to_the_platform_collection_index_and_documents_bucket():
    plan = reference_plan("aws-prod")
    kb = one_resource(plan, "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase")
    storage = kb.inputs["storageConfiguration"]["opensearchServerlessConfiguration"]
    collection = one_resource(plan, "aws:opensearch/serverlessCollection:ServerlessCollection")
    assert collection.urn in kb.dependencies and storage["vectorIndexName"] == "documents"
    index = named(plan, "rag-index")
    assert index.urn in kb.dependencies and json.loads(index.inputs["mapping"])["mappings"]["properties"]["embedding"]["dimension"] == 1024
    embedding = kb.inputs["knowledgeBaseConfiguration"]["vectorKnowledgeBaseConfiguration"]
    assert embedding["embeddingModelArn"] == "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"
    source = one_resource(plan, "aws:bedrock/agentDataSource:AgentDataSource")
    documents = named(plan, "documents")
    assert documents.urn in source.dependencies and source.inputs["serverSideEncryptionConfiguration"]["kmsKeyArn"]
    role_policy = json.loads(named(plan, "knowledge-base-access").inputs["policy"])
    actions = {a for statement in role_policy["Statement"] for a in statement["Action"]}
    assert "bedrock:InvokeModel" in actions and not any(a.endswith("*") for a in actions)


def test_aws_prod_is_private_filtered_logged_and_the_profile_is_tagged_with_the_use_case():
    plan = reference_plan("aws-prod")
    services = {r.inputs["serviceName"] for r in resources_of(plan, "aws:ec2/vpcEndpoint:VpcEndpoint", "rag")}
    assert services == {"com.amazonaws.us-east-1.bedrock-runtime", "com.amazonaws.us-east-1.bedrock-agent-runtime"}
    guardrail = one_resource(plan, "aws:bedrock/guardrail:Guardrail")
    assert {f["type"] for f in guardrail.inputs["contentPolicyConfig"]["filtersConfigs"]} >= {"HATE", "PROMPT_ATTACK"}
    logging = one_resource(plan, "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration")
    assert logging.inputs["loggingConfig"]["textDataDeliveryEnabled"] is True
    profile = one_resource(plan, "aws:bedrock/inferenceProfile:InferenceProfile")
    assert profile.inputs["tags"]["use-case"] == "support-rag"
    assert profile.inputs["modelSource"]["copyFrom"] == "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"


LOGGING_CONFIG = "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration"


def test_aws_manages_bedrock_invocation_logging_by_default_under_the_same_urn(tmp_path):
    document = stack_document("aws-dev")
    assert document["config"].pop("mlplat:bedrockInvocationLogging") == "manage"
    (tmp_path / "Pulumi.aws-dev.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    unset = plan_stack("aws-dev", tmp_path)
    explicit = reference_plan("aws-dev")
    for token in (LOGGING_CONFIG, "aws:cloudwatch/logGroup:LogGroup"):
        assert {r.urn for r in resources_of(unset, token, "rag")} == {r.urn for r in resources_of(explicit, token, "rag")}
    assert one_resource(unset, LOGGING_CONFIG).options["retainOnDelete"] is True


def test_a_second_aws_stack_of_the_account_shares_the_logging_configuration(tmp_path):
    plan = plan_of_stack(tmp_path, "aws-dev", None, {"mlplat:bedrockInvocationLogging": "shared"})
    assert not resources_of(plan, LOGGING_CONFIG)
    assert rag_outputs(plan)["invocation_logging"] == "/mlplat/bedrock/us-east-1/invocations"


def test_aws_dev_has_no_guardrail_and_no_private_endpoints():
    plan = reference_plan("aws-dev")
    assert not resources_of(plan, "aws:bedrock/guardrail:Guardrail")
    assert not resources_of(plan, "aws:ec2/vpcEndpoint:VpcEndpoint", "rag")


def test_azure_openai_is_keyless_private_filtered_and_logged_in_prod():
    plan = reference_plan("azure-prod")
    account = one_resource(plan, "azure-native:cognitiveservices:Account")
    props = account.inputs["properties"]
    assert account.inputs["kind"] == "OpenAI" and props["disableLocalAuth"] is True
    assert props["publicNetworkAccess"] == "Disabled" and props["encryption"]["keySource"] == "Microsoft.KeyVault"
    assert named(plan, "pe-openai").inputs["privateLinkServiceConnections"][0]["groupIds"] == ["account"]
    deployments = {d.inputs["deploymentName"]: d for d in resources_of(plan, "azure-native:cognitiveservices:Deployment")}
    assert deployments["chat"].inputs["sku"] == {"name": "DataZoneStandard", "capacity": 200}
    assert deployments["embedding"].inputs["sku"]["name"] == "Standard"
    assert deployments["embedding"].inputs["properties"]["model"]["name"] == "text-embedding-3-small"
    assert all(d.inputs["properties"]["raiPolicyName"] == "mlplat-content-filter" for d in deployments.values())
    assert deployments["chat"].urn in deployments["embedding"].dependencies  # one deployment operation at a time
    search_grant = named(plan, "search-openai-user")
    assert search_grant.inputs["roleDefinitionId"].endswith("5e0bd9bd-7b93-4f28-af87-19fc36ad61bd")
    assert one_resource(plan, "azure-native:monitor:DiagnosticSetting").inputs["logs"] == [
        {"categoryGroup": "allLogs", "enabled": True}]
    definitions = json.loads(rag_outputs(plan)["extras"]["pipeline_definitions"])
    assert definitions["index"]["vectorSearch"]["vectorizers"][0]["azureOpenAIParameters"]["deploymentId"] == "embedding"


def test_gcp_rag_corpus_is_bound_to_the_platform_index_with_cmek(tmp_path):
    def fitting(platform):  # RAG Engine embeds at the model's default size: a 768-dimension index
        platform["vector_search"]["dimensions"] = 768
        platform["rag"] = {"embedding_model": "embed-compact", "use_case": "support-rag"}

    plan = plan_of_stack(tmp_path, "gcp-prod", fitting)
    corpus = one_resource(plan, "gcp:vertex/aiRagCorpus:AiRagCorpus")
    vector_db = corpus.inputs["vectorDbConfig"]
    assert one_resource(plan, "gcp:vertex/aiIndex:AiIndex").urn in corpus.dependencies
    assert vector_db["ragEmbeddingModelConfig"]["vertexPredictionEndpoint"]["endpoint"].endswith(
        "publishers/google/models/text-embedding-005")
    assert corpus.inputs["encryptionSpec"]["kmsKeyName"]
    # keyless (service agent and workload account, no keys) and private: model calls reach Google APIs
    # through Private Google Access from the platform subnet
    assert one_resource(plan, "gcp:compute/subnetwork:Subnetwork").inputs["privateIpGoogleAccess"] is True
    assert not resources_of(plan, "gcp:serviceaccount/key:Key")
    agent_grants = [r for r in resources_of(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
                    if "gcp-sa-vertex-rag" in str(r.inputs.get("member"))]
    assert len(agent_grants) == 1
    role = named(plan, "rag-workloads-role")
    assert "aiplatform.ragCorpora.query" in role.inputs["permissions"]
    assert not any(p.endswith("*") for p in role.inputs["permissions"])


AUDIT_CONFIG = "gcp:projects/iAMAuditConfig:IAMAuditConfig"


def _gcp_rag(platform):
    platform["rag"] = {"use_case": "support-rag"}


def test_gcp_turns_on_vertex_data_access_logs_and_keeps_them_when_the_stack_goes():
    plan = reference_plan("aws-dev", "gcp")  # dev as well: the logging policy is not prod-only
    audit = one_resource(plan, AUDIT_CONFIG)
    assert audit.inputs["service"] == "aiplatform.googleapis.com"
    assert audit.inputs["auditLogConfigs"] == [{"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}]
    assert audit.options["retainOnDelete"] is True
    assert rag_outputs(plan)["invocation_logging"].endswith("/logs/cloudaudit.googleapis.com%2Fdata_access")


def test_gcp_calls_the_chat_model_through_the_global_endpoint_and_embeds_in_the_region():
    outputs = rag_outputs(reference_plan("aws-prod", "gcp"))
    assert outputs["chat_model"] == ("projects/mlplat-offline-project/locations/global/"
                                     "publishers/google/models/gemini-3.1-flash-lite")
    assert "/locations/global/" not in outputs["embedding_model"] and "/locations/us-" in outputs["embedding_model"]


def test_a_gcp_stack_sharing_the_projects_audit_config_does_not_manage_it(tmp_path):
    plan = plan_of_stack(tmp_path, "gcp-dev", _gcp_rag, {"mlplat:vertexDataAccessLogging": "shared"})
    assert not resources_of(plan, AUDIT_CONFIG)
    assert rag_outputs(plan)["invocation_logging"].endswith("cloudaudit.googleapis.com%2Fdata_access")


def test_an_unknown_data_access_logging_mode_is_refused_naming_the_key(tmp_path):
    with pytest.raises(Exception, match=r"mlplat:vertexDataAccessLogging: 'sometimes' is not one of manage, shared"):
        plan_of_stack(tmp_path, "gcp-dev", _gcp_rag, {"mlplat:vertexDataAccessLogging": "sometimes"})


def test_a_1024_dimension_index_on_gcp_lists_the_pipeline_gap_instead_of_a_corpus():
    plan = reference_plan("aws-prod", "gcp")
    assert not resources_of(plan, "gcp:vertex/aiRagCorpus:AiRagCorpus")
    assert any(g["capability"] == "rag" and "default size" in g["gap"] for g in plan.gaps)


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_taggable_rag_resource_carries_the_platform_tags_and_its_use_case(cloud):
    plan = reference_plan("aws-prod", cloud)
    rag = [r for r in plan.by_capability("rag") if r.custom]
    taggable = [(r, tag_input(r.type)) for r in rag if tag_input(r.type)]
    for resource, key in taggable:
        tags = resource.inputs.get(key) or {}
        assert tags.get("use-case") == "support-rag" and tags.get("managed-by") == "mlplat", resource.name
    if cloud == "gcp":  # no RAG resource takes labels: requests carry them (Vertex AI bills by request label)
        assert not taggable and rag_outputs(plan)["extras"]["request_labels"]["use-case"] == "support-rag"
    else:
        assert len(taggable) >= 3


def _frankfurt(platform):
    platform["region"] = "eu-central-1"  # EU geography; the embedding model is offered in-region there


def test_aws_outside_us_east_1_copies_the_eu_profile_and_may_invoke_it_in_every_eu_destination(tmp_path):
    plan = plan_of_stack(tmp_path, "aws-prod", _frankfurt, {"aws:region": "eu-central-1"})
    profile = one_resource(plan, "aws:bedrock/inferenceProfile:InferenceProfile")
    system_profile = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.amazon.nova-lite-v1:0"
    assert profile.inputs["modelSource"]["copyFrom"] == system_profile
    assert profile.inputs["tags"]["use-case"] == "support-rag"
    grant = named(plan, "knowledge-base-generation")
    assert grant.inputs["role"] == named(plan, "knowledge-base-access").inputs["role"]  # the knowledge base role
    statement, = json.loads(grant.inputs["policy"])["Statement"]
    assert statement["Action"] == ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    models = {r for r in statement["Resource"] if ":foundation-model/" in r}
    assert models == {f"arn:aws:bedrock:{region}::foundation-model/amazon.nova-lite-v1:0" for region in
                      ("eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-3")}
    assert system_profile in statement["Resource"] and len(statement["Resource"]) == len(models) + 2
    gap, = [g["gap"] for g in plan.gaps if g["capability"] == "rag"]
    assert gap.startswith("chat model served through the EU cross-Region profile eu.amazon.nova-lite-v1:0: "
                          "requests may be processed in any EU region of the profile")


def test_aws_in_us_east_1_copies_the_foundation_model_and_grants_no_cross_region_generation():
    plan = reference_plan("aws-prod")
    assert not [r for r in plan.resources if r.name.endswith("knowledge-base-generation")]
    assert not [g for g in plan.gaps if g["capability"] == "rag"]


def test_docs_name_the_sku_each_azure_deployment_is_planned_with():
    from tests.support.plans import ROOT

    text = (ROOT / "docs" / "rag.md").read_text(encoding="utf-8")
    azure = " ".join(text.split("**Azure.**", 1)[1].split("\n\n", 1)[0].split())
    for deployment in resources_of(reference_plan("azure-prod"), "azure-native:cognitiveservices:Deployment"):
        name, sku = deployment.inputs["deploymentName"], deployment.inputs["sku"]["name"]
        assert f"{name} deployment (`{sku}`)" in azure, f"docs/rag.md: the {name} deployment is {sku}"
