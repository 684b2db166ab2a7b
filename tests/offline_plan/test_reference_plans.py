"""The offline plan of every reference stack, on its own cloud and rendered on the other two."""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import re

import pytest
from typer.testing import CliRunner

from cli.app import app
from components.spec import cloud_tags, load_stack
from tests.support.plans import CLOUDS, REFERENCE_STACKS, RENDERINGS, STACKS_DIR, reference_plan

GCP_LABEL = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
GCP_LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")


@functools.lru_cache(maxsize=None)
def sdk_tag_parameters(type_token: str) -> frozenset[str]:
    """The tag/label parameters the resource's SDK class accepts (read from the installed SDK)."""
    package, module, class_name = type_token.split(":")
    python_package = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native", "gcp": "pulumi_gcp"}.get(package)
    if python_package is None:
        return frozenset()
    cls = getattr(importlib.import_module(f"{python_package}.{module.split('/')[0]}"), class_name)
    parameters = set(inspect.signature(cls._internal_init).parameters)
    parameters -= NOT_RESOURCE_LABELS.get(type_token, set())
    return frozenset(p for p in ("tags", "labels", "resource_labels", "user_labels") if p in parameters)


# Parameters named like labels that are something else (a notification channel's `labels` are its
# address configuration; its resource labels are `user_labels`).
NOT_RESOURCE_LABELS = {"gcp:monitoring/notificationChannel:NotificationChannel": {"labels"}}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_every_reference_stack_plans_on_every_cloud(stack, cloud):
    plan = reference_plan(stack, cloud)
    assert plan.cloud == cloud
    assert plan.custom_resources(), "a plan with no resources"
    types = {r.type for r in plan.resources}
    assert "mlplat:index:Platform" in types and f"mlplat:{cloud}:Base" in types
    urns = [r.urn for r in plan.resources]
    assert len(urns) == len(set(urns)), "URNs must be unique"


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_every_taggable_resource_carries_the_full_finops_set(stack, cloud):
    plan = reference_plan(stack, cloud)
    spec = load_stack(stack, STACKS_DIR, cloud).spec
    checked = 0
    for resource in plan.custom_resources():
        for parameter in sdk_tag_parameters(resource.type):
            if parameter == "resource_labels" and "labels" in sdk_tag_parameters(resource.type):
                continue
            tags = resource.inputs.get(camel(parameter))
            assert tags, f"{resource.type} {resource.name}: no {parameter}"
            expected = cloud_tags(spec, use_case=tags.get("use-case"))
            missing = {k: v for k, v in expected.items() if tags.get(k) != v}
            assert not missing, f"{resource.type} {resource.name}: {parameter} lack or differ on {missing}"
            if cloud == "gcp":
                for key, value in tags.items():
                    assert GCP_LABEL.match(key) and GCP_LABEL_VALUE.match(value), (key, value)
            checked += 1
    assert checked >= 3, "too few taggable resources: is the SDK introspection broken?"


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_stateful_resources_are_protected_exactly_in_prod(stack):
    plan = reference_plan(stack)
    stateful = {
        "aws:s3/bucket:Bucket",
        "aws:kms/key:Key",
        "azure-native:storage:StorageAccount",
        "azure-native:keyvault:Vault",
        "azure-native:machinelearningservices:Workspace",
        "gcp:storage/bucket:Bucket",
    }
    found = [r for r in plan.custom_resources() if r.type in stateful]
    assert found
    assert all(r.protect == stack.endswith("prod") for r in found), [(r.name, r.protect) for r in found]


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_prod_is_private_and_uses_customer_keys(stack):
    plan = reference_plan(stack)
    types = {r.type for r in plan.by_capability("base")}
    prod = stack.endswith("prod")
    network = {"aws": "aws:ec2/vpc:Vpc", "azure": "azure-native:network:VirtualNetwork", "gcp": "gcp:compute/network:Network"}
    key = {"aws": "aws:kms/key:Key", "azure": "azure-native:keyvault:Key", "gcp": "gcp:kms/cryptoKey:CryptoKey"}
    cloud = plan.cloud
    assert (network[cloud] in types) == prod
    assert (key[cloud] in types) == prod


def test_gcp_required_apis_are_enabled():
    plan = reference_plan("gcp-dev")
    services = {r.inputs["service"] for r in plan.by_type("gcp:projects/service:Service")}
    assert {"aiplatform.googleapis.com", "storage.googleapis.com", "cloudkms.googleapis.com"} <= services


