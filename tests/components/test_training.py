"""The training cluster of every reference stack, on its own cloud and rendered on the other two:
spot on, scales to zero, max nodes respected, the catalog's machine shape, checkpoints in the
platform's encrypted bucket, on-demand when `spot: false`, and the outputs a user submits jobs with."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pytest
import yaml

from components.catalog.gpus import shape_for
from tests.support.plans import CLOUDS, RENDERINGS, STACKS_DIR, named, one_resource, reference_plan

def _training_spec(plan) -> dict:
    return plan.spec["training"]

# -- one view of the GPU capacity per cloud: spot, min, max, shape ---------------------------------------

def _aws_view(plan) -> dict:
    resources = one_resource(plan, "aws:batch/computeEnvironment:ComputeEnvironment", "training").inputs["computeResources"]
    return {
        "spot": resources["type"] == "SPOT" and resources["allocationStrategy"] == "SPOT_PRICE_CAPACITY_OPTIMIZED",
        "on_demand": resources["type"] == "EC2" and resources["allocationStrategy"] == "BEST_FIT_PROGRESSIVE",
        "min": resources["minVcpus"],
        "max": resources["maxVcpus"],
        "shape": resources["instanceTypes"],
    }

def _azure_view(plan) -> dict:
    compute = one_resource(plan, "azure-native:machinelearningservices:Compute", "training").inputs["properties"]
    aml = compute["properties"]
    assert compute["computeType"] == "AmlCompute" and compute["disableLocalAuth"] is True
    assert aml["remoteLoginPortPublicAccess"] == "Disabled"
    assert aml["scaleSettings"]["nodeIdleTimeBeforeScaleDown"] == f"PT{_training_spec(plan)['idle_minutes']}M"
    if plan.spec["network"]["private"]:
        assert aml["enableNodePublicIp"] is False
    return {
        "spot": aml["vmPriority"] == "LowPriority",
        "on_demand": aml["vmPriority"] == "Dedicated",
        "min": aml["scaleSettings"]["minNodeCount"],
        "max": aml["scaleSettings"]["maxNodeCount"],
        "shape": aml["vmSize"],
    }

def _gcp_view(plan) -> dict:
    pools = {r.inputs["name"]: r.inputs for r in plan.by_type("gcp:container/nodePool:NodePool") if r.capability == "training"}
    assert set(pools) == {"system", "gpu"}, sorted(pools)
    gpu, system = pools["gpu"], pools["system"]
    node = gpu["nodeConfig"]
    # Only GPU jobs land on GPU nodes; GKE installs the driver; pods cannot use the node identity.
    assert node["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}]
    assert node["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
    assert not system["nodeConfig"].get("guestAccelerators") and not system["nodeConfig"]["machineType"].startswith(("a2-", "a3-", "g2-"))
    cluster = one_resource(plan, "gcp:container/cluster:Cluster", "training").inputs
    assert cluster["workloadIdentityConfig"]["workloadPool"].endswith(".svc.id.goog")
    assert cluster["removeDefaultNodePool"] is True and cluster["releaseChannel"]["channel"]
    assert cluster["deletionProtection"] is (plan.environment == "prod")
    if plan.spec["network"]["private"]:
        assert cluster["privateClusterConfig"]["enablePrivateNodes"] is True
    # Least-privilege node account: exactly the three node roles, never the default compute account.
    roles = sorted(r.inputs["role"] for r in plan.by_type("gcp:projects/iAMMember:IAMMember") if r.capability == "training")
    assert roles == ["roles/artifactregistry.reader", "roles/logging.logWriter", "roles/monitoring.metricWriter"]
    assert node["serviceAccount"].startswith(plan.spec["name"]) and "compute@developer" not in node["serviceAccount"]
    accelerators = node["guestAccelerators"]
    assert len(accelerators) == 1 and accelerators[0]["gpuDriverInstallationConfig"]["gpuDriverVersion"] in ("LATEST", "DEFAULT")
    return {
        "spot": node.get("spot") is True,
        "on_demand": not node.get("spot") and not node.get("preemptible"),
        "min": gpu["autoscaling"]["totalMinNodeCount"],
        "max": gpu["autoscaling"]["totalMaxNodeCount"],
        "shape": (node["machineType"], accelerators[0]["type"], accelerators[0]["count"]),
    }

VIEWS = {"aws": _aws_view, "azure": _azure_view, "gcp": _gcp_view}

def _expected(plan) -> dict:
    training = _training_spec(plan)
    shape = shape_for(plan.cloud, training["gpu"], training["gpus_per_node"])
    if plan.cloud == "aws":
        return {"max": shape.vcpus * training["max_nodes"], "shape": [shape.instance_type]}
    if plan.cloud == "azure":
        return {"max": training["max_nodes"], "shape": shape.instance_type}
    if plan.cloud == "gcp":
        return {"max": training["max_nodes"], "shape": (shape.instance_type, shape.accelerator, shape.gpus)}
    raise AssertionError(f"no expectation for {plan.cloud}")

@pytest.mark.parametrize(("stack", "cloud"), RENDERINGS)
def test_spot_capacity_scales_to_zero_within_max_nodes_on_the_catalog_shape(stack, cloud):
    plan = reference_plan(stack, cloud)
    assert _training_spec(plan)["spot"] is True  # every reference stack asks for spot
    view = VIEWS[plan.cloud](plan)
    expected = _expected(plan)
    assert view["spot"], f"{stack} on {cloud}: not spot: {view}"
    assert not view["on_demand"]
    assert view["min"] == 0, f"{stack} on {cloud}: does not scale to zero: {view}"
    assert view["max"] == expected["max"], f"{stack} on {cloud}: max {view['max']} != {expected['max']}"
    assert view["shape"] == expected["shape"], f"{stack} on {cloud}: shape {view['shape']} != catalog {expected['shape']}"

# -- checkpoint storage: the platform's encrypted artifacts bucket ---------------------------------------

def _aws_checkpoints(plan) -> None:
    job = one_resource(plan, "aws:batch/jobDefinition:JobDefinition", "training").inputs
    container = json.loads(job["containerProperties"])
    env = {e["name"]: e["value"] for e in container["environment"]}
    assert named(plan, f"{plan.spec['name']}-{plan.environment}-artifacts").type == "aws:s3/bucket:Bucket"
    assert env["CHECKPOINT_URI"].startswith("s3://") and "-artifacts-" in env["CHECKPOINT_URI"]
    assert env["CHECKPOINT_URI"].endswith("/checkpoints/")
    # The bucket behind the URI is encrypted with KMS (the platform key when customer-managed).
    encryption = named(plan, "-artifacts-encryption").inputs
    assert encryption["bucket"] == env["CHECKPOINT_URI"].split("/")[2]
    default = encryption["rules"][0]["applyServerSideEncryptionByDefault"]
    assert default["sseAlgorithm"] == "aws:kms"
    if plan.spec["encryption"]["customer_managed_keys"]:
        assert default["kmsMasterKeyId"].startswith("arn:aws:kms:")
    # Retry on spot reclaim only, and the job role may write the checkpoint prefix and nothing wider.
    exits = job["retryStrategy"]["evaluateOnExits"]
    assert {"onStatusReason": "Host EC2*", "action": "retry"} in exits
    assert job["retryStrategy"]["attempts"] > 1
    gpu = [r for r in container["resourceRequirements"] if r["type"] == "GPU"]
    training = _training_spec(plan)
    assert gpu == [{"type": "GPU", "value": str(shape_for("aws", training["gpu"], training["gpus_per_node"]).gpus)}]
    policy = json.loads(named(plan, "-training-job-checkpoints").inputs["policy"])
    writes = [s for s in policy["Statement"] if "s3:PutObject" in s["Action"]]
    assert len(writes) == 1 and all(r.endswith("/checkpoints/*") for r in writes[0]["Resource"])

def _azure_checkpoints(plan) -> None:
    datastore = one_resource(plan, "azure-native:machinelearningservices:Datastore", "training").inputs["properties"]
    assert datastore["datastoreType"] == "AzureBlob" and datastore["containerName"] == "artifacts"
    assert datastore["credentials"] == {"credentialsType": "None"}  # identity-based, no keys
    account = one_resource(plan, "azure-native:storage:StorageAccount").inputs
    assert datastore["accountName"] == account["accountName"]
    assert account["encryption"]["services"]["blob"]["enabled"] is True
    if plan.spec["encryption"]["customer_managed_keys"]:
        assert account["encryption"]["keySource"] == "Microsoft.Keyvault"
    assert account["allowSharedKeyAccess"] is False
    # The cluster runs as the platform identity, the one with data access to the account.
    compute = one_resource(plan, "azure-native:machinelearningservices:Compute", "training").inputs
    assert compute["identity"]["type"] == "UserAssigned"
    identity = one_resource(plan, "azure-native:managedidentity:UserAssignedIdentity", "base")
    assert [i.rsplit("/", 1)[1] for i in compute["identity"]["userAssignedIdentities"]] == [
        f"{identity.name}-{i.rsplit('-', 1)[1]}" for i in compute["identity"]["userAssignedIdentities"]
    ]

def _gcp_checkpoints(plan) -> None:
    artifacts = named(plan, f"{plan.spec['name']}-{plan.environment}-artifacts").inputs
    if plan.spec["encryption"]["customer_managed_keys"]:
        assert artifacts["encryption"]["defaultKmsKeyName"]
        # ... and the same key encrypts the GPU nodes' boot disks.
        gpu = [r for r in plan.by_type("gcp:container/nodePool:NodePool") if r.inputs["name"] == "gpu"][0]
        assert gpu.inputs["nodeConfig"]["bootDiskKmsKey"] == artifacts["encryption"]["defaultKmsKeyName"]
    assert artifacts["publicAccessPrevention"] == "enforced" and artifacts["uniformBucketLevelAccess"] is True
    # Jobs write checkpoints as the platform's workload account (objectUser on the bucket), via workload identity.
    binding = one_resource(plan, "gcp:serviceaccount/iAMMember:IAMMember", "training").inputs
    assert binding["role"] == "roles/iam.workloadIdentityUser"
    assert binding["member"].endswith(".svc.id.goog[training/training]")
    grants = [r.inputs for r in plan.by_type("gcp:storage/bucketIAMMember:BucketIAMMember") if r.name.endswith("-artifacts-workloads")]
    assert grants and grants[0]["role"] == "roles/storage.objectUser"

CHECKPOINTS = {"aws": _aws_checkpoints, "azure": _azure_checkpoints, "gcp": _gcp_checkpoints}

@pytest.mark.parametrize(("stack", "cloud"), RENDERINGS)
def test_checkpoints_go_to_the_platforms_encrypted_bucket(stack, cloud):
    CHECKPOINTS[cloud](reference_plan(stack, cloud))

# -- spot: false gives on-demand capacity -------------------------------------------------------------------

def _on_demand_plan(stack: str, cloud: str, tmp_path: Path):
    from mlplat.offline_plan import plan_file

    document = yaml.safe_load((STACKS_DIR / f"Pulumi.{stack}.yaml").read_text())
    document["config"]["mlplat:platform"]["training"]["spot"] = False
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump(document))
    return plan_file(path, cloud=cloud, stack=stack)

@pytest.mark.parametrize("cloud", CLOUDS)
def test_spot_false_gives_on_demand_capacity(cloud, tmp_path):
    plan = _on_demand_plan("aws-dev", cloud, tmp_path)
    assert _training_spec(plan)["spot"] is False
    view = VIEWS[cloud](plan)
    assert view["on_demand"] and not view["spot"], view
    assert view["min"] == 0

# -- tags on every taggable training resource ----------------------------------------------------------------

# The resources that must carry the use case's FinOps tags (GCP: labels) on each cloud.
MUST_BE_TAGGED = {
    "aws": {
        "aws:batch/computeEnvironment:ComputeEnvironment",
        "aws:batch/jobQueue:JobQueue",
        "aws:batch/jobDefinition:JobDefinition",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:iam/role:Role",
        "aws:cloudwatch/logGroup:LogGroup",
    },
    "azure": {
        "azure-native:machinelearningservices:Compute",
        "azure-native:machinelearningservices:Datastore",
    },
    "gcp": {"gcp:container/cluster:Cluster", "gcp:container/nodePool:NodePool"},
}

def _tags_of(resource) -> dict | None:
    inputs = resource.inputs
    for key in ("tags", "labels", "resourceLabels"):
        if isinstance(inputs.get(key), dict):
            return inputs[key]
    node_config = inputs.get("nodeConfig")
    if isinstance(node_config, dict) and isinstance(node_config.get("resourceLabels"), dict):
        return node_config["resourceLabels"]  # GKE node pools: labels on the VMs they create
    properties = inputs.get("properties")
    if isinstance(properties, dict) and isinstance(properties.get("tags"), dict):
        return properties["tags"]  # Azure ML datastores carry their tags in their properties
    return None

@pytest.mark.parametrize(("stack", "cloud"), RENDERINGS)
def test_training_resources_carry_the_use_case_tags(stack, cloud):
    plan = reference_plan(stack, cloud)
    use_case = _training_spec(plan)["use_case"]
    resources = [r for r in plan.by_capability("training") if r.custom]
    missing = MUST_BE_TAGGED[cloud] - {r.type for r in resources}
    assert not missing, f"{stack} on {cloud}: no {missing}"
    for resource in resources:
        tags = _tags_of(resource)
        if resource.type in MUST_BE_TAGGED[cloud]:
            assert tags is not None, f"{resource.name}: untagged"
        if tags is not None:
            assert tags.get("use-case") == use_case, f"{resource.name}: {tags}"
            assert tags.get("platform") == plan.spec["name"], f"{resource.name}: {tags}"

# -- the outputs a user submits jobs with --------------------------------------------------------------------

def _resolved_outputs(stack: str, cloud: str) -> dict:
    """The training component's outputs, resolved under the same mocks the offline plan uses."""
    from mlplat.offline_plan import runner
    from mlplat.offline_plan.mocks import PlanMocks
    from components.program import run as run_program
    from components.spec import load_stack

    loaded = load_stack(stack, STACKS_DIR, cloud)
    config = runner._stack_config(loaded)  # noqa: SLF001 - the config exactly as the plan hands it over
    result: dict = {}
    with runner._LOCK:  # noqa: SLF001 - the Pulumi runtime is process-global
        pulumi.runtime.set_all_config(config)
        mocks = PlanMocks(region=loaded.spec.region, config=config)
        pulumi.runtime.set_mocks(mocks, project="mlplat", stack=stack, preview=False)

        def program():
            platform = run_program()
            outputs = platform.capability_outputs["training"]["training"]
            # The common keys and the cloud's extras, side by side.
            return pulumi.Output.from_input(outputs).apply(lambda o: result.update({**o, **o["extras"]}))

        try:
            pulumi.runtime.mocks.test(program)()
        finally:
            pulumi.runtime.set_all_config({})
    return result

