"""Vector search: the offline plans of the reference stacks, on their own cloud and rendered on
the other two, and the per-cloud limits checked at validation.

Checked per plan: the component is built (no gap), dimensions and metric are mapped to the cloud's own
names, prod is private (never a public endpoint), encryption uses the platform key when customer-managed
keys are on, dev is sized to the cloud's minimum, and every taggable resource carries the use-case tags.
The data-plane schema each component outputs (AWS k-NN mapping, Azure index definition, GCP index
config) is checked on small specs whose outputs are captured during the plan.
"""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path
from unittest import mock

import pulumi
import pytest
import yaml

from components.component import PlatformComponent
from components.spec import SpecError, cloud_tags, load_stack, parse_spec
from components.spec.vector_limits import vector_limits
from tests.support.plans import CLOUDS, REFERENCE_STACKS, RENDERINGS, ROOT, STACKS_DIR, reference_plan, spec_of

SDK_PACKAGES = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native", "gcp": "pulumi_gcp"}

# What each cloud calls the neutral metrics (independent of the limits table, so a wrong row fails).
EXPECTED_METRIC = {
    "aws": {"cosine": "cosinesimil", "dot_product": "innerproduct", "euclidean": "l2"},
    "azure": {"cosine": "cosine", "dot_product": "dotProduct", "euclidean": "euclidean"},
    "gcp": {
        "cosine": ("DOT_PRODUCT_DISTANCE", "UNIT_L2_NORM"),
        "dot_product": ("DOT_PRODUCT_DISTANCE", "NONE"),
        "euclidean": ("SQUARED_L2_DISTANCE", "NONE"),
    },
}


def _one(resources, type_token: str):
    found = [r for r in resources if r.type == type_token]
    assert len(found) == 1, f"expected one {type_token}, found {[r.name for r in found]}"
    return found[0]


def _vector_resources(plan):
    return plan.by_capability("vector_search")