def test_buckets_block_public_access_and_encrypt():
    plan = reference_plan("aws-prod")
    buckets = plan.by_type("aws:s3/bucket:Bucket")
    blocks = plan.by_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    encryption = plan.by_type("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert len(blocks) == len(encryption) == len(buckets)
    assert all(all(b.inputs[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")) for b in blocks)
    key = plan.by_type("aws:kms/key:Key")[0]
    for config in encryption:
        default = config.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
        if "access-logs" in config.name:  # S3 server access log targets support SSE-S3 only
            assert default["sseAlgorithm"] == "AES256"
            continue
        assert default["sseAlgorithm"] == "aws:kms" and default["kmsMasterKeyId"].startswith("arn:aws:kms")
    assert key.inputs["enableKeyRotation"] is True


def test_rendering_keeps_logical_names_stable_across_clouds():
    """The same spec gives the same platform and capability component names on every cloud."""
    names = {
        cloud: sorted(r.name for r in reference_plan("aws-prod", cloud).resources if r.type.startswith("mlplat:"))
        for cloud in CLOUDS
    }
    assert names["aws"] == names["azure"] == names["gcp"]


runner = CliRunner()


def test_plan_command_json_shape():
    result = runner.invoke(app, ["plan", "--stack", "aws-dev", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {"stack", "cloud", "environment", "resources"} <= set(document)
    assert (document["stack"], document["cloud"], document["environment"]) == ("aws-dev", "aws", "dev")
    for resource in document["resources"]:
        assert set(resource) == {"urn", "type", "name", "parent", "capability", "inputs", "protect"}


def test_plan_command_table_groups_by_capability_and_states_gaps():
    result = runner.invoke(app, ["plan", "--stack", "azure-dev"])
    assert result.exit_code == 0, result.output
    assert "\nbase (" in result.stdout
    assert "cannot scale to zero" in result.stdout


def test_plan_with_other_cloud_renders_there():
    result = runner.invoke(app, ["plan", "--stack", "gcp-prod", "--cloud", "aws", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cloud"] == "aws"


def test_plan_of_a_missing_stack_is_a_clear_usage_error():
    result = runner.invoke(app, ["plan", "--stack", "nope"])
    assert result.exit_code == 2
    assert "Pulumi.nope.yaml: no such stack file" in result.stderr
    assert "Traceback" not in result.output


def test_validate_command(tmp_path):
    good = runner.invoke(app, ["validate", "--stack", "aws-prod"])
    assert good.exit_code == 0 and "valid" in good.stdout
    bad_file = tmp_path / "spec.yaml"
    bad_file.write_text("name: demo\nenvironment: prod\ncloud: aws\nregion: us-east-1\nfinops: {}\n")
    bad = runner.invoke(app, ["validate", str(bad_file)])
    assert bad.exit_code == 1
    assert f"{bad_file}: finops.cost_center: Field required" in bad.stderr


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_plan_shows_the_stack_outputs_a_user_needs(stack):
    outputs = reference_plan(stack).outputs
    assert set(outputs) >= {"base", "training", "feature_store", "registry", "endpoints", "vector_search", "budget"}
    assert outputs["training"]["training"]["submit_to"]
    assert outputs["endpoints"]["fraud-scorer"]
    document = json.loads(json.dumps(reference_plan(stack).to_dict()))
    assert document["outputs"] == outputs


def test_plan_table_lists_outputs():
    result = runner.invoke(app, ["plan", "--stack", "gcp-dev"])
    assert result.exit_code == 0, result.output
    assert "Stack outputs" in result.stdout and "node_pool" in result.stdout


def test_azure_feature_set_upload_step_is_stated_as_a_gap():
    prod = [g for g in reference_plan("azure-prod").gaps if g["capability"] == "feature_store"]
    assert len(prod) == 1 and "from inside the VNet" in prod[0]["gap"]
    assert [g for g in reference_plan("aws-prod").gaps if g["capability"] == "feature_store"] == []


def test_program_warnings_are_shown_not_swallowed(tmp_path):
    """What `pulumi up` would warn about (here: a budget that notifies nobody) is in the plan."""
    from tests.support.plans import plan_of_stack, write_stack

    def silent_budget(platform):
        platform["budget"]["notify"] = []

    plan = plan_of_stack(tmp_path, "aws-dev", silent_budget)
    assert any("budget.notify is empty" in w for w in plan.warnings), plan.warnings
    assert plan.to_dict()["warnings"] == plan.warnings
    assert reference_plan("gcp-prod").warnings == []
    write_stack(tmp_path, "aws-dev", silent_budget)
    result = runner.invoke(app, ["plan", "--config", str(tmp_path / "Pulumi.aws-dev.yaml")])
    assert "Warnings (`pulumi up` prints these too):" in result.stdout
