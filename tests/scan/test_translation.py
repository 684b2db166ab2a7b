"""The plan -> Terraform / ARM translation: type names, attribute names, blocks, references, ARM re-nesting."""

from __future__ import annotations

import pytest

from mlplat.scan.arm import api_version, arm_resource, to_arm_template, untranslated_types
from mlplat.scan.terraform import hcl_string, snake, terraform_type, to_hcl, translated_resources
from tests.support.plans import reference_plan


@pytest.mark.parametrize("token, expected", [
    ("aws:s3/bucket:Bucket", "aws_s3_bucket"),
    ("aws:ec2/vpc:Vpc", "aws_vpc"),
    ("aws:ec2/launchTemplate:LaunchTemplate", "aws_launch_template"),
    ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws_vpc_security_group_ingress_rule"),
    ("aws:opensearch/serverlessCollection:ServerlessCollection", "aws_opensearchserverless_collection"),
    ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
     "aws_s3_bucket_server_side_encryption_configuration"),
    ("aws:iam/rolePolicy:RolePolicy", "aws_iam_role_policy"),
    ("gcp:projects/iAMMember:IAMMember", "google_project_iam_member"),
    ("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "google_kms_crypto_key_iam_member"),
    ("gcp:serviceaccount/account:Account", "google_service_account"),
    ("gcp:artifactregistry/repository:Repository", "google_artifact_registry_repository"),
    ("gcp:vertex/aiIndexEndpointDeployedIndex:AiIndexEndpointDeployedIndex",
     "google_vertex_ai_index_endpoint_deployed_index"),
    ("aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase", "aws_bedrockagent_knowledge_base"),
    ("aws:bedrock/agentDataSource:AgentDataSource", "aws_bedrockagent_data_source"),
    ("aws:bedrock/guardrail:Guardrail", "aws_bedrock_guardrail"),
    ("aws:bedrock/inferenceProfile:InferenceProfile", "aws_bedrock_inference_profile"),
    ("aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration",
     "aws_bedrock_model_invocation_logging_configuration"),
    ("gcp:vertex/aiRagCorpus:AiRagCorpus", "google_vertex_ai_rag_corpus"),
    ("pulumi-python:dynamic:Resource", None),
])
def test_type_tokens_name_their_terraform_types(token, expected):
    assert terraform_type(token) == expected


def test_snake_case_of_bridge_names():
    assert snake("enableKeyRotation") == "enable_key_rotation"
    assert snake("iAMMember") == "iam_member"
    assert snake("httpPutResponseHopLimit") == "http_put_response_hop_limit"


@pytest.mark.parametrize("stack", ["aws-prod", "gcp-prod"])
def test_every_resource_of_a_bridged_cloud_is_translated(stack):
    plan = reference_plan(stack)
    translated = {r.urn for *_, r in translated_resources(plan)}
    missing = [r.type for r in plan.custom_resources() if r.urn not in translated
               and not r.type.startswith("pulumi-python:dynamic")]
    assert missing == []


def test_inputs_become_attributes_blocks_and_references():
    text, by_address = to_hcl(reference_plan("aws-prod"), [("CKV_X_1", "a reason")])
    assert 'resource "aws_launch_template" "fraud-ml-prod-training-launch-template" {' in text
    assert "  metadata_options {\n    http_endpoint = \"enabled\"" in text  # an object input is a block
    assert "vpc_id = aws_vpc.fraud-ml-prod-vpc.id" in text  # the VPC's mock id became a reference
    assert "#checkov:skip=CKV_X_1:a reason" in text
    assert by_address["aws_vpc.fraud-ml-prod-vpc"].type == "aws:ec2/vpc:Vpc"


def test_protect_is_prevent_destroy():
    bodies = {(t, r.name): b for t, _, b, r in translated_resources(reference_plan("gcp-prod"))}
    assert bodies[("google_kms_crypto_key", "fraud-ml-prod-key")]["lifecycle"] == {"prevent_destroy": True}
    dev = {(t, r.name): b for t, _, b, r in translated_resources(reference_plan("gcp-dev"))}
    assert all("lifecycle" not in b for b in dev.values())


def test_hcl_strings_escape_interpolation_and_quotes():
    assert hcl_string('a "b" ${c} %{d}\n') == '"a \\"b\\" $${c} %%{d}\\n"'