# -- every plan -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_vector_search_is_built(stack, cloud):
    plan = reference_plan(stack, cloud)
    assert not [g for g in plan.gaps if g["capability"] == "vector_search"], plan.gaps
    components = [r for r in _vector_resources(plan) if r.type == f"mlplat:{cloud}:VectorSearch"]
    assert len(components) == 1
    assert any(r.custom for r in _vector_resources(plan))


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_dimensions_and_metric_mapped(stack, cloud):
    spec = spec_of(stack, cloud)
    vs = spec.vector_search
    resources = _vector_resources(reference_plan(stack, cloud))
    if cloud == "aws":
        collection = _one(resources, "aws:opensearch/serverlessCollection:ServerlessCollection")
        assert collection.inputs["type"] == "VECTORSEARCH"
        # Dimensions and metric live in the index mapping (an output), checked in test_data_plane_schema.
        assert f"{vs.dimensions} dims, {vs.metric}" in collection.inputs["description"]
    elif cloud == "azure":
        service = _one(resources, "azure-native:search:Service")
        # Azure AI Search takes dimensions and metric per index (data plane), checked in test_data_plane_schema.
        assert service.inputs["sku"]["name"] in ("basic", "standard", "standard2")
    else:
        config = _one(resources, "gcp:vertex/aiIndex:AiIndex").inputs["metadata"]["config"]
        assert config["dimensions"] == vs.dimensions
        distance, norm = EXPECTED_METRIC["gcp"][vs.metric]
        assert config["distanceMeasureType"] == distance
        assert config["featureNormType"] == norm
        assert "treeAhConfig" in config["algorithmConfig"]


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_network_private_when_asked_never_public_in_prod(stack, cloud):
    spec = spec_of(stack, cloud)
    plan = reference_plan(stack, cloud)
    resources = _vector_resources(plan)
    private = spec.network.private
    if spec.environment.value == "prod":
        assert private, "prod must be private"
    if cloud == "aws":
        network = [
            r for r in resources
            if r.type == "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy" and r.inputs["type"] == "network"
        ]
        assert len(network) == 1
        rules = json.loads(network[0].inputs["policy"])
        endpoints = [r for r in resources if r.type == "aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint"]
        if private:
            assert len(endpoints) == 1
            assert len(endpoints[0].inputs["subnetIds"]) == 2
            assert all(rule["AllowFromPublic"] is False for rule in rules)
            assert all(rule["SourceVPCEs"] == [endpoints[0].inputs["name"]] for rule in rules)
        else:
            assert endpoints == []
            assert all(rule["AllowFromPublic"] is True for rule in rules)
    elif cloud == "azure":
        service = _one(resources, "azure-native:search:Service")
        links = [
            r for r in plan.resources
            if r.type == "azure-native:network:PrivateEndpoint"
            and r.inputs["privateLinkServiceConnections"][0]["groupIds"] == ["searchService"]
        ]
        # The private DNS zone is shared infrastructure of the base layer, linked to the VNet there.
        zones = [
            r for r in plan.resources
            if r.type == "azure-native:privatedns:PrivateZone" and r.inputs["privateZoneName"] == "privatelink.search.windows.net"
        ]
        if private:
            assert service.inputs["publicNetworkAccess"] == "Disabled"
            assert len(links) == 1
            assert len(zones) == 1
            assert [r for r in plan.resources if r.type == "azure-native:privatedns:VirtualNetworkLink" and r.parent == zones[0].urn]
            (group,) = [r for r in plan.resources if r.type == "azure-native:network:PrivateDnsZoneGroup" and r.parent == links[0].urn]
            assert "privatelink.search.windows.net" in group.inputs["privateDnsZoneConfigs"][0]["privateDnsZoneId"]
        else:
            assert service.inputs["publicNetworkAccess"] == "Enabled"
            assert links == [] and zones == []
    else:
        endpoint = _one(resources, "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint")
        deployed = _one(resources, "gcp:vertex/aiIndexEndpointDeployedIndex:AiIndexEndpointDeployedIndex")
        if private:
            assert endpoint.inputs["network"].startswith("projects/") and "/global/networks/" in endpoint.inputs["network"]
            assert not endpoint.inputs.get("publicEndpointEnabled")
            assert deployed.inputs["reservedIpRanges"]
        else:
            assert "network" not in endpoint.inputs
            assert endpoint.inputs["publicEndpointEnabled"] is True


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_encryption_with_platform_key_when_asked(stack, cloud):
    spec = spec_of(stack, cloud)
    plan = reference_plan(stack, cloud)
    resources = _vector_resources(plan)
    cmk = spec.encryption.customer_managed_keys
    if cloud == "aws":
        policy = [
            r for r in resources
            if r.type == "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy" and r.inputs["type"] == "encryption"
        ]
        assert len(policy) == 1
        document = json.loads(policy[0].inputs["policy"])
        collection = _one(resources, "aws:opensearch/serverlessCollection:ServerlessCollection")
        # the collection of either standby mode (its name follows the mode, see tests/aws/test_vector_collection_replicas.py)
        (rule,) = document["Rules"]
        assert rule["ResourceType"] == "collection" and f"collection/{collection.inputs['name']}" in rule["Resource"]
        assert len(rule["Resource"]) == 2
        sse = _one(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        default = sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
        assert default["sseAlgorithm"] == "aws:kms"
        if cmk:
            key = _one(plan.by_capability("base"), "aws:kms/key:Key")
            key_name = f"{spec.prefix}-key"
            assert key.name == key_name
            assert document["AWSOwnedKey"] is False
            assert document["KmsARN"].startswith("arn:aws:kms:") and f"/{key_name}-" in document["KmsARN"]
            assert default["kmsMasterKeyId"] == document["KmsARN"]
        else:
            assert document["AWSOwnedKey"] is True and "KmsARN" not in document
            assert "kmsMasterKeyId" not in default
    elif cloud == "azure":
        service = _one(resources, "azure-native:search:Service")
        key_users = [
            r for r in resources
            if r.type == "azure-native:authorization:RoleAssignment"
            and r.inputs["roleDefinitionId"].endswith("e147488a-f6f5-4113-8e2d-b22465e65bf6")
        ]
        if cmk:
            assert service.inputs["encryptionWithCmk"] == {"enforcement": "Enabled"}
            assert len(key_users) == 1 and "/vaults/" in key_users[0].inputs["scope"]
        else:
            assert service.inputs["encryptionWithCmk"] == {"enforcement": "Unspecified"}
            assert key_users == []
    else:
        keys = [r for r in plan.by_capability("base") if r.type == "gcp:kms/cryptoKey:CryptoKey"]
        assert len(keys) == (1 if cmk else 0)
        index = _one(resources, "gcp:vertex/aiIndex:AiIndex")
        endpoint = _one(resources, "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint") if cmk else None
        bucket = _one(resources, "gcp:storage/bucket:Bucket")
        if cmk:
            key_id = index.inputs["encryptionSpec"]["kmsKeyName"]
            assert key_id.endswith(f"/{keys[0].inputs['name']}")
            assert endpoint.inputs["encryptionSpec"]["kmsKeyName"] == key_id
            assert bucket.inputs["encryption"]["defaultKmsKeyName"] == key_id
            # The Vertex AI agent's key grant is shared infrastructure of the base layer, created once;
            # the index and its endpoint wait for it.
            (agent,) = [r for r in plan.by_type("gcp:projects/serviceIdentity:ServiceIdentity")
                        if r.inputs["service"] == "aiplatform.googleapis.com"]
            (grant,) = [r for r in plan.by_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
                        if r.name.endswith("-key-aiplatform")]
            assert grant.inputs["cryptoKeyId"] == key_id
            assert grant.inputs["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
            assert grant.urn in index.dependencies and grant.urn in endpoint.dependencies
        else:
            assert "encryptionSpec" not in index.inputs
            assert "encryption" not in bucket.inputs
        assert bucket.inputs["publicAccessPrevention"] == "enforced"
        assert bucket.inputs["uniformBucketLevelAccess"] is True


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_sizing_dev_minimum_and_replicas(stack, cloud):
    spec = spec_of(stack, cloud)
    vs = spec.vector_search
    dev = spec.environment.value == "dev"
    resources = _vector_resources(reference_plan(stack, cloud))
    if dev:
        assert (vs.replicas, vs.tier) == (1, "small")
    if cloud == "aws":
        collection = _one(resources, "aws:opensearch/serverlessCollection:ServerlessCollection")
        assert collection.inputs["standbyReplicas"] == ("DISABLED" if dev else "ENABLED")
    elif cloud == "azure":
        service = _one(resources, "azure-native:search:Service")
        if dev:
            assert service.inputs["sku"] == {"name": "basic"}
            assert (service.inputs["replicaCount"], service.inputs["partitionCount"]) == (1, 1)
        else:
            assert service.inputs["sku"] == {"name": "standard"}
            assert service.inputs["replicaCount"] == vs.replicas
        assert service.inputs["disableLocalAuth"] is True
        assert service.inputs["semanticSearch"] == "disabled"
        assert service.inputs["identity"] == {"type": "SystemAssigned"}
    else:
        config = _one(resources, "gcp:vertex/aiIndex:AiIndex").inputs["metadata"]["config"]
        index = _one(resources, "gcp:vertex/aiIndex:AiIndex")
        assert index.inputs["indexUpdateMethod"] == "STREAM_UPDATE"
        dedicated = _one(
            resources, "gcp:vertex/aiIndexEndpointDeployedIndex:AiIndexEndpointDeployedIndex"
        ).inputs["dedicatedResources"]
        assert dedicated["minReplicaCount"] == vs.replicas
        if dev:
            assert config["shardSize"] == "SHARD_SIZE_SMALL"
            assert dedicated["machineSpec"]["machineType"] == "e2-standard-2"
            assert dedicated["minReplicaCount"] == dedicated["maxReplicaCount"] == 1
        else:
            assert config["shardSize"] == "SHARD_SIZE_MEDIUM"
            assert dedicated["machineSpec"]["machineType"] == "e2-standard-16"
            assert dedicated["maxReplicaCount"] > dedicated["minReplicaCount"]


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_every_taggable_resource_has_use_case_tags(stack, cloud):
    spec = spec_of(stack, cloud)
    expected = cloud_tags(spec, use_case=spec.vector_search.use_case)
    assert expected.get("use-case") == "support-rag"
    checked = set()
    for resource in _vector_resources(reference_plan(stack, cloud)):
        if not resource.custom:
            continue
        package, module, kind = resource.type.split(":")
        sdk = importlib.import_module(f"{SDK_PACKAGES[package]}.{module.split('/')[0]}")
        parameters = inspect.signature(getattr(sdk, kind)._internal_init).parameters
        key = "labels" if "labels" in parameters else "tags" if "tags" in parameters else None
        if key is None:
            continue
        assert resource.inputs.get(key) == expected, f"{resource.type} {resource.name}: {key}"
        checked.add(resource.type)
    main = {
        "aws": {"aws:opensearch/serverlessCollection:ServerlessCollection", "aws:s3/bucket:Bucket"},
        "azure": {"azure-native:search:Service"},
        "gcp": {"gcp:vertex/aiIndex:AiIndex", "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint", "gcp:storage/bucket:Bucket"},
    }[cloud]
    assert main <= checked, checked


@pytest.mark.parametrize("stack", [s for s in REFERENCE_STACKS if s.startswith("aws")])
def test_aws_data_access_is_explicit_for_the_execution_role(stack):
    plan = reference_plan(stack)
    access = _one(_vector_resources(plan), "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy")
    assert access.inputs["type"] == "data"
    document = json.loads(access.inputs["policy"])
    role = _one(plan.by_capability("base"), "aws:iam/role:Role")
    permissions = [p for statement in document for rule in statement["Rules"] for p in rule["Permission"]]
    assert not [p for p in permissions if p.endswith("*")]
    for needed in ("aoss:CreateIndex", "aoss:ReadDocument", "aoss:WriteDocument", "aoss:DescribeIndex", "aoss:UpdateIndex"):
        assert needed in permissions
    principals = [principal for statement in document for principal in statement["Principal"]]
    assert principals and all(f":role/{role.name}-" in principal for principal in principals)
    bucket_checks = {r.type.split(":")[-1] for r in _vector_resources(plan)}
    assert {"BucketPublicAccessBlock", "BucketVersioning", "BucketPolicy", "BucketOwnershipControls"} <= bucket_checks


# -- the data-plane schema outputs ----------------------------------------------------------------------
def _plan_capturing_outputs(tmp_path: Path, cloud: str, vector_search: dict, environment: str = "dev", **extra):
    """Plan a small spec and return the VectorSearch component's resolved outputs."""
    spec = {
        "name": "demo",
        "environment": environment,
        "cloud": cloud,
        "region": {"aws": "us-east-1", "azure": "eastus", "gcp": "us-central1"}[cloud],
        "finops": {"cost_center": "cc-1", "owner": "a@example.com", "team": "t"},
        "vector_search": vector_search,
        **extra,
    }
    path = tmp_path / f"{cloud}.yaml"
    path.write_text(yaml.safe_dump(spec))
    captured: dict = {}
    original = PlatformComponent.finish

    def finish(self, outputs):
        if self.COMPONENT == "VectorSearch":
            # The common keys and the cloud's extras, side by side.
            exported = outputs.to_dict()
            probe = pulumi.Output.all(**exported).apply(
                lambda values: captured.update({**values, **values["extras"]}) or True)
            outputs.extras = {**(outputs.extras or {}), "_probe": probe}
        original(self, outputs)

    from mlplat.offline_plan import plan_file

    with mock.patch.object(PlatformComponent, "finish", finish):
        plan = plan_file(path)
    assert captured, "VectorSearch outputs were not captured"
    return plan, captured


@pytest.mark.parametrize(
    "cloud,metric,dimensions",
    [("aws", "dot_product", 3072), ("azure", "euclidean", 1536), ("gcp", "euclidean", 768)],
)
def test_data_plane_schema(tmp_path, cloud, metric, dimensions):
    plan, outputs = _plan_capturing_outputs(
        tmp_path, cloud, {"dimensions": dimensions, "metric": metric}, environment="prod",
        network={"private": True}, encryption={"customer_managed_keys": True},
    )
    assert outputs["dimensions"] == dimensions and outputs["metric"] == metric
    assert outputs["documents_uri"]
    if cloud == "aws":
        mapping = json.loads(outputs["index_mapping"])
        assert mapping["settings"]["index"]["knn"] is True
        field = mapping["mappings"]["properties"][outputs["vector_field"]]
        assert field["type"] == "knn_vector" and field["dimension"] == dimensions
        assert field["method"]["space_type"] == EXPECTED_METRIC["aws"][metric]
        assert outputs["documents_uri"].startswith("s3://")
        assert outputs["public_network_access"] is False and outputs["vpc_endpoint_id"]
    elif cloud == "azure":
        definition = json.loads(outputs["index_definition"])
        vector = [f for f in definition["fields"] if f["name"] == outputs["vector_field"]][0]
        assert vector["type"] == "Collection(Edm.Single)" and vector["dimensions"] == dimensions
        assert definition["vectorSearch"]["algorithms"][0]["hnswParameters"]["metric"] == EXPECTED_METRIC["azure"][metric]
        assert definition["encryptionKey"]["keyVaultUri"].startswith("https://")
        assert definition["encryptionKey"]["keyVaultKeyName"]
        assert outputs["documents_uri"].endswith("/documents")
        assert outputs["public_network_access"] is False
    else:
        config = _one(plan.by_capability("vector_search"), "gcp:vertex/aiIndex:AiIndex").inputs["metadata"]["config"]
        assert (config["distanceMeasureType"], config["featureNormType"]) == EXPECTED_METRIC["gcp"][metric]
        assert (outputs["distance_measure_type"], outputs["feature_norm_type"]) == EXPECTED_METRIC["gcp"][metric]
        assert outputs["index_name"] == "demo_prod_vectors"
        assert outputs["documents_uri"].startswith("gs://")
        assert outputs["endpoint"] is None


def test_limits_table_matches_the_expected_metric_names():
    for cloud in CLOUDS:
        if cloud == "gcp":
            assert {m: vector_limits(cloud).metrics[m] for m in EXPECTED_METRIC[cloud]} == {
                m: distance for m, (distance, _) in EXPECTED_METRIC[cloud].items()
            }
        else:
            assert vector_limits(cloud).metrics == EXPECTED_METRIC[cloud]


# -- validation: the cloud's limits -----------------------------------------------------------------------
REGION = {"aws": "us-east-1", "azure": "eastus", "gcp": "us-central1"}


def _parse(cloud: str, vector_search: dict, environment: str = "dev"):
    raw = {
        "name": "demo",
        "environment": environment,
        "cloud": cloud,
        "region": REGION[cloud],
        "finops": {"cost_center": "cc-1", "owner": "a@example.com", "team": "t"},
        "vector_search": vector_search,
    }
    return parse_spec(raw, "stacks/x.yaml", "mlplat:platform")


@pytest.mark.parametrize("cloud,limit", [("aws", 16000), ("azure", 3072)])
def test_dimension_limit_names_cloud_and_limit(cloud, limit):
    assert _parse(cloud, {"dimensions": limit}).vector_search.dimensions == limit
    with pytest.raises(SpecError) as error:
        _parse(cloud, {"dimensions": limit + 1})
    (line,) = error.value.lines
    assert line.startswith("stacks/x.yaml: mlplat:platform.vector_search.dimensions: ")
    assert f"{cloud} (" in line and f"supports at most {limit} dimensions" in line


def test_20000_dimensions_exceed_the_aws_limit():
    with pytest.raises(SpecError) as error:
        _parse("aws", {"dimensions": 20000})
    assert "vector_search.dimensions: aws (OpenSearch Serverless) supports at most 16000 dimensions" in str(error.value)


def test_same_spec_checked_against_the_cloud_it_is_rendered_on():
    # 4096 dimensions (the old global cap) is fine on AWS and GCP, too many for Azure AI Search.
    assert _parse("aws", {"dimensions": 4096})
    assert _parse("gcp", {"dimensions": 4096})
    with pytest.raises(SpecError, match="azure .*at most 3072"):
        _parse("azure", {"dimensions": 4096})


def test_gcp_has_no_documented_maximum_but_a_sanity_bound():
    assert _parse("gcp", {"dimensions": 20000}).vector_search.dimensions == 20000
    with pytest.raises(SpecError, match="vector_search.dimensions"):
        _parse("gcp", {"dimensions": 70000})


def test_azure_basic_tier_replica_cap():
    assert _parse("azure", {"dimensions": 8, "replicas": 3}).vector_search.tier == "small"
    with pytest.raises(SpecError) as error:
        _parse("azure", {"dimensions": 8, "replicas": 4})
    assert "vector_search.replicas: azure (Azure AI Search) tier 'small' (basic) supports at most 3 replicas" in str(error.value)
    assert _parse("azure", {"dimensions": 8, "replicas": 4, "tier": "medium"})
    # AWS and GCP have no per-tier replica cap.
    assert _parse("aws", {"dimensions": 8, "replicas": 4}) and _parse("gcp", {"dimensions": 8, "replicas": 4})


def test_environment_defaults_keep_dev_cheap():
    dev = _parse("aws", {"dimensions": 8}).vector_search
    prod = _parse("aws", {"dimensions": 8}, environment="prod").vector_search
    assert (dev.replicas, dev.tier) == (1, "small")
    assert (prod.replicas, prod.tier) == (2, "medium")


def test_unknown_metric_rejected():
    with pytest.raises(SpecError, match="vector_search.metric"):
        _parse("gcp", {"dimensions": 8, "metric": "manhattan"})


# -- docs -------------------------------------------------------------------------------------------------
def test_docs_mapping_row_has_idle_cost_per_cloud():
    text = (ROOT / "docs" / "vector-search.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| Vector search |")]
    assert len(rows) == 1
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert "OpenSearch Serverless" in cells[1] and "AI Search" in cells[2] and "Vertex AI" in cells[3]
    for cell in cells[1:4]:
        assert "$" in cell and "/month" in cell, cell
    for needed in ("index_mapping", "index_definition", "upsertDatapoints", "documents"):
        assert needed in text
