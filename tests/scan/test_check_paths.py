"""For a sample of resource types, the attribute a checkov check reads is present in the translation at the path
that check inspects (the path is read from the check's source in the installed checkov), so a translation slip
(a wrong attribute name, an object not turned into a block, a property not re-nested) cannot make the check pass
by omission."""

from __future__ import annotations

import pytest

from mlplat.scan.arm import arm_resource
from mlplat.scan.terraform import translated_resources
from tests.support.plans import reference_plan
from tests.support.scan import check_source

# (check id, stack, Terraform or ARM type, path as the check's source spells it)
SAMPLE = [
    ("CKV_AWS_79", "aws-prod", "aws_launch_template", "metadata_options/[0]/http_tokens"),
    ("CKV_AWS_163", "aws-prod", "aws_ecr_repository", "image_scanning_configuration/[0]/scan_on_push"),
    ("CKV_AWS_136", "aws-prod", "aws_ecr_repository", "encryption_configuration/[0]/encryption_type"),
    ("CKV_AWS_7", "aws-prod", "aws_kms_key", "enable_key_rotation"),
    ("CKV_AWS_98", "aws-prod", "aws_sagemaker_endpoint_configuration", "kms_key_arn"),
    ("CKV_AWS_53", "aws-prod", "aws_s3_bucket_public_access_block", "block_public_acls"),
    ("CKV_AWS_338", "aws-prod", "aws_cloudwatch_log_group", "retention_in_days"),
    ("CKV_AWS_290", "aws-prod", "aws_iam_role_policy", "policy"),
    ("CKV_GCP_29", "gcp-prod", "google_storage_bucket", "uniform_bucket_level_access"),
    ("CKV_GCP_114", "gcp-prod", "google_storage_bucket", "public_access_prevention"),
    ("CKV_GCP_43", "gcp-prod", "google_kms_crypto_key", "rotation_period"),
    ("CKV_GCP_69", "gcp-prod", "google_container_node_pool", "node_config/[0]/workload_metadata_config"),
    ("CKV_AZURE_59", "azure-prod", "Microsoft.Storage/storageAccounts", "properties/publicNetworkAccess"),
    ("CKV_AZURE_35", "azure-prod", "Microsoft.Storage/storageAccounts", "properties/networkAcls/defaultAction"),
    ("CKV_AZURE_110", "azure-prod", "Microsoft.KeyVault/vaults", "properties/enablePurgeProtection"),
    ("CKV_AZURE_137", "azure-prod", "Microsoft.ContainerRegistry/registries", "properties/adminUserEnabled"),
    ("CKV_AZURE_233", "azure-prod", "Microsoft.ContainerRegistry/registries", "properties/zoneRedundancy"),
    ("CKV_AZURE_89", "azure-prod", "Microsoft.Cache/redis", "properties/publicNetworkAccess"),
    ("CKV_AZURE_112", "azure-prod", "Microsoft.KeyVault/vaults/keys", "properties/kty"),
]


def translated(stack: str, kind: str) -> list[dict]:
    plan = reference_plan(stack)
    if plan.cloud == "azure":
        return [b for b in (arm_resource(r) for r in plan.custom_resources()) if b and b["type"] == kind]
    return [body for tf_type, _, body, _ in translated_resources(plan) if tf_type == kind]


def lookup(body, path: str):
    """The value at a checkov path; `[0]` is the first of a block list (an object is its own first block)."""
    value = body
    for part in path.split("/"):
        if part == "[0]":
            value = value[0] if isinstance(value, list) else value
            continue
        if not isinstance(value, dict) or part not in value:
            raise KeyError(path)
        value = value[part]
    return value


@pytest.mark.parametrize("check, stack, kind, path", SAMPLE, ids=[s[0] for s in SAMPLE])
def test_the_translation_has_the_attribute_at_the_path_the_check_reads(check, stack, kind, path):
    bodies = translated(stack, kind)
    assert bodies, f"{stack}: no {kind} in the translation"
    for body in bodies:
        assert lookup(body, path) is not None, f"{check}: {kind} has no {path}"


@pytest.mark.parametrize("check, stack, kind, path", SAMPLE, ids=[s[0] for s in SAMPLE])
def test_the_check_source_reads_that_path(check, stack, kind, path):
    source = check_source(check, "arm" if kind.startswith("Microsoft.") else "terraform")
    assert kind in source, f"{check} does not apply to {kind}"
    for part in (p for p in path.split("/") if p != "[0]"):
        assert f'"{part}"' in source or f"'{part}'" in source or f"/{part}" in source or f"{part}/" in source, (
            f"{check}'s source does not read {part!r}: the sample's path is wrong")