def test_arm_renests_properties_and_undoes_renames():
    plan = reference_plan("azure-prod")
    (account,) = [r for r in plan.custom_resources() if r.type == "azure-native:storage:StorageAccount"]
    body = arm_resource(account)
    assert body["type"] == "Microsoft.Storage/storageAccounts"
    assert body["name"] == account.inputs["accountName"]
    assert body["properties"]["networkAcls"] == account.inputs["networkRuleSet"]
    assert body["properties"]["supportsHttpsTrafficOnly"] is True
    assert {"sku", "kind", "location", "tags", "identity"} <= set(body)
    assert "resourceGroupName" not in body["properties"] and "accountName" not in body["properties"]


def test_arm_child_names_and_nested_properties():
    plan = reference_plan("azure-prod")
    (key,) = [r for r in plan.custom_resources() if r.type == "azure-native:keyvault:Key"]
    body = arm_resource(key)
    assert body["type"] == "Microsoft.KeyVault/vaults/keys"
    assert body["name"] == f"{key.inputs['vaultName']}/{key.inputs['keyName']}"
    assert body["properties"] == key.inputs["properties"]


def test_arm_api_versions_come_from_the_installed_sdk():
    assert api_version("azure-native:storage:StorageAccount") == "2024-01-01"
    template, _ = to_arm_template(reference_plan("azure-prod"))
    assert all(r["apiVersion"] for r in template["resources"])


def test_azure_openai_account_its_children_and_custom_roles_are_arm_resources():
    plan = reference_plan("azure-prod")
    by_type = {r.type: r for r in plan.custom_resources()}
    account = arm_resource(by_type["azure-native:cognitiveservices:Account"])
    assert account["type"] == "Microsoft.CognitiveServices/accounts" and account["kind"] == "OpenAI"
    # what CKV_AZURE_134/236/238 read
    assert account["properties"]["publicNetworkAccess"] == "Disabled"
    assert account["properties"]["disableLocalAuth"] is True and account["identity"]["type"]
    deployment = arm_resource(by_type["azure-native:cognitiveservices:Deployment"])
    assert deployment["type"] == "Microsoft.CognitiveServices/accounts/deployments"
    assert deployment["name"].startswith(account["name"] + "/") and deployment["sku"]["capacity"] > 0
    role = arm_resource(by_type["azure-native:authorization:RoleDefinition"])  # what CKV_AZURE_39 reads
    assert role["type"] == "Microsoft.Authorization/roleDefinitions" and "scope" not in role["properties"]
    assert role["properties"]["permissions"][0]["actions"] and role["properties"]["assignableScopes"]
    rai = arm_resource(by_type["azure-native:cognitiveservices:RaiPolicy"])
    assert rai["name"] == f"{account['name']}/mlplat-content-filter"


def test_azure_types_left_out_are_the_documented_ones():
    """Types without an ARM translation (docs/scanning.md): checkov 3.3 has no ARM check for any of them."""
    assert untranslated_types(reference_plan("azure-prod")) == sorted(UNTRANSLATED_AZURE)


UNTRANSLATED_AZURE = [
    "azure-native:applicationinsights:Workbook", "azure-native:machinelearningservices:Schedule",
    "azure-native:monitor:ActionGroup", "azure-native:monitor:MetricAlert",
    "azure-native:authorization:RoleAssignment", "azure-native:consumption:Budget",
    "azure-native:machinelearningservices:Datastore", "azure-native:machinelearningservices:FeaturesetContainerEntity",
    "azure-native:machinelearningservices:FeaturesetVersion",
    "azure-native:machinelearningservices:FeaturestoreEntityContainerEntity",
    "azure-native:machinelearningservices:FeaturestoreEntityVersion", "azure-native:machinelearningservices:ModelContainer",
    "azure-native:machinelearningservices:ModelVersion", "azure-native:machinelearningservices:WorkspaceConnection",
    "azure-native:monitor:AutoscaleSetting", "azure-native:monitor:DiagnosticSetting", "azure-native:monitor:PrivateLinkScope",
    "azure-native:monitor:PrivateLinkScopedResource", "azure-native:network:PrivateDnsZoneGroup",
    "azure-native:privatedns:PrivateZone", "azure-native:privatedns:VirtualNetworkLink",
    "azure-native:redis:AccessPolicyAssignment", "azure-native:resources:ResourceGroup",
]
