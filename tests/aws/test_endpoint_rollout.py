"""SageMaker endpoint rollouts in the offline plans: blue/green canary batches SageMaker accepts,
all-at-once shifts with rollback alarms for one-instance fleets, the volume key left out on instance
types with local NVMe storage, and the opt-in unguarded rollout."""

from __future__ import annotations

import pytest

from tests.support.aws import OFFLINE_ACCOUNT
from tests.support.plans import one_resource, plan_of_stack, reference_plan, resources_of


def _endpoint_plan(tmp_path, stack="aws-prod", config=None, **fields):
    def edit(platform):
        platform["endpoints"][0].update(fields)

    return plan_of_stack(tmp_path, stack, edit, config)


def test_blue_green_canary_batch_is_one_instance_and_at_most_half_the_new_fleet(tmp_path):
    plan = _endpoint_plan(tmp_path, min_replicas=2, canary={"weight_percent": 30})
    routing = one_resource(plan, "aws:sagemaker/endpoint:Endpoint").inputs["deploymentConfig"]["blueGreenUpdatePolicy"][
        "trafficRoutingConfiguration"
    ]
    variants = one_resource(plan, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs["productionVariants"]
    assert routing["type"] == "CANARY"
    assert routing["canarySize"] == {"type": "INSTANCE_COUNT", "value": 1}  # not the 30 % traffic split
    for variant in variants:
        assert routing["canarySize"]["value"] <= variant["initialInstanceCount"] / 2


def test_one_instance_fleet_shifts_all_at_once_with_rollback_alarms():
    endpoint = one_resource(reference_plan("aws-prod"), "aws:sagemaker/endpoint:Endpoint").inputs
    policy = endpoint["deploymentConfig"]
    assert policy["blueGreenUpdatePolicy"]["trafficRoutingConfiguration"]["type"] == "ALL_AT_ONCE"
    assert "canarySize" not in policy["blueGreenUpdatePolicy"]["trafficRoutingConfiguration"]
    assert len(policy["autoRollbackConfiguration"]["alarms"]) == 4


def test_gpu_endpoint_on_local_nvme_types_leaves_the_volume_key_out(tmp_path):
    from components.catalog.gpus import endpoint_shape

    assert endpoint_shape("aws", "t4").instance_storage is True
    image = f"{OFFLINE_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/fraud-ml-prod/serving:1.0"
    plan = _endpoint_plan(tmp_path, compute="t4", model={"image": image})
    config = one_resource(plan, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs
    assert {v["instanceType"] for v in config["productionVariants"]} == {"ml.g4dn.xlarge"}
    assert not config.get("kmsKeyArn")
    assert config["dataCaptureConfig"]["kmsKeyId"]  # the capture in S3 is still encrypted with the platform key
    assert "hardware" in plan.outputs["endpoints"]["fraud-scorer"]["extras"]["volume_encryption"]


def test_cpu_endpoint_keeps_the_platform_volume_key():
    plan = reference_plan("aws-prod")
    config = one_resource(plan, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs
    assert config["kmsKeyArn"]
    assert plan.outputs["endpoints"]["fraud-scorer"]["extras"]["volume_encryption"] == "platform KMS key"


def test_unguarded_rollout_drops_guardrails_and_autoscaling_so_the_variant_set_can_change(tmp_path, registrations):
    plan = _endpoint_plan(tmp_path, config={"mlplat:awsEndpointRollout": "unguarded"})
    endpoint = one_resource(plan, "aws:sagemaker/endpoint:Endpoint")
    assert not endpoint.inputs.get("deploymentConfig")
    assert resources_of(plan, "aws:appautoscaling/target:Target") == []
    config = one_resource(plan, "aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    guarded = one_resource(reference_plan("aws-prod"), "aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    # a different configuration resource: returning to guarded is a guarded UpdateEndpoint to a new config
    assert config.name != guarded.name
    assert registrations[endpoint.name].deleteBeforeReplace is True
    assert plan.outputs["endpoints"]["fraud-scorer"]["extras"]["rollout"] == "unguarded"


def test_unknown_rollout_mode_is_an_error(tmp_path):
    from components.spec import SpecError

    with pytest.raises(SpecError, match="awsEndpointRollout"):
        _endpoint_plan(tmp_path, config={"mlplat:awsEndpointRollout": "yolo"})
