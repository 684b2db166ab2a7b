"""Every policy of the pack, violating and compliant, through the real Analyzer protocol: the pack runs as a
separate process started the way the Pulumi CLI starts it, and is spoken to over gRPC."""

from __future__ import annotations

import json

import pytest

from mlplat.policy_run import PolicyRunError
from mlplat.policy_run.analyzer_client import AnalyzerResource
from mlplat.policy_run.results import analyze, resolve_config, to_violations

TAGS = {"cost-center": "cc-1", "owner": "o@example.com", "team": "ml", "environment": "prod", "platform": "p",
        "managed-by": "mlplat"}
DEV_TAGS = {**TAGS, "environment": "dev"}
LABELS = {k: v.replace("@", "_at_").replace(".", "_") for k, v in TAGS.items()}


def res(type_, name, props=None, protect=False, component=None, tags=None):
    """A resource as the engine sends it; `component` puts it under an mlplat component in the URN."""
    chain = f"mlplat:index:Platform${component}$" if component else "mlplat:index:Platform$"
    props = dict(props or {})
    if tags is not None:
        props["labels" if type_.startswith("gcp:") else "tags"] = tags
    return AnalyzerResource(urn=f"urn:pulumi:test::mlplat::{chain}{type_}::{name}", type=type_, name=name,
                            properties=props, protect=protect)


def use_case_grant(endpoint_owner: str) -> list:
    """A use-case component `uc1` whose role may invoke an endpoint that `endpoint_owner` owns."""
    component = AnalyzerResource(urn="urn:pulumi:test::mlplat::mlplat:index:Platform$mlplat:aws:UseCase::uc1",
                                 type="mlplat:aws:UseCase", name="uc1", properties={})
    document = {"Statement": [{"Effect": "Allow", "Action": ["sagemaker:InvokeEndpoint"],
                               "Resource": ["arn:aws:sagemaker:us-east-1:123456789012:endpoint/ep-1"]}]}
    grant = AnalyzerResource(
        urn="urn:pulumi:test::mlplat::mlplat:index:Platform$mlplat:aws:UseCase$aws:iam/rolePolicy:RolePolicy::uc1-own",
        type="aws:iam/rolePolicy:RolePolicy", name="uc1-own", properties={"policy": json.dumps(document)},
        parent=component.urn)
    endpoint = res("aws:sagemaker/endpoint:Endpoint", "ep", {"name": "ep-1"}, tags={**TAGS, "use-case": endpoint_owner})
    return [component, grant, endpoint]


def budget_of_usd(amount):
    return res("aws:budgets/budget:Budget", "budget", {"budgetType": "COST", "limitAmount": str(amount),
                                                       "limitUnit": "USD", "timeUnit": "MONTHLY"}, tags=TAGS)


def kms_keys(count):
    return [res("aws:kms/key:Key", f"key-{i}", {"enableKeyRotation": True}, tags=TAGS) for i in range(count)]


def endpoint_config(instance_type, kms):
    props = {"productionVariants": [{"variantName": "stable", "modelName": "m", "instanceType": instance_type,
                                     "initialInstanceCount": 1}]}
    if kms:
        props["kmsKeyArn"] = kms
    return res("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "cfg", props, tags=TAGS)


def run(pack, resources, config=None):
    _, policies = pack.info()
    diagnostics = analyze(pack, resources, resolve_config(policies, config or {}), stack="test")
    return to_violations(diagnostics, resources)


def policies_hit(pack, resources, config=None):
    return {v.policy for v in run(pack, resources, config)}


KMS = "arn:aws:kms:us-east-1:123456789012:key/k"
BUDGET = res("aws:budgets/budget:Budget", "budget", {"budgetType": "COST", "limitAmount": "100"}, tags=TAGS)


def s3_bucket(name="data", protect=True, sse="aws:kms", key=KMS, block=True, env_tags=TAGS):
    bucket = res("aws:s3/bucket:Bucket", name, {"forceDestroy": False}, protect=protect, tags=env_tags)
    out = [bucket]
    if sse:
        rule = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": sse, **({"kmsMasterKeyId": key} if key else {})}}
        out.append(res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                       f"{name}-encryption", {"bucket": f"{name}-ab12cd3", "rules": [rule]}))
    out.append(res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{name}-pab",
                   {"bucket": f"{name}-ab12cd3", "blockPublicAcls": True, "blockPublicPolicy": True,
                    "ignorePublicAcls": True, "restrictPublicBuckets": block}))
    return out


