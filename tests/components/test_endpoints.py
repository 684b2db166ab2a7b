"""Inference endpoints in the offline plans: autoscaling, canary split, logging, privacy, scale to zero,
tags; the same split on every cloud; spec validation of weights and replicas."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlplat.offline_plan import plan_file
from components.spec import SpecError, load_stack, parse_spec
from components.traffic import split, versions
from tests.support.plans import CLOUDS, REFERENCE_STACKS, RENDERINGS, STACKS_DIR, one_resource, platform_document, reference_plan, resources_of

DYNAMIC = "pulumi-python:dynamic:Resource"
# Resources of the endpoint capability that carry no tags/labels argument of their own (Azure ML
# assets carry them inside `properties`, the deployer in its `labels` input).
UNTAGGED = {
    "aws:appautoscaling/policy:Policy",
    "azure-native:machinelearningservices:ModelContainer",
    "azure-native:machinelearningservices:ModelVersion",
    "azure-native:machinelearningservices:EnvironmentContainer",
    "azure-native:machinelearningservices:EnvironmentVersion",
    DYNAMIC,
}


def served(plan) -> dict:
    """{version: {"weight", "min", "max", "logging", "private"}} read back from the planned resources."""
    if plan.cloud == "aws":
        config = one_resource(plan, "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "endpoints").inputs
        targets = {t.inputs["resourceId"].rsplit("/", 1)[1]: t.inputs for t in resources_of(plan, "aws:appautoscaling/target:Target", "endpoints")}
        capture = config.get("dataCaptureConfig") or {}
        models = resources_of(plan, "aws:sagemaker/model:Model", "endpoints")
        private = bool(models) and all(m.inputs.get("vpcConfig") for m in models)
        result = {}
        for variant in config["productionVariants"]:
            name = variant["variantName"]
            serverless = "serverlessConfig" in variant
            result[name] = {
                "weight": variant["initialVariantWeight"],
                "min": 0 if serverless else targets[name]["minCapacity"],
                "max": variant["serverlessConfig"]["maxConcurrency"] if serverless else targets[name]["maxCapacity"],
                "logging": bool(capture.get("enableCapture")),
                "private": private,
            }
        return result
    if plan.cloud == "azure":
        endpoint = one_resource(plan, "azure-native:machinelearningservices:OnlineEndpoint", "endpoints").inputs
        deployments = {d.inputs["deploymentName"]: d for d in resources_of(plan, "azure-native:machinelearningservices:OnlineDeployment", "endpoints")}
        scaling = {a.parent: a.inputs for a in resources_of(plan, "azure-native:monitor:AutoscaleSetting", "endpoints")}
        # The split is applied after the deployments exist, by the traffic setter (dynamic resource).
        setter = one_resource(plan, DYNAMIC, "endpoints")
        assert "traffic" not in endpoint["properties"]
        assert {d.urn for d in deployments.values()} <= set(setter.dependencies)
        result = {}
        for name, weight in setter.inputs["traffic"].items():
            deployment = deployments[name]
            capacity = scaling[deployment.urn]["profiles"][0]["capacity"]
            props = deployment.inputs["properties"]
            result[name] = {
                "weight": weight,
                "min": int(capacity["minimum"]),
                "max": int(capacity["maximum"]),
                "logging": bool(props.get("appInsightsEnabled")) and "dataCollector" in props,
                "private": endpoint["properties"]["publicNetworkAccess"] == "Disabled"
                and props["egressPublicNetworkAccess"] == "Disabled",
            }
        return result
    endpoint = one_resource(plan, "gcp:vertex/aiEndpoint:AiEndpoint", "endpoints").inputs
    deployer = one_resource(plan, DYNAMIC, "endpoints").inputs
    logging = (endpoint.get("predictRequestResponseLoggingConfig") or {}).get("enabled", False)
    return {
        v["name"]: {
            "weight": v["weight"],
            "min": v["min_replicas"],
            "max": v["max_replicas"],
            "logging": bool(logging),
            "private": bool((endpoint.get("privateServiceConnectConfig") or {}).get("enablePrivateServiceConnect")),
        }
        for v in deployer["versions"]
    }


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_every_version_serves_its_share_autoscales_and_logs(stack, cloud):
    plan = reference_plan(stack, cloud)
    spec = load_stack(stack, STACKS_DIR, cloud).spec
    endpoint = spec.endpoints[0]
    versions_served = served(plan)
    assert {name: v["weight"] for name, v in versions_served.items()} == {"stable": 90, "canary": 10}
    for name, version in versions_served.items():
        assert version["max"] >= 1 and version["min"] <= version["max"], (stack, cloud, name)
        if not (cloud == "aws" and version["min"] == 0):
            assert (version["min"], version["max"]) == (max(endpoint.min_replicas, 1), endpoint.max_replicas), (stack, cloud, name)
        assert version["logging"], f"{stack} on {cloud}: logging off for {name}"
        assert version["private"] == spec.network.private, f"{stack} on {cloud}: {name} private={version['private']}"


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_the_same_spec_splits_the_same_way_on_every_cloud(stack):
    shares = {cloud: {n: v["weight"] for n, v in served(reference_plan(stack, cloud)).items()} for cloud in CLOUDS}
    assert shares["aws"] == shares["azure"] == shares["gcp"], shares


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_every_endpoint_resource_carries_the_use_case_tags(stack, cloud):
    plan = reference_plan(stack, cloud)
    resources = [r for r in plan.by_capability("endpoints") if r.custom]
    assert resources
    for resource in resources:
        if resource.type == DYNAMIC and cloud == "azure":
            continue  # the traffic setter only sets the endpoint's split: no Azure resource of its own
        if resource.type in UNTAGGED:
            tags = (resource.inputs.get("properties") or {}).get("tags") or resource.inputs.get("labels")
            if resource.type == "aws:appautoscaling/policy:Policy":
                continue  # not taggable
        else:
            tags = resource.inputs.get("labels") if cloud == "gcp" else resource.inputs.get("tags")
        assert tags and tags.get("use-case") == "fraud-scoring", f"{resource.type} {resource.name}: {tags}"


def test_aws_prod_rolls_back_on_alarms_and_encrypts_the_capture():
    plan = reference_plan("aws-prod")
    endpoint = one_resource(plan, "aws:sagemaker/endpoint:Endpoint", "endpoints").inputs
    deployment = endpoint["deploymentConfig"]
    # min_replicas 1: a one-instance green fleet cannot have a canary batch of at most 50% (see tests/aws/test_endpoint_rollout.py)
    assert deployment["blueGreenUpdatePolicy"]["trafficRoutingConfiguration"]["type"] == "ALL_AT_ONCE"
    alarms = {a["alarmName"] for a in deployment["autoRollbackConfiguration"]["alarms"]}
    metrics = {a.inputs["metricName"] for a in resources_of(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "endpoints")}
    assert len(alarms) == 4 and metrics == {"Invocation5XXErrors", "ModelLatency"}
    config = one_resource(plan, "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "endpoints").inputs
    assert config["kmsKeyArn"] and config["dataCaptureConfig"]["kmsKeyId"]
    assert config["dataCaptureConfig"]["destinationS3Uri"].startswith("s3://fraud-ml-prod-artifacts")
    policies = resources_of(plan, "aws:appautoscaling/policy:Policy", "endpoints")
    assert {p.inputs["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"]["predefinedMetricType"] for p in policies} == {
        "SageMakerVariantInvocationsPerInstance"
    }


def test_gcp_prod_is_private_encrypted_and_logs_to_bigquery():
    plan = reference_plan("gcp-prod")
    endpoint = one_resource(plan, "gcp:vertex/aiEndpoint:AiEndpoint", "endpoints").inputs
    # Private Service Connect (a VPC-peered endpoint could not hold the canary next to the stable model).
    assert "network" not in endpoint
    psc = endpoint["privateServiceConnectConfig"]
    assert psc["enablePrivateServiceConnect"] is True
    assert psc["projectAllowlists"] == [endpoint["project"]]
    automation = psc["pscAutomationConfigs"][0]
    assert automation["projectId"] == endpoint["project"] and "/global/networks/" in automation["network"]
    policies = [r for r in plan.resources if r.type == "gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy"]
    assert len(policies) == 1  # one per platform network, created by the base layer
    policy = policies[0].inputs
    assert policy["serviceClass"] == "gcp-vertexai" and policy["pscConfig"]["subnetworks"]
    assert automation["network"].endswith("/" + policy["network"].rsplit("/", 1)[1])
    assert endpoint["encryptionSpec"]["kmsKeyName"]
    uri = endpoint["predictRequestResponseLoggingConfig"]["bigqueryDestination"]["outputUri"]
    table = one_resource(plan, "gcp:bigquery/table:Table", "endpoints").inputs
    assert uri.endswith(f".{table['datasetId']}.{table['tableId']}")
    deployer = one_resource(plan, DYNAMIC, "endpoints").inputs
    assert deployer["endpoint"].startswith("projects/") and deployer["kms_key"]


# -- scale to zero -------------------------------------------------------------------------------------

def _spec_file(tmp_path: Path, stack: str, **endpoint_changes) -> Path:
    raw = platform_document(stack)
    endpoint = dict(raw["endpoints"][0])
    for key, value in endpoint_changes.items():
        if value is None:
            endpoint.pop(key, None)
        else:
            endpoint[key] = value
    raw["endpoints"] = [endpoint]
    path = tmp_path / f"{stack}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_aws_dev_scales_to_zero_with_serverless_when_nothing_needs_instances(tmp_path):
    plan = plan_file(_spec_file(tmp_path, "aws-dev", canary=None, logging=False))
    config = one_resource(plan, "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "endpoints").inputs
    (variant,) = config["productionVariants"]
    assert variant["serverlessConfig"]["maxConcurrency"] >= 1
    assert "instanceType" not in variant and "initialInstanceCount" not in variant
    assert "dataCaptureConfig" not in config
    assert resources_of(plan, "aws:appautoscaling/target:Target", "endpoints") == []


def test_aws_dev_default_of_zero_keeps_one_instance_when_canary_or_logging_need_instances():
    # Serverless endpoints serve one variant and have no data capture: the reference dev endpoint
    # (canary + logging) keeps 1 instance per version, and the plan states why.
    plan = reference_plan("aws-dev")
    for target in resources_of(plan, "aws:appautoscaling/target:Target", "endpoints"):
        assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (1, 2)
    (gap,) = [g["gap"] for g in plan.gaps if g["capability"] == "endpoints"]
    assert "canary" in gap and "logging" in gap


def test_aws_dev_endpoint_that_serverless_can_serve_defaults_to_zero(tmp_path):
    raw = platform_document("aws-dev")
    raw["endpoints"] = [{k: v for k, v in raw["endpoints"][0].items() if k != "canary"} | {"logging": False}]
    spec = parse_spec(raw, "test.yaml")
    assert spec.endpoints[0].min_replicas == 0


def test_aws_explicit_zero_that_serverless_cannot_serve_is_an_error(tmp_path):
    with pytest.raises(SpecError, match=r"endpoints\.0\.min_replicas: aws cannot scale this endpoint to zero.*min_replicas: 1"):
        plan_file(_spec_file(tmp_path, "aws-dev", min_replicas=0))


@pytest.mark.parametrize("stack", ["azure-dev", "gcp-dev"])
def test_dev_stacks_state_the_scale_to_zero_gap(stack):
    plan = reference_plan(stack)
    assert any(g["capability"] == "endpoints" and "zero" in g["gap"] for g in plan.gaps), plan.gaps
    assert all(v["min"] == 1 for v in served(plan).values())


@pytest.mark.parametrize("cloud", ["azure", "gcp"])
def test_min_replicas_zero_is_rejected_where_the_cloud_cannot_scale_to_zero(cloud):
    raw = dict(platform_document(f"{cloud}-dev"), endpoints=[dict(platform_document(f"{cloud}-dev")["endpoints"][0], min_replicas=0)])
    with pytest.raises(SpecError) as error:
        parse_spec(raw, "test.yaml")
    message = str(error.value)
    assert "endpoints.0.min_replicas" in message and "min_replicas: 1" in message and "zero" in message


# -- weights and models ----------------------------------------------------------------------------------

@pytest.mark.parametrize("weight", [0, 100, -5, 150])
def test_canary_weight_outside_1_to_99_is_rejected_with_its_field_path(weight):
    raw = platform_document("aws-prod")
    raw["endpoints"] = [dict(raw["endpoints"][0], canary={"weight_percent": weight})]
    with pytest.raises(SpecError, match=r"test\.yaml: endpoints\.0\.canary\.weight_percent: "):
        parse_spec(raw, "test.yaml")


@pytest.mark.parametrize("weight", [1, 50, 99])
def test_traffic_split_is_stable_100_minus_canary(weight):
    raw = platform_document("aws-prod")
    raw["endpoints"] = [dict(raw["endpoints"][0], canary={"weight_percent": weight})]
    endpoint = parse_spec(raw, "test.yaml").endpoints[0]
    assert split(endpoint) == {"stable": 100 - weight, "canary": weight}
    assert [v.name for v in versions(endpoint)] == ["stable", "canary"]


def test_without_a_canary_stable_takes_everything():
    raw = platform_document("aws-prod")
    raw["endpoints"] = [{k: v for k, v in raw["endpoints"][0].items() if k != "canary"}]
    assert split(parse_spec(raw, "test.yaml").endpoints[0]) == {"stable": 100}


def test_gpu_endpoints_without_an_image_need_a_prebuilt_gpu_framework():
    raw = platform_document("aws-prod")
    raw["endpoints"] = [dict(raw["endpoints"][0], compute="t4", model={"framework": "sklearn"})]
    with pytest.raises(SpecError, match=r"endpoints\.0\.model\.image: no prebuilt GPU serving container for sklearn"):
        parse_spec(raw, "test.yaml")


def test_default_artifacts_and_canary_image(tmp_path):
    raw = platform_document("aws-prod")
    raw["endpoints"] = [dict(raw["endpoints"][0], model={"image": "example.com/scorer:1"}, canary={"weight_percent": 5, "model": {"artifact": "s3://elsewhere/canary.tar.gz"}})]
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(raw))
    plan = plan_file(path)
    containers = {m.name.rsplit("-", 1)[1]: m.inputs["primaryContainer"] for m in resources_of(plan, "aws:sagemaker/model:Model", "endpoints")}
    assert containers["stable"]["image"] == containers["canary"]["image"] == "example.com/scorer:1"
    assert containers["stable"]["modelDataUrl"].endswith("/models/fraud-scorer/stable/model.tar.gz")
    assert containers["canary"]["modelDataUrl"] == "s3://elsewhere/canary.tar.gz"
