"""AWS behaviour users rely on that the offline plan shows: AMIs Batch still accepts, replacements that do
not collide on fixed names, least-privilege scoping, endpoint rollouts SageMaker accepts, private-network
reachability, and opt-in account-global settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from mlplat.offline_plan import plan_file, plan_stack
from mlplat.offline_plan import recorder
from tests.support.plans import STACKS_DIR, reference_plan

OFFLINE_ACCOUNT = "123456789012"


# -- helpers ------------------------------------------------------------------------------------------------

def _all(plan, type_token: str):
    return [r for r in plan.resources if r.type == type_token]


def _one(plan, type_token: str):
    found = _all(plan, type_token)
    assert len(found) == 1, [r.name for r in found]
    return found[0]


def _policy(resource) -> dict:
    policy = resource.inputs["policy"]
    return json.loads(policy) if isinstance(policy, str) else policy


def _statements(plan, name_suffix: str) -> list[dict]:
    policies = [r for r in _all(plan, "aws:iam/rolePolicy:RolePolicy") if r.name.endswith(name_suffix)]
    assert len(policies) == 1, [r.name for r in _all(plan, "aws:iam/rolePolicy:RolePolicy")]
    return _policy(policies[0])["Statement"]


def _raw(stack: str) -> dict:
    return yaml.safe_load((STACKS_DIR / f"Pulumi.{stack}.yaml").read_text())


def _stack_dir(tmp_path: Path, stack: str, edit=None, config: dict | None = None) -> Path:
    raw = _raw(stack)
    if edit is not None:
        edit(raw["config"]["mlplat:platform"])
    raw["config"].update(config or {})
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    return tmp_path


@pytest.fixture()
def options(monkeypatch):
    """Resource options of every registration of the plans made while the fixture is active, by logical
    name: deleteBeforeReplace, retainOnDelete, replaceOnChanges, ignoreChanges."""
    seen: dict[str, dict] = {}
    original = recorder.RecordingMonitor.RegisterResource

    def register(self, request):
        seen[request.name] = {
            "delete_before_replace": bool(request.deleteBeforeReplace),
            "retain_on_delete": bool(request.retainOnDelete),
            "replace_on_changes": list(request.replaceOnChanges),
            "ignore_changes": list(request.ignoreChanges),
            "protect": bool(request.protect),
        }
        return original(self, request)

    monkeypatch.setattr(recorder.RecordingMonitor, "RegisterResource", register)
    return seen


# -- training -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_batch_uses_the_al2023_gpu_ami_that_batch_still_accepts(stack):
    compute = _one(reference_plan(stack), "aws:batch/computeEnvironment:ComputeEnvironment").inputs
    assert compute["computeResources"]["ec2Configurations"] == [{"imageType": "ECS_AL2023_NVIDIA"}]


def test_catalog_offers_no_instance_family_the_al2023_gpu_ami_lacks():
    from components.catalog.gpus import all_shapes

    families = {s.instance_type.split(".")[0] for s in all_shapes() if s.cloud == "aws"}
    assert not families & {"p3", "p3dn", "g3", "g3s"}, families


def test_compute_environment_is_prefix_named_so_replacement_creates_beside_and_queue_deletes_first(options):
    plan = plan_stack("aws-prod", STACKS_DIR)
    compute = _one(plan, "aws:batch/computeEnvironment:ComputeEnvironment")
    assert "name" not in compute.inputs
    assert compute.inputs["namePrefix"] == "fraud-ml-prod-training-"
    assert options[compute.name]["delete_before_replace"] is False
    queue = _one(plan, "aws:batch/jobQueue:JobQueue")
    assert queue.inputs["name"] == "fraud-ml-prod-training"
    assert options[queue.name]["delete_before_replace"] is True


def test_instance_role_is_scoped_to_this_account_and_the_compute_environment_cluster():
    statements = {s["Sid"]: s for s in _statements(reference_plan("aws-prod"), "training-instance-agent")}
    assert statements["PullImages"]["Resource"] == [f"arn:aws:ecr:us-east-1:{OFFLINE_ACCOUNT}:repository/*"]
    assert statements["EcsAgentCluster"]["Resource"] == [
        f"arn:aws:ecs:us-east-1:{OFFLINE_ACCOUNT}:cluster/fraud-ml-prod-training-*_Batch_*"
    ]
    for statement in statements.values():
        for resource in statement["Resource"]:
            assert ":*:" not in resource, statement


def test_private_template_image_is_a_placeholder_in_the_platforms_ecr_repository():
    plan = reference_plan("aws-prod")
    definition = json.loads(_one(plan, "aws:batch/jobDefinition:JobDefinition").inputs["containerProperties"])
    assert not definition["image"].startswith("public.ecr.aws")
    assert definition["image"].startswith(f"{OFFLINE_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/")
    assert definition["image"].endswith(":template")
    repos = {r.inputs["name"]: r for r in _all(plan, "aws:ecr/repository:Repository")}
    assert repos["fraud-ml-prod/training"].inputs["imageTagMutability"] == "IMMUTABLE"
    outputs = plan.outputs["training"]["training"]
    assert outputs["template_image"] == definition["image"]
    assert outputs["template_image_placeholder"] is True
    assert outputs["max_instances_at_peak"] == outputs["max_nodes"] + 1


def test_public_template_image_stays_public_without_a_repository():
    plan = reference_plan("aws-dev")
    if plan.spec["network"]["private"]:
        pytest.skip("aws-dev is private")
    definition = json.loads(_one(plan, "aws:batch/jobDefinition:JobDefinition").inputs["containerProperties"])
    assert definition["image"].startswith("public.ecr.aws/")
    assert plan.outputs["training"]["training"]["training_image_repository_url"] is None


# -- endpoints ----------------------------------------------------------------------------------------------

def _endpoint_plan(tmp_path, stack="aws-prod", config=None, **fields):
    def edit(platform):
        platform["endpoints"][0].update(fields)

    return plan_stack(stack, _stack_dir(tmp_path, stack, edit, config))


def test_blue_green_canary_batch_is_one_instance_and_at_most_half_the_new_fleet(tmp_path):
    plan = _endpoint_plan(tmp_path, min_replicas=2, canary={"weight_percent": 30})
    routing = _one(plan, "aws:sagemaker/endpoint:Endpoint").inputs["deploymentConfig"]["blueGreenUpdatePolicy"][
        "trafficRoutingConfiguration"
    ]
    variants = _one(plan, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs["productionVariants"]
    assert routing["type"] == "CANARY"
    assert routing["canarySize"] == {"type": "INSTANCE_COUNT", "value": 1}  # not the 30 % traffic split
    for variant in variants:
        assert routing["canarySize"]["value"] <= variant["initialInstanceCount"] / 2


def test_one_instance_fleet_shifts_all_at_once_with_rollback_alarms():
    endpoint = _one(reference_plan("aws-prod"), "aws:sagemaker/endpoint:Endpoint").inputs
    policy = endpoint["deploymentConfig"]
    assert policy["blueGreenUpdatePolicy"]["trafficRoutingConfiguration"]["type"] == "ALL_AT_ONCE"
    assert "canarySize" not in policy["blueGreenUpdatePolicy"]["trafficRoutingConfiguration"]
    assert len(policy["autoRollbackConfiguration"]["alarms"]) == 4


def test_gpu_endpoint_on_local_nvme_types_leaves_the_volume_key_out(tmp_path):
    from components.catalog.gpus import endpoint_shape

    assert endpoint_shape("aws", "t4").instance_storage is True
    image = f"{OFFLINE_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/fraud-ml-prod/serving:1.0"
    plan = _endpoint_plan(tmp_path, compute="t4", model={"image": image})
    config = _one(plan, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs
    assert {v["instanceType"] for v in config["productionVariants"]} == {"ml.g4dn.xlarge"}
    assert not config.get("kmsKeyArn")
    assert config["dataCaptureConfig"]["kmsKeyId"]  # the capture in S3 is still encrypted with the platform key
    assert "hardware" in plan.outputs["endpoints"]["fraud-scorer"]["volume_encryption"]


def test_cpu_endpoint_keeps_the_platform_volume_key():
    plan = reference_plan("aws-prod")
    config = _one(plan, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs
    assert config["kmsKeyArn"]
    assert plan.outputs["endpoints"]["fraud-scorer"]["volume_encryption"] == "platform KMS key"


def test_unguarded_rollout_drops_guardrails_and_autoscaling_so_the_variant_set_can_change(tmp_path, options):
    plan = _endpoint_plan(tmp_path, config={"mlplat:awsEndpointRollout": "unguarded"})
    endpoint = _one(plan, "aws:sagemaker/endpoint:Endpoint")
    assert not endpoint.inputs.get("deploymentConfig")
    assert _all(plan, "aws:appautoscaling/target:Target") == []
    config = _one(plan, "aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    guarded = _one(reference_plan("aws-prod"), "aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    # a different configuration resource: returning to guarded is a guarded UpdateEndpoint to a new config
    assert config.name != guarded.name
    assert options[endpoint.name]["delete_before_replace"] is True
    assert plan.outputs["endpoints"]["fraud-scorer"]["rollout"] == "unguarded"


def test_unknown_rollout_mode_is_an_error(tmp_path):
    from components.spec import SpecError

    with pytest.raises(SpecError, match="awsEndpointRollout"):
        _endpoint_plan(tmp_path, config={"mlplat:awsEndpointRollout": "yolo"})


# -- base: network and execution role -----------------------------------------------------------------------

def test_private_execution_role_may_manage_network_interfaces_in_the_platform_vpc_only():
    plan = reference_plan("aws-prod")
    statements = {s.get("Sid"): s for s in _statements(plan, "execution-role-data")}
    create = statements["VpcNetworkInterfaces"]
    assert {"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:CreateNetworkInterfacePermission",
            "ec2:DeleteNetworkInterfacePermission"} == set(create["Action"])
    vpc = _one(plan, "aws:ec2/vpc:Vpc")
    assert f":vpc/{vpc.name}-" in create["Condition"]["ArnEquals"]["ec2:Vpc"]  # the platform VPC's id
    assert create["Condition"]["ArnEquals"]["ec2:Vpc"].startswith(f"arn:aws:ec2:us-east-1:{OFFLINE_ACCOUNT}:vpc/")
    assert {"ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeDhcpOptions"} == set(statements["VpcDescribe"]["Action"])


def test_public_execution_role_gets_no_network_interface_permissions():
    plan = reference_plan("aws-dev")
    if plan.spec["network"]["private"]:
        pytest.skip("aws-dev is private")
    assert not [s for s in _statements(plan, "execution-role-data") if s.get("Sid") == "VpcNetworkInterfaces"]


def test_security_group_rules_are_separate_resources_only():
    plan = reference_plan("aws-prod")
    group = _one(plan, "aws:ec2/securityGroup:SecurityGroup").inputs
    assert not group.get("ingress") and not group.get("egress")
    ingress = [r.inputs for r in _all(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")]
    egress = [r.inputs for r in _all(plan, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")]
    assert [(r["ipProtocol"], r["cidrIpv4"]) for r in ingress] == [("-1", "10.40.0.0/16")]
    assert sorted((r["ipProtocol"], r.get("cidrIpv4"), bool(r.get("prefixListId"))) for r in egress) == [
        ("-1", "10.40.0.0/16", False), ("tcp", None, True)
    ]


def test_private_stack_reaches_feature_store_athena_glue_and_kms_without_nat():
    services = {r.inputs["serviceName"].rsplit(".", 1)[-1] if "sagemaker" not in r.inputs["serviceName"]
                else r.inputs["serviceName"].split("us-east-1.", 1)[1]
                for r in _all(reference_plan("aws-prod"), "aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert {"sagemaker.featurestore-runtime", "athena", "glue", "kms"} <= services


def test_kms_grants_only_for_aws_resources():
    for statement in _statements(reference_plan("aws-prod"), "execution-role-data"):
        if "kms:CreateGrant" in statement["Action"]:
            assert statement["Action"] == ["kms:CreateGrant"]
            assert statement["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


# -- feature store ------------------------------------------------------------------------------------------

def _feature_plan(tmp_path, edit):
    return plan_stack("aws-dev", _stack_dir(tmp_path, "aws-dev", edit))


def test_execution_role_may_query_the_offline_store_in_the_platform_workgroup_only():
    plan = reference_plan("aws-prod")
    workgroup = _one(plan, "aws:athena/workgroup:Workgroup").inputs
    results = workgroup["configuration"]["resultConfiguration"]
    assert workgroup["configuration"]["enforceWorkgroupConfiguration"] is True
    assert results["outputLocation"].startswith("s3://fraud-ml-prod-data") and results["outputLocation"].endswith("/athena-results/")
    assert results["encryptionConfiguration"]["encryptionOption"] == "SSE_KMS"
    (query,) = [s for s in _statements(plan, "execution-role-features") if s.get("Sid") == "OfflineStoreQueries"]
    assert {"athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"} <= set(query["Action"])
    assert query["Resource"] == [f"arn:aws:athena:us-east-1:{OFFLINE_ACCOUNT}:workgroup/fraud-ml-prod-features"]
    assert plan.outputs["feature_store"]["features"]["athena_workgroup"] == "fraud-ml-prod-features"


def test_a_schema_change_is_a_new_versioned_group_and_table_not_a_colliding_replacement(tmp_path):
    before = _one(reference_plan("aws-dev"), "aws:sagemaker/featureGroup:FeatureGroup")

    def add_feature(platform):
        platform["feature_store"]["feature_groups"][0]["features"]["chargebacks_90d"] = "int"

    after = _one(_feature_plan(tmp_path, add_feature), "aws:sagemaker/featureGroup:FeatureGroup")
    assert after.urn == before.urn  # same logical resource: Pulumi replaces it...
    # ...under a new physical name and offline table, so the new group is created beside the old one
    assert after.inputs["featureGroupName"] != before.inputs["featureGroupName"]
    assert after.inputs["featureGroupName"].startswith("fraud-ml-dev-transactions-s")
    old_table = before.inputs["offlineStoreConfig"]["dataCatalogConfig"]["tableName"]
    new_table = after.inputs["offlineStoreConfig"]["dataCatalogConfig"]["tableName"]
    assert old_table != new_table and new_table.startswith("transactions_s")


def test_an_unchanged_schema_keeps_its_name_whatever_the_group_order(tmp_path):
    before = {r.urn: r.inputs["featureGroupName"] for r in _all(reference_plan("aws-dev"), "aws:sagemaker/featureGroup:FeatureGroup")}

    def add_group_first(platform):
        platform["feature_store"]["feature_groups"].insert(
            0, {"name": "merchants", "entity": "merchant_id", "event_time": "event_ts", "features": {"risk": "float"}}
        )

    after = {r.urn: r.inputs["featureGroupName"] for r in _all(_feature_plan(tmp_path, add_group_first), "aws:sagemaker/featureGroup:FeatureGroup")}
    for urn, name in before.items():
        assert after[urn] == name


def test_prod_feature_groups_are_protected_so_a_schema_change_cannot_silently_replace_them():
    (group,) = _all(reference_plan("aws-prod"), "aws:sagemaker/featureGroup:FeatureGroup")
    assert group.protect is True


# -- budget -------------------------------------------------------------------------------------------------

COST_TAG = "aws:costexplorer/costAllocationTag:CostAllocationTag"


def test_cost_allocation_tags_are_not_activated_by_default_but_the_command_is_output():
    plan = reference_plan("aws-prod")
    assert _all(plan, COST_TAG) == []
    budget = plan.outputs["budget"]["budget"]
    assert budget["cost_allocation_tags_activated_by_stack"] is False
    assert budget["cost_allocation_tags_command"].startswith("aws ce update-cost-allocation-tags-status")
    for key in budget["cost_allocation_tags"]:
        assert f"TagKey={key},Status=Active" in budget["cost_allocation_tags_command"]


def test_opt_in_activation_is_retained_on_delete(tmp_path, options):
    plan = plan_stack("aws-prod", _stack_dir(tmp_path, "aws-prod", config={"mlplat:activateCostAllocationTags": True}))
    tags = _all(plan, COST_TAG)
    assert {t.inputs["tagKey"] for t in tags} >= {"use-case", "cost-center", "platform", "environment"}
    for tag in tags:
        assert tag.inputs["status"] == "Active"
        assert options[tag.name]["retain_on_delete"] is True
    assert plan.outputs["budget"]["budget"]["cost_allocation_tags_activated_by_stack"] is True


# -- vector search ------------------------------------------------------------------------------------------

COLLECTION = "aws:opensearch/serverlessCollection:ServerlessCollection"


def test_changing_standby_replicas_is_a_new_collection_name_covered_by_unchanged_policies(tmp_path):
    prod = reference_plan("aws-prod")

    def one_replica(platform):
        platform["vector_search"]["replicas"] = 1

    single = plan_stack("aws-prod", _stack_dir(tmp_path, "aws-prod", one_replica))
    before, after = _one(prod, COLLECTION), _one(single, COLLECTION)
    assert (before.inputs["standbyReplicas"], after.inputs["standbyReplicas"]) == ("ENABLED", "DISABLED")
    assert before.urn == after.urn and before.inputs["name"] != after.inputs["name"]
    assert before.protect  # prod refuses the replacement instead of deleting vectors
    policy = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
    assert [r.inputs["policy"] for r in _all(prod, policy)] == [r.inputs["policy"] for r in _all(single, policy)]
    assert _one(prod, "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy").inputs["policy"] == _one(
        single, "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy"
    ).inputs["policy"]
    for plan, collection in ((prod, before), (single, after)):
        for resource in _all(plan, policy):
            assert f"collection/{collection.inputs['name']}" in resource.inputs["policy"]


def test_feature_group_names_stay_within_sagemakers_64_characters(tmp_path):
    """Longest names the spec allows: 24-character platform, staging, 24-character group, schema suffix."""
    import yaml

    from mlplat.offline_plan import plan_file

    spec = {
        "name": "a" * 23 + "z",
        "environment": "staging",
        "cloud": "aws",
        "region": "us-east-1",
        "finops": {"cost_center": "cc", "owner": "o@example.com", "team": "t"},
        "feature_store": {
            "online": False,
            "feature_groups": [
                {"name": "g" * 23 + f"{i}", "entity": "id", "event_time": "ts", "features": {"x": "float"}}
                for i in range(2)
            ],
        },
    }
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(spec))
    names = [r.inputs["featureGroupName"] for r in plan_file(path).by_type("aws:sagemaker/featureGroup:FeatureGroup")]
    assert len(names) == 2 and len(set(names)) == 2
    assert all(len(n) <= 64 for n in names), names
    again = [r.inputs["featureGroupName"] for r in plan_file(path).by_type("aws:sagemaker/featureGroup:FeatureGroup")]
    assert sorted(again) == sorted(names)  # stable: the same spec gives the same physical names