def batch(kind="SPOT", min_vcpus=0, instance="p4d.24xlarge", max_vcpus=384, tags=TAGS):
    return res("aws:batch/computeEnvironment:ComputeEnvironment", "train", {
        "type": "MANAGED",
        "computeResources": {"type": kind, "minVcpus": min_vcpus, "maxVcpus": max_vcpus, "instanceTypes": [instance],
                             "subnets": ["s"], "securityGroupIds": ["g"]}}, component="mlplat:aws:TrainingCluster",
        tags=tags)


def aml_compute(priority="LowPriority", min_nodes=0, max_nodes=4, vm="Standard_ND96asr_v4", local_auth_off=True,
                public_ip=False):
    return res("azure-native:machinelearningservices:Compute", "cluster", {"properties": {
        "computeType": "AmlCompute", "disableLocalAuth": local_auth_off,
        "properties": {"vmPriority": priority, "vmSize": vm, "enableNodePublicIp": public_ip,
                       "scaleSettings": {"minNodeCount": min_nodes, "maxNodeCount": max_nodes}}}},
        component="mlplat:azure:TrainingCluster", tags=TAGS)


def node_pool(spot=True, min_nodes=0, max_nodes=4, accelerator="nvidia-tesla-a100"):
    accelerators = [{"type": accelerator, "count": 8}] if accelerator else []
    return res("gcp:container/nodePool:NodePool", "gpu-pool", {
        "nodeConfig": {"spot": spot, "machineType": "a2-highgpu-8g" if accelerator else "e2-standard-4",
                       "guestAccelerators": accelerators},
        "autoscaling": {"minNodeCount": min_nodes, "maxNodeCount": max_nodes}},
        component="mlplat:gcp:TrainingCluster", tags=LABELS)


def sagemaker(variant_serverless=False, target=True, min_capacity=1, env_tags=TAGS):
    variant = {"variantName": "stable", "modelName": "m"}
    if variant_serverless:
        variant = {"variantName": "stable", "serverlessConfig": {"maxConcurrency": 5, "memorySizeInMb": 2048}}
    out = [res("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "cfg",
               {"productionVariants": [variant], "kmsKeyArn": KMS}, tags=env_tags)]
    if target:
        out.append(res("aws:appautoscaling/target:Target", "scaling", {
            "serviceNamespace": "sagemaker", "scalableDimension": "sagemaker:variant:DesiredInstanceCount",
            "resourceId": "endpoint/ep-1234567/variant/stable", "minCapacity": min_capacity, "maxCapacity": 4},
            tags=env_tags))
    return out


def iam_policy(actions, effect="Allow"):
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": actions, "Resource": "*"}]}
    return res("aws:iam/rolePolicy:RolePolicy", "policy", {"role": "r", "policy": json.dumps(doc)})


KB = res("aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase", "kb", {}, tags=TAGS)