SUBMISSION_OUTPUTS = {
    "aws": (
        "submit_to",
        "job_definition_arn",
        "checkpoint_uri",
        "sagemaker_execution_role_arn",
        "sagemaker_training_instance_type",
        "sagemaker_checkpoint_uri",
    ),
    "azure": ("submit_to", "workspace", "resource_group", "checkpoint_uri", "identity_client_id"),
    "gcp": (
        "submit_to",
        "cluster_location",
        "node_pool",
        "get_credentials",
        "kubernetes_namespace",
        "kubernetes_service_account",
        "workload_service_account",
        "checkpoint_uri",
    ),
}

@pytest.mark.parametrize("stack", ["aws-prod", "azure-prod", "gcp-prod"])
def test_job_submission_outputs(stack):
    cloud = stack.split("-")[0]
    outputs = _resolved_outputs(stack, cloud)
    missing = [key for key in SUBMISSION_OUTPUTS[cloud] if not outputs.get(key)]
    assert not missing, f"{stack}: outputs missing or empty: {missing} (have {sorted(outputs)})"
    if cloud == "aws":
        assert outputs["submit_to"].startswith("arn:aws:batch:")
        assert outputs["checkpoint_uri"].startswith("s3://") and outputs["checkpoint_uri"].endswith("/checkpoints/")
        assert outputs["sagemaker_training_instance_type"] == shape_for("aws", "a100", 8).sagemaker_instance_type
    if cloud == "azure":
        assert outputs["submit_to"] == "fraud-ml-pro-gpu"  # AmlCompute names: at most 16 characters
        assert outputs["checkpoint_uri"] == "azureml://datastores/training_checkpoints/paths/checkpoints/"
    if cloud == "gcp":
        assert outputs["node_pool"] == "gpu"
        assert outputs["checkpoint_uri"].startswith("gs://") and outputs["checkpoint_uri"].endswith("/checkpoints/")
        assert outputs["get_credentials"].startswith(f"gcloud container clusters get-credentials {outputs['submit_to']} ")
