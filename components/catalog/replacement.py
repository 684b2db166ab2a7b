"""Which input changes make the engine replace a resource, and which resources hold data.

The Pulumi Python SDKs carry no replace-on-change metadata: the provider decides at preview (`Diff`
answers `replaces`). Offline, this curated table stands in for it, per provider type token: the inputs
whose change forces a new resource, as the provider documents them, and whether the resource holds data
a replacement or deletion would lose. Each row cites the provider documentation it was taken from.
Types without a row are diffed as updates and labelled approximate by `mlplat diff`.

Input paths are the engine's names (camelCase, as in the plan); a path covers everything under it
(`featureDefinitions` covers `featureDefinitions[2].featureType`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .resources import lookup

TF_AWS = "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/"  # pulumi-aws bridges it
TF_GOOGLE = "https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/"  # pulumi-gcp bridges it
AZURE_NATIVE = "https://www.pulumi.com/registry/packages/azure-native/api-docs/"
# azure-native resources are ARM resources: the id's path segments (resource group, names of the resource
# and its parents) identify the resource, and so does the location of a tracked (top-level) resource:
# changing one of them is a new resource.
ARM_PATH = ("resourceGroupName",)


@dataclass(frozen=True)
class ReplacementRule:
    type: str
    replace_on: tuple[str, ...]  # input paths whose change forces replacement
    stateful: bool  # holds data that a replacement or deletion loses
    source: str  # the provider documentation the row was taken from


def _aws(type_: str, doc: str, replace_on: tuple[str, ...], stateful: bool = False) -> ReplacementRule:
    return ReplacementRule(type_, replace_on, stateful, TF_AWS + doc)


def _gcp(type_: str, doc: str, replace_on: tuple[str, ...], stateful: bool = False, in_project: bool = True) -> ReplacementRule:
    return ReplacementRule(type_, ("project",) * in_project + replace_on, stateful, TF_GOOGLE + doc)


def _azure(type_: str, doc: str, names: tuple[str, ...], stateful: bool = False, tracked: bool = True,
           extra: tuple[str, ...] = ()) -> ReplacementRule:
    return ReplacementRule(type_, ARM_PATH + ("location",) * tracked + names + extra, stateful, AZURE_NATIVE + doc)


RULES: tuple[ReplacementRule, ...] = (
    # -- AWS ("Forces new resource" in the argument reference) -------------------------------------------
    _aws("aws:s3/bucket:Bucket", "s3_bucket", ("bucket", "bucketPrefix", "objectLockEnabled"), stateful=True),
    _aws("aws:kms/key:Key", "kms_key", ("customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"), stateful=True),
    _aws("aws:ecr/repository:Repository", "ecr_repository", ("name", "encryptionConfigurations"), stateful=True),
    _aws("aws:sagemaker/featureGroup:FeatureGroup", "sagemaker_feature_group",
         ("featureGroupName", "recordIdentifierFeatureName", "eventTimeFeatureName", "description", "roleArn",
          "offlineStoreConfig", "onlineStoreConfig.enableOnlineStore", "onlineStoreConfig.securityConfig"), stateful=True),
    _aws("aws:sagemaker/modelPackageGroup:ModelPackageGroup", "sagemaker_model_package_group",
         ("modelPackageGroupName", "modelPackageGroupDescription"), stateful=True),
    _aws("aws:glue/catalogDatabase:CatalogDatabase", "glue_catalog_database", ("name", "catalogId"), stateful=True),
    _aws("aws:opensearch/serverlessCollection:ServerlessCollection", "opensearchserverless_collection",
         ("name", "type", "standbyReplicas"), stateful=True),
    _aws("aws:cloudwatch/logGroup:LogGroup", "cloudwatch_log_group", ("name", "namePrefix", "logGroupClass"), stateful=True),
    _aws("aws:sagemaker/model:Model", "sagemaker_model",
         ("name", "executionRoleArn", "primaryContainer", "containers", "vpcConfig", "enableNetworkIsolation")),
    _aws("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "sagemaker_endpoint_configuration",
         ("name", "namePrefix", "productionVariants", "kmsKeyArn", "dataCaptureConfig", "asyncInferenceConfig")),
    _aws("aws:sagemaker/endpoint:Endpoint", "sagemaker_endpoint", ("name",)),
    _aws("aws:batch/computeEnvironment:ComputeEnvironment", "batch_compute_environment",
         ("name", "namePrefix", "type", "computeResources.type", "computeResources.allocationStrategy",
          "computeResources.instanceTypes", "computeResources.launchTemplate", "computeResources.subnets",
          "computeResources.securityGroupIds", "computeResources.instanceRole", "computeResources.bidPercentage")),
    _aws("aws:iam/role:Role", "iam_role", ("name", "namePrefix", "path")),
    _aws("aws:ec2/vpc:Vpc", "vpc", ("cidrBlock", "instanceTenancy")),
    _aws("aws:ec2/subnet:Subnet", "subnet", ("vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId")),
    _aws("aws:ec2/vpcEndpoint:VpcEndpoint", "vpc_endpoint", ("vpcId", "serviceName", "vpcEndpointType")),
    _aws("aws:budgets/budget:Budget", "budgets_budget", ("name", "namePrefix", "accountId")),
    # -- Azure (ARM resource id segments, see ARM_PATH) ---------------------------------------------------
    _azure("azure-native:resources:ResourceGroup", "resources/resourcegroup", ("resourceGroupName",), stateful=True),
    _azure("azure-native:storage:StorageAccount", "storage/storageaccount", ("accountName",), stateful=True,
           extra=("isHnsEnabled",)),
    _azure("azure-native:storage:BlobContainer", "storage/blobcontainer", ("accountName", "containerName"), stateful=True, tracked=False),
    _azure("azure-native:keyvault:Vault", "keyvault/vault", ("vaultName",), stateful=True),
    _azure("azure-native:keyvault:Key", "keyvault/key", ("vaultName", "keyName"), stateful=True, tracked=False),
    _azure("azure-native:containerregistry:Registry", "containerregistry/registry", ("registryName",), stateful=True),
    _azure("azure-native:machinelearningservices:Workspace", "machinelearningservices/workspace", ("workspaceName",),
           stateful=True),
    _azure("azure-native:machinelearningservices:FeaturesetContainerEntity",
           "machinelearningservices/featuresetcontainerentity", ("workspaceName", "name"), stateful=True, tracked=False),
    _azure("azure-native:machinelearningservices:FeaturesetVersion", "machinelearningservices/featuresetversion",
           ("workspaceName", "name", "version"), stateful=True, tracked=False),
    _azure("azure-native:machinelearningservices:FeaturestoreEntityContainerEntity",
           "machinelearningservices/featurestoreentitycontainerentity", ("workspaceName", "name"), stateful=True, tracked=False),
    _azure("azure-native:machinelearningservices:ModelContainer", "machinelearningservices/modelcontainer",
           ("workspaceName", "name"), stateful=True, tracked=False),
    _azure("azure-native:machinelearningservices:OnlineEndpoint", "machinelearningservices/onlineendpoint",
           ("workspaceName", "endpointName")),
    _azure("azure-native:machinelearningservices:OnlineDeployment", "machinelearningservices/onlinedeployment",
           ("workspaceName", "endpointName", "deploymentName")),
    # Stateful per the resource catalogue (its deployments, keys and custom endpoint go with it).
    _azure("azure-native:cognitiveservices:Account", "cognitiveservices/account", ("accountName",)),
    _azure("azure-native:machinelearningservices:Compute", "machinelearningservices/compute", ("workspaceName", "computeName")),
    _azure("azure-native:search:Service", "search/service", ("searchServiceName",), stateful=True),
    _azure("azure-native:redis:Redis", "redis/redis", ("name",), stateful=True),
    # -- GCP ("Changing this forces a new resource to be created"; `project` where the type has one) ----
    _gcp("gcp:storage/bucket:Bucket", "storage_bucket", ("name", "location"), stateful=True),
    _gcp("gcp:kms/keyRing:KeyRing", "kms_key_ring", ("name", "location"), stateful=True),
    _gcp("gcp:kms/cryptoKey:CryptoKey", "kms_crypto_key", ("name", "keyRing", "purpose", "importOnly",
                                                            "skipInitialVersionCreation"), stateful=True, in_project=False),
    _gcp("gcp:bigquery/dataset:Dataset", "bigquery_dataset", ("datasetId", "location"), stateful=True),
    _gcp("gcp:bigquery/table:Table", "bigquery_table", ("datasetId", "tableId", "clusterings",
                                                         "timePartitioning.field", "rangePartitioning"), stateful=True),
    _gcp("gcp:artifactregistry/repository:Repository", "artifact_registry_repository",
         ("repositoryId", "location", "format", "kmsKeyName", "mode"), stateful=True),
    _gcp("gcp:vertex/aiFeatureGroup:AiFeatureGroup", "vertex_ai_feature_group", ("name", "region"), stateful=True),
    _gcp("gcp:vertex/aiFeatureGroupFeature:AiFeatureGroupFeature", "vertex_ai_feature_group_feature",
         ("name", "region", "featureGroup"), stateful=True),
    _gcp("gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore", "vertex_ai_feature_online_store",
         ("name", "region", "optimized", "dedicatedServingEndpoint.privateServiceConnectConfig"), stateful=True),
    _gcp("gcp:vertex/aiFeatureOnlineStoreFeatureview:AiFeatureOnlineStoreFeatureview",
         "vertex_ai_feature_online_store_featureview", ("name", "region", "featureOnlineStore"), stateful=True),
    _gcp("gcp:vertex/aiIndex:AiIndex", "vertex_ai_index", ("region", "indexUpdateMethod", "encryptionSpec",
                                                            "metadata.config.dimensions", "metadata.config.distanceMeasureType"),
         stateful=True),
    _gcp("gcp:vertex/aiEndpoint:AiEndpoint", "vertex_ai_endpoint", ("name", "location", "region", "network",
                                                                     "encryptionSpec")),
    _gcp("gcp:container/cluster:Cluster", "container_cluster", ("name", "location", "network", "subnetwork",
                                                                 "privateClusterConfig", "ipAllocationPolicy")),
    _gcp("gcp:container/nodePool:NodePool", "container_node_pool",
         ("name", "namePrefix", "cluster", "location", "nodeConfig.machineType", "nodeConfig.spot",
          "nodeConfig.preemptible", "nodeConfig.guestAccelerators", "nodeConfig.diskSizeGb", "nodeConfig.diskType",
          "nodeConfig.serviceAccount", "nodeConfig.oauthScopes")),
    _gcp("gcp:compute/network:Network", "compute_network", ("name", "autoCreateSubnetworks")),
    _gcp("gcp:compute/subnetwork:Subnetwork", "compute_subnetwork", ("name", "network", "region")),
    _gcp("gcp:serviceaccount/account:Account", "google_service_account", ("accountId",)),
)

RULE_OF_TYPE: dict[str, ReplacementRule] = {rule.type: rule for rule in RULES}


def rule_for(type_token: str) -> ReplacementRule | None:
    return RULE_OF_TYPE.get(type_token)


def covers(rule: ReplacementRule, path: str) -> bool:
    """True when a change at input `path` (`a.b[2].c`) falls under one of the rule's replace-on paths."""
    plain = path.replace("[", ".[")
    for prefix in rule.replace_on:
        if plain == prefix or plain.startswith(prefix + "."):
            return True
    return False


def replacing_inputs(type_token: str, changed_paths: list[str]) -> list[str] | None:
    """The changed input paths that force replacement; None when the type has no row (unknown)."""
    rule = rule_for(type_token)
    if rule is None:
        return None
    return [path for path in changed_paths if covers(rule, path)]


def holds_data(type_token: str, inputs: Mapping[str, Any] | None = None) -> bool:
    """True when deleting or replacing the resource loses data: the resource catalogue's `stateful` flag (the
    one that decides protection in prod), or this table's row for types the catalogue leaves unflagged."""
    entry = lookup(type_token, inputs)
    rule = rule_for(type_token)
    return bool((entry is not None and entry.stateful) or (rule and rule.stateful))
