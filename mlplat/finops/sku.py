"""Planned resource -> the catalog SKUs it is billed by, with monthly quantities.

Every resource type a plan can contain is classified here, explicitly:
- priced: `RESOLVERS[type]` returns charges (idle = always-on, usage = driven by a `usage:` assumption);
- free: `FREE_TYPES` (no charge of its own: IAM, policies, networks, containers of other resources...);
- usage-only: `USAGE_ONLY_TYPES` (billed per request/GB ingested; not in the usage model, listed as such).
A type in none of them is *unknown*: the estimate reports it, and the tests fail on it. Inputs are the
Pulumi wire (camelCase) inputs the offline plan records, or the props the policy analyzer sends.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass, field
from typing import Callable

HOURS_PER_MONTH = 730


CHARGE_KINDS = ("idle", "usage", "endpoint")


@dataclass
class Charge:
    sku: str
    quantity: float = 0.0  # units per month (idle charges)
    kind: str = "idle"  # idle | usage | endpoint (replicas driven by the spec and usage)
    basis: str = ""  # how the quantity was derived, in words
    spot: bool = False  # billed at the row's spot price
    driver: str | None = None  # usage charges: which usage assumption drives the quantity
    params: dict = field(default_factory=dict)  # driver parameters (min/max replicas, ...)

    def __post_init__(self) -> None:
        if self.kind not in CHARGE_KINDS:
            raise ValueError(f"Charge({self.sku!r}): kind {self.kind!r} is not one of {', '.join(CHARGE_KINDS)}")


@dataclass
class Resolution:
    status: str  # priced | free | usage-only | unknown
    charges: list[Charge] = field(default_factory=list)
    note: str = ""
    unpriced: list[str] = field(default_factory=list)  # always-on cost the model cannot price (why)


@dataclass
class Resource:
    """A resource as the cost model sees it (from a plan or from the policy analyzer)."""

    urn: str
    type: str
    name: str
    inputs: dict
    capability: str = "platform"
    parent: str | None = None
    use_case: str | None = None
    component: str | None = None  # logical name of the nearest mlplat component (endpoint name, ...)
    custom: bool = True
    parent_inputs: dict = field(default_factory=dict)  # the parent resource's inputs (filled by annotate)
    traffic: dict | None = None  # Azure online deployments: their endpoint's traffic map (filled by annotate)


def _get(data, *path, default=None):
    for key in path:
        if not isinstance(data, dict):
            return default
        data = data.get(key)
        if data is None:
            return default
    return data


def _hours(count: float, what: str) -> tuple[float, str]:
    return count * HOURS_PER_MONTH, f"{count:g} {what} x {HOURS_PER_MONTH} h"


def _hourly(sku: str, count: float, what: str, spot: bool = False) -> Charge:
    """An always-on charge: `count` units billed every hour of the month."""
    quantity, basis = _hours(count, what)
    return Charge(sku, quantity=quantity, kind="idle", basis=basis, spot=spot)


# -- AWS ------------------------------------------------------------------------------------------------
def _aws_vpc_endpoint(r: Resource) -> Resolution:
    if (r.inputs.get("vpcEndpointType") or "Gateway") == "Gateway":
        return Resolution("free", note="gateway endpoints (S3, DynamoDB) are free")
    zones = len(r.inputs.get("subnetIds") or []) or 1
    qty, basis = _hours(zones, "AZ")
    return Resolution("priced", [Charge("vpc/interface-endpoint-az", qty, basis=basis)])


def _aws_storage(sku: str) -> Callable[[Resource], Resolution]:
    return lambda r: Resolution("priced", [Charge(sku, kind="usage", driver="stored_gb", basis="share of usage.stored_gb")])


def _aws_opensearch_collection(r: Resource) -> Resolution:
    standby = (r.inputs.get("standbyReplicas") or "ENABLED").upper() == "ENABLED"
    ocus = 2 if standby else 1
    qty, basis = _hours(ocus, "OCU minimum" + (" (standby replicas)" if standby else " (standby disabled)"))
    return Resolution(
        "priced",
        [
            Charge("aoss/ocu", qty, basis=basis),
            Charge("aoss/storage", kind="usage", driver="vector_stored_gb", basis="usage.vector_stored_gb"),
        ],
    )


def _aws_endpoint_config(r: Resource) -> Resolution:
    variants = r.inputs.get("productionVariants") or []
    charges = []
    for variant in variants:
        if variant.get("serverlessConfig"):
            return Resolution("usage-only", note="serverless inference: billed per request and duration")
        instance = variant.get("instanceType")
        count = variant.get("initialInstanceCount", 1)
        if instance is None:
            continue
        charges.append(
            Charge(
                f"sagemaker-hosting/{instance}",
                kind="endpoint",
                basis=f"variant {variant.get('variantName', '?')}",
                params={"initial": count, "weight": variant.get("initialVariantWeight", 1.0)},
            )
        )
    return Resolution("priced", charges) if charges else Resolution("free", note="no instance-backed variant")


def _aws_batch_compute(r: Resource) -> Resolution:
    resources = r.inputs.get("computeResources") or {}
    kind = (resources.get("type") or "EC2").upper()
    if kind in ("FARGATE", "FARGATE_SPOT"):
        return Resolution("usage-only", note="Fargate: billed per vCPU/GB-second of jobs")
    spot = kind == "SPOT"
    charges = []
    for instance in resources.get("instanceTypes") or []:
        charges.append(Charge(f"ec2/{instance}", kind="usage", driver="training_gpu_hours", spot=spot,
                              basis="usage.training_gpu_hours / GPUs per instance"))
    unpriced = []
    min_vcpus = resources.get("minVcpus") or 0
    if isinstance(min_vcpus, (int, float)) and min_vcpus > 0:
        # Batch keeps at least minVcpus running: whole instances of the (first) allowed type, always on.
        instance = (resources.get("instanceTypes") or [None])[0]
        vcpus = _ec2_vcpus(instance)
        if vcpus:
            count = math.ceil(min_vcpus / vcpus)
            charges.insert(0, _hourly(f"ec2/{instance}", count,
                                      f"instance(s) kept by minVcpus {min_vcpus:g} ({vcpus} vCPUs each)", spot=spot))
        else:
            unpriced.append(f"minVcpus {min_vcpus:g} keeps instances running, but the vCPUs of {instance} are not "
                            "in the catalog (components/catalog/gpus.yaml)")
    return Resolution("priced", charges, unpriced=unpriced)


def _ec2_vcpus(instance: str | None) -> int | None:
    """vCPUs of an EC2 instance type the catalog knows (GPU shapes and the CPU endpoint shape)."""
    if not isinstance(instance, str):
        return None
    from components.catalog import gpus

    for shape in gpus.all_shapes():
        if shape.cloud == "aws" and shape.instance_type == instance:
            return shape.vcpus
    cpu = gpus.cpu_shape_details("aws")
    return cpu.vcpus if cpu.instance_type == instance else None


def _aws_sagemaker_training(instance_key: str):
    def resolve(r: Resource) -> Resolution:
        instance = _get(r.inputs, *instance_key.split("."))
        return Resolution("priced", [Charge(f"sagemaker-training/{instance}", kind="usage", driver="training_gpu_hours",
                                            spot=True, basis="usage.training_gpu_hours")])
    return resolve


# -- Azure ----------------------------------------------------------------------------------------------
def _azure_storage_account(r: Resource) -> Resolution:
    sku = (_get(r.inputs, "sku", "name") or "Standard_LRS").split("_")[-1]
    return Resolution("priced", [Charge(f"storage/hot-{sku}", kind="usage", driver="stored_gb", basis="share of usage.stored_gb")])


def _azure_key(r: Resource) -> Resolution:
    kty = (_get(r.inputs, "properties", "kty") or "").upper()
    if kty.endswith("-HSM"):
        return Resolution("priced", [Charge("keyvault/hsm-key", 1, basis="1 HSM key x 1 month")])
    return Resolution("usage-only", note="software key: billed per 10,000 operations")


def _azure_registry(r: Resource) -> Resolution:
    tier = _get(r.inputs, "sku", "name") or "Basic"
    return Resolution("priced", [Charge(f"acr/{tier}", 1, basis=f"{tier} registry x 1 month")])


def _azure_private_endpoint(r: Resource) -> Resolution:
    qty, basis = _hours(1, "endpoint")
    return Resolution("priced", [Charge("network/private-endpoint", qty, basis=basis)])


def _azure_dns_zone(r: Resource) -> Resolution:
    return Resolution("priced", [Charge("network/private-dns-zone", 1, basis="1 zone x 1 month")])


def _azure_compute(r: Resource) -> Resolution:
    props = r.inputs.get("properties") or {}
    kind = props.get("computeType")
    inner = props.get("properties") or {}
    if kind != "AmlCompute":
        return Resolution("usage-only", note=f"{kind} compute: billed by the attached service")
    vm = inner.get("vmSize")
    spot = (inner.get("vmPriority") or "Dedicated") == "LowPriority"
    floor = _get(inner, "scaleSettings", "minNodeCount", default=0) or 0
    charges = [Charge(f"vm/{vm}", kind="usage", driver="training_gpu_hours", spot=spot,
                      basis="usage.training_gpu_hours / GPUs per instance")]
    if floor:
        qty, basis = _hours(floor, "minimum node")
        charges.insert(0, Charge(f"vm/{vm}", qty, basis=basis, spot=spot))
    return Resolution("priced", charges)


def _azure_online_deployment(r: Resource) -> Resolution:
    props = r.inputs.get("properties") or r.inputs.get("onlineDeploymentProperties") or {}
    instance = props.get("instanceType")
    count = _get(r.inputs, "sku", "capacity", default=1)
    # Each deployment keeps its own instances (sku.capacity, autoscaled between the endpoint's min and max)
    # and serves the share of requests the endpoint's traffic map gives it (its role: stable or canary).
    name = r.inputs.get("deploymentName") or r.name
    traffic = r.traffic if r.traffic is not None else _get(r.parent_inputs, "properties", "traffic")
    params = {"initial": count, "weight": 1.0}
    basis = f"deployment {name}"
    if isinstance(traffic, dict) and traffic:
        share = traffic.get(name, 0)
        share = float(share) / 100 if isinstance(share, (int, float)) else 1.0
        params["traffic_share"] = share
        basis += f", {share:.0%} of the endpoint's traffic"
    return Resolution("priced", [Charge(f"vm/{instance}", kind="endpoint", basis=basis, params=params)])


def dynamic_provider_module(r: Resource) -> str | None:
    """The module of a dynamic resource's provider (`components.gcp.vertex_deployer`), read from the pickled
    provider the resource carries in its `__provider` input; None when absent or unreadable."""
    blob = r.inputs.get("__provider")
    if not isinstance(blob, str):
        return None
    try:
        raw = base64.b64decode(blob, validate=False)
    except (ValueError, binascii.Error):
        return None
    match = re.search(rb"components\.[A-Za-z0-9_.]+", raw)
    return match.group(0).decode() if match else None


# mlplat's dynamic providers with no charge of their own (they configure billed resources).
FREE_DYNAMIC_PROVIDERS = {
    "components.azure.traffic_setter": "sets an Azure ML endpoint's traffic split (the deployments are priced)",
}


def _dynamic(r: Resource) -> Resolution:
    """mlplat's own dynamic providers: the Vertex AI model deployer (one entry per deployed version) is
    priced; the ones in FREE_DYNAMIC_PROVIDERS are free; any other is unknown."""
    module = dynamic_provider_module(r)
    if module in FREE_DYNAMIC_PROVIDERS:
        return Resolution("free", note=FREE_DYNAMIC_PROVIDERS[module])
    versions = r.inputs.get("versions")
    if not isinstance(versions, list):
        return Resolution("unknown", note=f"dynamic resource ({module or 'provider unknown'}) without `versions`: "
                                          "not classified in mlplat/finops/sku.py")
    charges = [
        Charge(f"vertex-prediction/{v.get('machine_type')}", kind="endpoint", basis=f"version {v.get('name')}",
               params={"initial": int(v.get("min_replicas") or 1), "weight": float(v.get("weight") or 0)})
        for v in versions
    ]
    return Resolution("priced", charges)


def _azure_search(r: Resource) -> Resolution:
    tier = _get(r.inputs, "sku", "name") or "basic"
    units = (r.inputs.get("replicaCount") or 1) * (r.inputs.get("partitionCount") or 1)
    qty, basis = _hours(units, f"search unit(s) ({tier})")
    return Resolution("priced", [Charge(f"search/{tier}", qty, basis=basis)])


def _azure_redis(r: Resource) -> Resolution:
    sku = r.inputs.get("sku") or {}
    name = f"{sku.get('name', 'Standard')}_{sku.get('family', 'C')}{int(sku.get('capacity', 1))}"
    qty, basis = _hours(1, f"cache ({name})")
    return Resolution("priced", [Charge(f"redis/{name}", qty, basis=basis)])


# -- GCP ------------------------------------------------------------------------------------------------
def _gcp_crypto_key(r: Resource) -> Resolution:
    hsm = (_get(r.inputs, "versionTemplate", "protectionLevel") or "SOFTWARE") == "HSM"
    sku = "kms/hsm-key-version" if hsm else "kms/key-version"
    return Resolution("priced", [Charge(sku, 1, basis="1 active key version x 1 month")])


def _gcp_bucket(r: Resource) -> Resolution:
    return Resolution("priced", [Charge("storage/standard", kind="usage", driver="stored_gb", basis="share of usage.stored_gb")])


def _gcp_cluster(r: Resource) -> Resolution:
    qty, basis = _hours(1, "cluster")
    return Resolution("priced", [Charge("gke/cluster-management", qty, basis=basis)])


def _gcp_node_pool(r: Resource) -> Resolution:
    config = r.inputs.get("nodeConfig") or {}
    machine = config.get("machineType") or "e2-medium"
    spot = bool(config.get("spot") or config.get("preemptible"))
    # The program sets totalMinNodeCount (whole pool); minNodeCount is per zone (x node locations).
    floor = _get(r.inputs, "autoscaling", "totalMinNodeCount", default=None)
    if floor is None:
        per_zone = _get(r.inputs, "autoscaling", "minNodeCount", default=None)
        if per_zone is not None:
            floor = per_zone * max(len(r.inputs.get("nodeLocations") or []), 1)
    if floor is None:
        floor = r.inputs.get("nodeCount", r.inputs.get("initialNodeCount", 1)) or 0
    accelerators = config.get("guestAccelerators") or []
    if accelerators:
        # GPU shapes are priced whole (machine + attached GPUs), as the GPU catalog lists them.
        first = accelerators[0]
        skus = [f"compute/{machine}+{first.get('type')}x{int(first.get('count', 1))}"]
    else:
        skus = [f"compute/{machine}"]
    gpu_pool = bool(accelerators)
    charges = []
    for sku in skus:
        if floor:
            qty, basis = _hours(floor, "minimum node")
            charges.append(Charge(sku, qty, basis=basis, spot=spot))
        if gpu_pool:
            charges.append(Charge(sku, kind="usage", driver="training_gpu_hours", spot=spot,
                                  basis="usage.training_gpu_hours / GPUs per node", params={"node_skus": skus}))
    return Resolution("priced", charges)


def _gcp_deployed_index(r: Resource) -> Resolution:
    dedicated = r.inputs.get("dedicatedResources")
    if dedicated:
        machine = _get(dedicated, "machineSpec", "machineType") or "e2-standard-2"
        floor = dedicated.get("minReplicaCount") or 1
    else:
        machine = "e2-standard-16"
        floor = _get(r.inputs, "automaticResources", "minReplicaCount") or 2
    qty, basis = _hours(floor, f"minimum replica(s) ({machine})")
    return Resolution("priced", [Charge(f"vertex-vector-search/{machine}", qty, basis=basis)])


def _gcp_online_store(r: Resource) -> Resolution:
    if r.inputs.get("bigtable"):
        floor = _get(r.inputs, "bigtable", "autoScaling", "minNodeCount") or 1
        qty, basis = _hours(floor, "minimum Bigtable node(s)")
        return Resolution("priced", [Charge("vertex-feature-store/bigtable-node", qty, basis=basis)])
    qty, basis = _hours(1, "optimized serving node (minimum)")
    return Resolution("priced", [Charge("vertex-feature-store/optimized-node", qty, basis=basis)])


def _gcp_endpoint_deployment(r: Resource) -> Resolution:
    resources = r.inputs.get("dedicatedResources") or _get(r.inputs, "deployedModel", "dedicatedResources") or {}
    machine = _get(resources, "machineSpec", "machineType") or "n1-standard-2"
    count = resources.get("minReplicaCount") or 1
    return Resolution("priced", [Charge(f"vertex-prediction/{machine}", kind="endpoint", basis="deployed model",
                                        params={"initial": count, "weight": 1.0})])


RESOLVERS: dict[str, Callable[[Resource], Resolution]] = {
    "aws:kms/key:Key": lambda r: Resolution("priced", [Charge("kms/key", 1, basis="1 key x 1 month")]),
    "aws:s3/bucket:Bucket": _aws_storage("s3/standard-storage"),
    "aws:s3/bucketV2:BucketV2": _aws_storage("s3/standard-storage"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _aws_vpc_endpoint,
    "aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint": lambda r: Resolution(
        "priced", [_hourly("vpc/interface-endpoint-az", len(r.inputs.get("subnetIds") or []) or 1, "AZ")]
    ),
    "aws:ec2/natGateway:NatGateway": lambda r: Resolution("priced", [_hourly("vpc/nat-gateway", 1, "gateway")]),
    "aws:opensearch/serverlessCollection:ServerlessCollection": _aws_opensearch_collection,
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": _aws_endpoint_config,
    "aws:batch/computeEnvironment:ComputeEnvironment": _aws_batch_compute,
    "aws:cloudwatch/metricAlarm:MetricAlarm": lambda r: Resolution("priced", [Charge("cloudwatch/alarm", 1, basis="1 alarm x 1 month")]),
    "azure-native:storage:StorageAccount": _azure_storage_account,
    "azure-native:keyvault:Key": _azure_key,
    "azure-native:containerregistry:Registry": _azure_registry,
    "azure-native:network:PrivateEndpoint": _azure_private_endpoint,
    "azure-native:network:PrivateZone": _azure_dns_zone,
    "azure-native:privatedns:PrivateZone": _azure_dns_zone,
    "azure-native:machinelearningservices:Compute": _azure_compute,
    "azure-native:machinelearningservices:OnlineDeployment": _azure_online_deployment,
    "azure-native:search:Service": _azure_search,
    "azure-native:cache:Redis": _azure_redis,
    "azure-native:redis:Redis": _azure_redis,
    "gcp:kms/cryptoKey:CryptoKey": _gcp_crypto_key,
    "gcp:storage/bucket:Bucket": _gcp_bucket,
    "gcp:container/cluster:Cluster": _gcp_cluster,
    "gcp:container/nodePool:NodePool": _gcp_node_pool,
    "gcp:vertex/aiIndexEndpointDeployedIndex:AiIndexEndpointDeployedIndex": _gcp_deployed_index,
    "gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore": _gcp_online_store,
    "gcp:vertex/aiEndpointWithModelGardenDeployment:AiEndpointWithModelGardenDeployment": _gcp_endpoint_deployment,
    "pulumi-python:dynamic:Resource": _dynamic,
    "gcp:dns/managedZone:ManagedZone": lambda r: Resolution("priced", [Charge("dns/managed-zone", 1, basis="1 zone x 1 month")]),
}

FREE_TYPES: dict[str, str] = {
    t: "no charge of its own"
    for t in [
        # AWS
        "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/policy:Policy", "aws:iam/instanceProfile:InstanceProfile", "aws:iam/serviceLinkedRole:ServiceLinkedRole",
        "aws:kms/alias:Alias", "aws:kms/grant:Grant", "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketVersioningV2:BucketVersioningV2", "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
        "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/routeTable:RouteTable",
        "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/route:Route",
        "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:ec2/internetGateway:InternetGateway", "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:appautoscaling/target:Target", "aws:appautoscaling/policy:Policy",
        "aws:sagemaker/endpoint:Endpoint", "aws:sagemaker/model:Model",
        "aws:sagemaker/modelPackageGroup:ModelPackageGroup", "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy",
        "aws:sagemaker/domain:Domain", "aws:sagemaker/userProfile:UserProfile",
        "aws:batch/jobQueue:JobQueue", "aws:batch/jobDefinition:JobDefinition",
        "aws:glue/catalogDatabase:CatalogDatabase", "aws:glue/catalogTable:CatalogTable",
        "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy",
        "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy",
        "aws:budgets/budget:Budget", "aws:costexplorer/costAllocationTag:CostAllocationTag",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:ecr/repositoryPolicy:RepositoryPolicy",
        "aws:sns/topicSubscription:TopicSubscription",
        # Azure
        "azure-native:resources:ResourceGroup", "azure-native:managedidentity:UserAssignedIdentity",
        "azure-native:authorization:RoleAssignment", "azure-native:storage:BlobContainer",
        "azure-native:machinelearningservices:Workspace", "azure-native:machinelearningservices:OnlineEndpoint",
        "azure-native:machinelearningservices:RegistryModelContainer",
        "azure-native:machinelearningservices:FeaturesetContainer", "azure-native:machinelearningservices:FeaturesetVersion",
        "azure-native:machinelearningservices:FeaturestoreEntityContainer",
        "azure-native:machinelearningservices:FeaturestoreEntityVersion",
        "azure-native:machinelearningservices:ModelContainer",
        "azure-native:machinelearningservices:Registry", "azure-native:machinelearningservices:Datastore",
        "azure-native:machinelearningservices:FeaturesetContainerEntity",
        "azure-native:machinelearningservices:FeaturestoreEntityContainerEntity",
        "azure-native:machinelearningservices:WorkspaceConnection", "azure-native:machinelearningservices:ModelVersion",
        "azure-native:machinelearningservices:ModelContainerEntity",
        "azure-native:network:VirtualNetwork", "azure-native:network:Subnet", "azure-native:network:NetworkSecurityGroup",
        "azure-native:network:PrivateDnsZoneGroup", "azure-native:privatedns:VirtualNetworkLink",
        "azure-native:network:VirtualNetworkLink",
        "azure-native:consumption:Budget", "azure-native:insights:AutoscaleSetting", "azure-native:monitor:AutoscaleSetting",
        "azure-native:keyvault:Vault",  # standard/premium vaults: no fixed fee (operations: see keys)
        "azure-native:redis:AccessPolicyAssignment", "azure-native:cache:AccessPolicyAssignment",
        # GCP
        "gcp:kms/keyRing:KeyRing", "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
        "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding",
        "gcp:projects/service:Service", "gcp:projects/iAMMember:IAMMember", "gcp:projects/serviceIdentity:ServiceIdentity",
        "gcp:projects/iAMCustomRole:IAMCustomRole", "gcp:organizations/iAMCustomRole:IAMCustomRole",
        "gcp:serviceaccount/account:Account", "gcp:serviceaccount/iAMMember:IAMMember",
        "gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:storage/bucketIAMBinding:BucketIAMBinding",
        "gcp:compute/network:Network", "gcp:compute/subnetwork:Subnetwork", "gcp:compute/firewall:Firewall",
        "gcp:compute/router:Router", "gcp:compute/globalAddress:GlobalAddress",
        "gcp:servicenetworking/connection:Connection",
        "gcp:vertex/aiEndpoint:AiEndpoint", "gcp:vertex/aiIndex:AiIndex", "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint",
        "gcp:vertex/aiFeatureGroup:AiFeatureGroup", "gcp:vertex/aiFeatureGroupFeature:AiFeatureGroupFeature",
        "gcp:vertex/aiFeatureOnlineStoreFeatureview:AiFeatureOnlineStoreFeatureview",
        "gcp:vertex/aiMetadataStore:AiMetadataStore",
        "gcp:bigquery/dataset:Dataset", "gcp:bigquery/table:Table", "gcp:bigquery/datasetIamMember:DatasetIamMember",
        "gcp:billing/budget:Budget", "gcp:monitoring/notificationChannel:NotificationChannel",
        "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    ]
}
FREE_TYPES["aws:budgets/budget:Budget"] = "budgets without actions are free"
FREE_TYPES["gcp:billing/budget:Budget"] = "billing budgets are free"

USAGE_ONLY_TYPES: dict[str, str] = {
    "aws:sagemaker/featureGroup:FeatureGroup": "billed per read/write request and online GB; not in the usage model",
    "aws:ecr/repository:Repository": "billed per GB of images stored",
    "aws:cloudwatch/logGroup:LogGroup": "billed per GB ingested and stored",
    "aws:sns/topic:Topic": "billed per notification",
    "azure-native:operationalinsights:Workspace": "billed per GB ingested",
    "azure-native:applicationinsights:Component": "billed per GB ingested (workspace-based)",
    "azure-native:insights:Component": "billed per GB ingested (workspace-based)",
    "aws:athena/workgroup:Workgroup": "billed per TB scanned by queries",
    "gcp:artifactregistry/repository:Repository": "billed per GB of images stored",
    "gcp:compute/routerNat:RouterNat": "billed per VM using it and per GB processed; no VM while idle",
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": "billed per GB ingested",
    "gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy": (
        "the policy is free; the Private Service Connect endpoints it creates for the service are billed per "
        "endpoint-hour and GB processed (created on demand: not in the usage model)"),
}


def classify(resource: Resource) -> Resolution:
    """Price, free or usage-only; `unknown` for a type this version of mlplat has never seen."""
    resolver = RESOLVERS.get(resource.type)
    if resolver is not None:
        return resolver(resource)
    if resource.type in FREE_TYPES:
        return Resolution("free", note=FREE_TYPES[resource.type])
    if resource.type in USAGE_ONLY_TYPES:
        return Resolution("usage-only", note=USAGE_ONLY_TYPES[resource.type])
    return Resolution("unknown", note=f"resource type {resource.type} is not classified in mlplat/finops/sku.py")


def is_billable_record(resource: Resource) -> bool:
    """Components and providers carry no price themselves."""
    return resource.custom and not resource.type.startswith(("pulumi:", "mlplat:"))