# (policy, id, resources, policy config, violated?)
CASES = [
    # --- cost ---
    ("training-spot-capacity", "aws-spot", [batch("SPOT")], None, False),
    ("training-spot-capacity", "aws-on-demand", [batch("EC2")], None, True),
    ("training-spot-capacity", "aws-on-demand-exempt-dev", [batch("EC2", tags=DEV_TAGS)],
     {"training-spot-capacity": {"allowOnDemandEnvironments": ["dev"]}}, False),
    ("training-spot-capacity", "azure-low-priority", [aml_compute("LowPriority")], None, False),
    ("training-spot-capacity", "azure-dedicated", [aml_compute("Dedicated")], None, True),
    ("training-spot-capacity", "gcp-spot", [node_pool(spot=True)], None, False),
    ("training-spot-capacity", "gcp-on-demand", [node_pool(spot=False)], None, True),
    ("training-spot-capacity", "gcp-cpu-system-pool-on-demand", [node_pool(spot=False, accelerator=None)], None, False),
    ("training-scale-to-zero", "aws-zero", [batch(min_vcpus=0)], None, False),
    ("training-scale-to-zero", "aws-warm", [batch(min_vcpus=96)], None, True),
    ("training-scale-to-zero", "azure-warm", [aml_compute(min_nodes=1)], None, True),
    ("training-scale-to-zero", "gcp-warm", [node_pool(min_nodes=1)], None, True),
    ("training-scale-to-zero", "gcp-zero", [node_pool(min_nodes=0)], None, False),
    ("training-gpu-limits", "aws-within", [batch(instance="p4d.24xlarge", max_vcpus=384)], None, False),
    ("training-gpu-limits", "aws-too-many-nodes", [batch(instance="p4d.24xlarge", max_vcpus=96 * 20)], None, True),
    ("training-gpu-limits", "aws-class-not-allowed", [batch(instance="p5.48xlarge", max_vcpus=192)],
     {"training-gpu-limits": {"allowedGpuClasses": ["t4", "a100"]}}, True),
    ("training-gpu-limits", "azure-too-many-nodes", [aml_compute(max_nodes=40)], None, True),
    ("training-gpu-limits", "gcp-h100-not-allowed", [node_pool(accelerator="nvidia-h100-80gb")],
     {"training-gpu-limits": {"allowedGpuClasses": ["t4"]}}, True),
    ("endpoint-autoscaling", "sagemaker-target", sagemaker(target=True), None, False),
    ("endpoint-autoscaling", "sagemaker-no-target", sagemaker(target=False), None, True),
    ("endpoint-autoscaling", "sagemaker-serverless", sagemaker(variant_serverless=True, target=False), None, False),
    ("endpoint-autoscaling", "azure-manual", [res("azure-native:machinelearningservices:OnlineDeployment", "dep", {
        "endpointName": "ep", "deploymentName": "blue", "properties": {"endpointComputeType": "Managed"}}, tags=TAGS)],
     None, True),
    ("endpoint-autoscaling", "azure-target-utilization", [res("azure-native:machinelearningservices:OnlineDeployment",
        "dep", {"endpointName": "ep", "deploymentName": "blue", "properties": {
            "endpointComputeType": "Managed", "scaleSettings": {"scaleType": "TargetUtilization"}}}, tags=TAGS)],
     None, False),
    ("nonprod-endpoint-scale-to-zero", "dev-min-1", sagemaker(min_capacity=1, env_tags=DEV_TAGS), None, True),
    ("nonprod-endpoint-scale-to-zero", "dev-serverless", sagemaker(variant_serverless=True, target=False,
                                                                   env_tags=DEV_TAGS), None, False),
    ("nonprod-endpoint-scale-to-zero", "prod-min-1", sagemaker(min_capacity=1), None, False),
    ("required-finops-tags", "aws-tagged", [res("aws:ecr/repository:Repository", "repo", {}, tags=TAGS)], None, False),
    ("required-finops-tags", "aws-missing", [res("aws:ecr/repository:Repository", "repo", {},
                                                 tags={"owner": "o"})], None, True),
    ("required-finops-tags", "aws-untaggable-type", [iam_policy(["s3:GetObject"])], None, False),
    ("required-finops-tags", "gcp-labels", [res("gcp:storage/bucket:Bucket", "b", {}, tags=LABELS)], None, False),
    ("required-finops-tags", "gcp-no-labels", [res("gcp:storage/bucket:Bucket", "b", {})], None, True),
    ("required-finops-tags", "azure-case-insensitive", [res("azure-native:storage:StorageAccount", "sa", {},
        tags={k.upper(): v for k, v in TAGS.items()})], None, False),
    ("required-finops-tags", "extra-required-key", [res("aws:ecr/repository:Repository", "repo", {}, tags=TAGS)],
     {"required-finops-tags": {"requiredTags": ["data-classification"]}}, True),
    ("stack-budget", "with-budget", [BUDGET, res("aws:ecr/repository:Repository", "repo", {}, tags=TAGS)], None, False),
    ("stack-budget", "no-budget", [res("aws:ecr/repository:Repository", "repo", {}, tags=TAGS)], None, True),
    # Two KMS keys cost $2/month at catalog prices: within a $1000 budget, over a $1 budget.
    ("budget-within-estimate", "within", [budget_of_usd(1000), *kms_keys(2)], None, False),
    ("budget-within-estimate", "over", [budget_of_usd(1), *kms_keys(2)], None, True),
    ("stack-budget", "gcp-budget", [res("gcp:billing/budget:Budget", "b", {"billingAccount": "x"}),
                                    res("gcp:storage/bucket:Bucket", "b2", {}, tags=LABELS)], None, False),
    # --- security ---
    ("storage-encryption", "s3-cmk", s3_bucket(), None, False),
    ("storage-encryption", "s3-sse-s3-in-prod", s3_bucket(sse="AES256", key=None), None, True),
    ("storage-encryption", "s3-sse-s3-in-dev", s3_bucket(sse="AES256", key=None, env_tags=DEV_TAGS), None, False),
    # SageMaker refuses a KmsKeyId on local-NVMe (hardware-encrypted) types such as ml.g5.xlarge.
    ("storage-encryption", "sagemaker-gpu-instance-storage-no-key", [endpoint_config("ml.g5.xlarge", kms=None)], None, False),
    ("storage-encryption", "sagemaker-cpu-no-key-in-prod", [endpoint_config("ml.m5.xlarge", kms=None)], None, True),
    ("storage-encryption", "sagemaker-cpu-with-key", [endpoint_config("ml.m5.xlarge", kms=KMS)], None, False),
    ("storage-encryption", "azure-storage-microsoft-keys", [res("azure-native:storage:StorageAccount", "sa",
        {"encryption": {"keySource": "Microsoft.Storage"}}, tags=TAGS)], None, True),
    ("storage-encryption", "azure-storage-cmk", [res("azure-native:storage:StorageAccount", "sa",
        {"encryption": {"keySource": "Microsoft.Keyvault"}}, tags=TAGS)], None, False),
    ("storage-encryption", "gcs-no-cmk", [res("gcp:storage/bucket:Bucket", "b", {}, tags=LABELS)], None, True),
    ("storage-encryption", "vertex-endpoint-cmk", [res("gcp:vertex/aiEndpoint:AiEndpoint", "ep",
        {"encryptionSpec": {"kmsKeyName": "k"}}, tags=LABELS)], None, False),
    ("no-public-buckets", "s3-blocked", s3_bucket(), None, False),
    ("no-public-buckets", "s3-block-incomplete", s3_bucket(block=False), None, True),
    ("no-public-buckets", "s3-public-acl", [res("aws:s3/bucket:Bucket", "b", {"acl": "public-read"}, tags=TAGS)],
     None, True),
    ("no-public-buckets", "gcs-enforced", [res("gcp:storage/bucket:Bucket", "b", {
        "publicAccessPrevention": "enforced", "uniformBucketLevelAccess": True}, tags=LABELS)], None, False),
    ("no-public-buckets", "gcs-inherited", [res("gcp:storage/bucket:Bucket", "b", {
        "publicAccessPrevention": "inherited", "uniformBucketLevelAccess": True}, tags=LABELS)], None, True),
    ("no-public-buckets", "gcs-all-users", [res("gcp:storage/bucketIAMMember:BucketIAMMember", "m", {
        "bucket": "b", "role": "roles/storage.objectViewer", "member": "allUsers"})], None, True),
    ("no-public-buckets", "azure-blob-public", [res("azure-native:storage:StorageAccount", "sa",
        {"allowBlobPublicAccess": True}, tags=TAGS)], None, True),
    ("no-public-network-in-prod", "aml-workspace-public", [res("azure-native:machinelearningservices:Workspace", "w",
        {"publicNetworkAccess": "Enabled"}, tags=TAGS)], None, True),
    ("no-public-network-in-prod", "aml-workspace-private", [res("azure-native:machinelearningservices:Workspace", "w",
        {"publicNetworkAccess": "Disabled"}, tags=TAGS)], None, False),
    ("no-public-network-in-prod", "aml-workspace-public-dev", [res("azure-native:machinelearningservices:Workspace",
        "w", {"publicNetworkAccess": "Enabled"}, tags=DEV_TAGS)], None, False),
    ("no-public-network-in-prod", "search-public", [res("azure-native:search:Service", "s",
        {"publicNetworkAccess": "enabled"}, tags=TAGS)], None, True),
    ("no-public-network-in-prod", "online-endpoint-public", [res("azure-native:machinelearningservices:OnlineEndpoint",
        "ep", {"properties": {"authMode": "AADToken", "publicNetworkAccess": "Enabled"}}, tags=TAGS)], None, True),
    ("no-public-network-in-prod", "aoss-public", [res("aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy",
        "net", {"type": "network", "policy": json.dumps([{"Rules": [], "AllowFromPublic": True}])}),
        BUDGET], None, True),
    ("no-public-network-in-prod", "aoss-vpc", [res("aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy",
        "net", {"type": "network", "policy": json.dumps([{"Rules": [], "AllowFromPublic": False,
                                                          "SourceVPCEs": ["vpce-1"]}])}), BUDGET], None, False),
    ("no-public-network-in-prod", "vertex-index-endpoint-public", [res("gcp:vertex/aiIndexEndpoint:AiIndexEndpoint",
        "ie", {"publicEndpointEnabled": True}, tags=LABELS)], None, True),
    ("no-public-network-in-prod", "vertex-index-endpoint-private", [res("gcp:vertex/aiIndexEndpoint:AiIndexEndpoint",
        "ie", {"publicEndpointEnabled": False, "network": "projects/1/global/networks/n"}, tags=LABELS)], None, False),
    ("local-auth-disabled", "search-keys", [res("azure-native:search:Service", "s", {"disableLocalAuth": False},
                                                tags=TAGS)], None, True),
    ("local-auth-disabled", "search-entra-only", [res("azure-native:search:Service", "s", {"disableLocalAuth": True},
                                                      tags=TAGS)], None, False),
    ("local-auth-disabled", "aml-compute-local-auth", [aml_compute(local_auth_off=False)], None, True),
    ("local-auth-disabled", "aml-compute-no-local-auth", [aml_compute(local_auth_off=True)], None, False),
    ("local-auth-disabled", "storage-shared-key", [res("azure-native:storage:StorageAccount", "sa",
        {"allowSharedKeyAccess": True}, tags=TAGS)], None, True),
    ("local-auth-disabled", "endpoint-key-auth", [res("azure-native:machinelearningservices:OnlineEndpoint", "ep",
        {"properties": {"authMode": "Key"}}, tags=TAGS)], None, True),
    ("no-wildcard-iam-actions", "named-actions", [iam_policy(["s3:GetObject", "s3:PutObject"])], None, False),
    ("no-wildcard-iam-actions", "service-wildcard", [iam_policy(["s3:*"])], None, True),
    ("no-wildcard-iam-actions", "star", [iam_policy("*")], None, True),
    ("no-wildcard-iam-actions", "deny-wildcard-ok", [iam_policy("s3:*", effect="Deny")], None, False),
    ("no-wildcard-iam-actions", "gcp-editor", [res("gcp:projects/iAMMember:IAMMember", "m",
        {"project": "p", "role": "roles/editor", "member": "serviceAccount:x@p.iam.gserviceaccount.com"})], None, True),
    ("no-wildcard-iam-actions", "gcp-predefined", [res("gcp:projects/iAMMember:IAMMember", "m",
        {"project": "p", "role": "roles/aiplatform.user", "member": "serviceAccount:x@p.iam.gserviceaccount.com"})],
     None, False),
    ("no-wildcard-iam-actions", "azure-owner", [res("azure-native:authorization:RoleAssignment", "ra", {
        "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "principalId": "x", "scope": "/subscriptions/s"})], None, True),
    ("no-wildcard-iam-actions", "azure-contributor-rg", [res("azure-native:authorization:RoleAssignment", "ra", {
        "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
        "principalId": "x", "scope": "/subscriptions/s/resourceGroups/rg"})], None, True),
    ("no-wildcard-iam-actions", "azure-contributor-one-resource", [res("azure-native:authorization:RoleAssignment", "ra", {
        "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
        "principalId": "x", "scope": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"})],
     None, True),
    ("no-wildcard-iam-actions", "azure-resource-type-contributor", [res("azure-native:authorization:RoleAssignment", "ra", {
        "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/f25e0fa2-a7c8-4377-a976-54943a77a395",
        "principalId": "x", "scope": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"})],
     None, False),
    ("protect-stateful-in-prod", "protected", [res("aws:kms/key:Key", "k", {"enableKeyRotation": True}, protect=True,
                                                   tags=TAGS)], None, False),
    ("protect-stateful-in-prod", "unprotected", [res("aws:kms/key:Key", "k", {"enableKeyRotation": True},
                                                     protect=False, tags=TAGS)], None, True),
    ("protect-stateful-in-prod", "unprotected-dev", [res("aws:kms/key:Key", "k", {"enableKeyRotation": True},
                                                         protect=False, tags=DEV_TAGS)], None, False),
    ("customer-key-rotation", "aws-rotating", [res("aws:kms/key:Key", "k", {"enableKeyRotation": True},
                                                   protect=True, tags=TAGS)], None, False),
    ("customer-key-rotation", "aws-not-rotating", [res("aws:kms/key:Key", "k", {"enableKeyRotation": False},
                                                       protect=True, tags=TAGS)], None, True),
    ("customer-key-rotation", "gcp-90-days", [res("gcp:kms/cryptoKey:CryptoKey", "ck",
        {"rotationPeriod": "7776000s"}, protect=True, tags=LABELS)], None, False),
    ("customer-key-rotation", "gcp-none", [res("gcp:kms/cryptoKey:CryptoKey", "ck", {}, protect=True, tags=LABELS)],
     None, True),
    ("customer-key-rotation", "gcp-over-limit", [res("gcp:kms/cryptoKey:CryptoKey", "ck",
        {"rotationPeriod": "31536000s"}, protect=True, tags=LABELS)], {"customer-key-rotation": {"maxRotationDays": 90}},
     True),
    ("customer-key-rotation", "azure-rotate-policy", [res("azure-native:keyvault:Key", "key", {"properties": {
        "kty": "RSA", "rotationPolicy": {"lifetimeActions": [{"action": {"type": "rotate"},
                                                              "trigger": {"timeAfterCreate": "P90D"}}]}}},
        protect=True, tags=TAGS)], None, False),
    ("use-case-isolation", "own-endpoint", use_case_grant("uc1"), None, False),
    ("use-case-isolation", "another-use-case-endpoint", use_case_grant("uc2"), None, True),
    ("customer-key-rotation", "azure-no-policy", [res("azure-native:keyvault:Key", "key", {"properties": {"kty": "RSA"}},
                                                      protect=True, tags=TAGS)], None, True),
    # --- RAG generation (more cases: tests/policies/test_rag_policies.py) ---
    ("rag-content-filter-in-prod", "bedrock-guardrail", [KB, res("aws:bedrock/guardrail:Guardrail", "g", {}, tags=TAGS)],
     None, False),
    ("rag-content-filter-in-prod", "bedrock-no-guardrail", [KB], None, True),
    ("rag-invocation-logging", "bedrock-logging", [KB, res(
        "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration", "log", {})], None, False),
    ("rag-invocation-logging", "bedrock-no-logging", [KB], None, True),
    ("rag-model-endpoints-private-in-prod", "bedrock-runtime-endpoint", [KB, res(
        "aws:ec2/vpcEndpoint:VpcEndpoint", "vpce", {"serviceName": "com.amazonaws.us-east-1.bedrock-runtime"},
        tags=TAGS)], None, False),
    ("rag-model-endpoints-private-in-prod", "bedrock-public", [KB], None, True),
]


@pytest.mark.parametrize("policy,resources,config,violated",
                         [pytest.param(p, r, c, v, id=f"{p}:{i}") for p, i, r, c, v in CASES])
def test_policy_case(pack, policy, resources, config, violated):
    hit = policies_hit(pack, resources, config)
    assert (policy in hit) == violated, f"{policy} {'not ' if violated else ''}reported; reported: {sorted(hit)}"


def test_every_policy_has_a_violating_and_a_compliant_case(pack):
    _, policies = pack.info()
    names = {p.name for p in policies}
    violating = {p for p, _, _, _, v in CASES if v}
    compliant = {p for p, _, _, _, v in CASES if not v}
    assert names == violating == compliant


def test_pack_metadata(pack):
    info, policies = pack.info()
    assert info["name"] == "mlplat-policies"
    assert len(policies) >= 14
    mandatory = {p.name for p in policies if p.enforcement_level == "mandatory"}
    assert {"training-spot-capacity", "required-finops-tags", "stack-budget", "storage-encryption",
            "no-public-buckets", "no-public-network-in-prod", "local-auth-disabled", "no-wildcard-iam-actions",
            "protect-stateful-in-prod", "customer-key-rotation"} <= mandatory
    assert {"training-scale-to-zero", "training-gpu-limits", "endpoint-autoscaling",
            "nonprod-endpoint-scale-to-zero"}.isdisjoint(mandatory)
    for policy in policies:
        assert "Mirrors " in policy.description, f"{policy.name} cites no recognised rule"
    schemas = {p.name: p.config_schema for p in policies}
    assert schemas["required-finops-tags"]["requiredTags"]["default"] == [
        "cost-center", "owner", "team", "environment", "platform", "managed-by"]
    assert "maxNodes" in schemas["training-gpu-limits"] and "allowedGpuClasses" in schemas["training-gpu-limits"]


def test_protect_reaches_the_pack_through_options(pack):
    key = [res("aws:kms/key:Key", "k", {"enableKeyRotation": True}, tags=TAGS)]
    key[0].protect = True
    assert "protect-stateful-in-prod" not in policies_hit(pack, key)
    key[0].protect = False
    assert "protect-stateful-in-prod" in policies_hit(pack, key)


def test_enforcement_level_from_config(pack):
    found = run(pack, [batch("EC2")], {"training-spot-capacity": "advisory"})
    assert [v.enforcement_level for v in found if v.policy == "training-spot-capacity"] == ["advisory"]
    found = run(pack, [batch("EC2")], {"training-spot-capacity": {"enforcementLevel": "disabled"}})
    assert "training-spot-capacity" not in {v.policy for v in found}
    found = run(pack, [batch(min_vcpus=8)], {"all": "mandatory"})
    assert [v.enforcement_level for v in found if v.policy == "training-scale-to-zero"] == ["mandatory"]


def test_invalid_policy_config_is_a_clear_error(pack):
    _, policies = pack.info()
    with pytest.raises(PolicyRunError) as error:
        resolve_config(policies, {"no-such-policy": "advisory", "training-gpu-limits": {"maxNodes": "many"},
                                  "stack-budget": "sometimes"})
    text = "\n".join(error.value.lines)
    assert "no-such-policy: no such policy" in text
    assert "training-gpu-limits.maxNodes" in text and "is not of type 'integer'" in text
    assert "stack-budget: enforcement level 'sometimes'" in text
