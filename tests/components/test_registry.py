"""Model registry on every cloud: offline plans of the reference stacks (each also rendered on the other
two clouds): a registry with an image repository, immutable/scanned/encrypted as the spec asks, protected
in prod, least privilege for training jobs, and the approval mapping."""

from __future__ import annotations

import json

import pytest

from components.aws.registry import approval_status
from tests.support.plans import REFERENCE_STACKS, RENDERINGS, reference_plan, resources_of, spec_of

REGISTRY = {
    "aws": "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    "azure": None,  # the platform workspace's model registry (see docs/feature-store-and-registry.md)
    "gcp": None,  # the Vertex AI Model Registry is built into every project and region
}
IMAGES = {
    "aws": "aws:ecr/repository:Repository",
    "azure": "azure-native:containerregistry:Registry",
    "gcp": "gcp:artifactregistry/repository:Repository",
}


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_registry_with_an_image_repository(stack, cloud):
    plan = reference_plan(stack, cloud)
    assert "registry" not in {g["capability"] for g in plan.gaps}
    assert [r.type for r in plan.resources if r.type == f"mlplat:{cloud}:ModelRegistry"] == [f"mlplat:{cloud}:ModelRegistry"]
    (images,) = resources_of(plan, IMAGES[cloud], "registry")
    if REGISTRY[cloud]:
        assert len(resources_of(plan, REGISTRY[cloud], "registry")) == 1
    if cloud == "aws":
        assert images.inputs["imageTagMutability"] == "IMMUTABLE"
        assert images.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
        assert images.inputs["forceDelete"] is False
        (lifecycle,) = resources_of(plan, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "registry")
        rules = json.loads(lifecycle.inputs["policy"])["rules"]
        assert [r["selection"]["tagStatus"] for r in rules] == ["untagged"]
    elif cloud == "gcp":
        assert images.inputs["format"] == "DOCKER"
        assert images.inputs["dockerConfig"] == {"immutableTags": True}
        policies = images.inputs["cleanupPolicies"]
        assert [p["condition"]["tagState"] for p in policies] == ["UNTAGGED"] and policies[0]["action"] == "DELETE"
        assert images.inputs["cleanupPolicyDryRun"] is False
    else:
        assert images.inputs["adminUserEnabled"] is False and images.inputs["anonymousPullEnabled"] is False
        private = spec_of(stack, cloud).network.private
        assert images.inputs["publicNetworkAccess"] == ("Disabled" if private else "Enabled")
        endpoints = [e for e in plan.by_type("azure-native:network:PrivateEndpoint") if e.capability == "registry"]
        assert len(endpoints) == (1 if private else 0)


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_image_repository_encrypts_with_the_platform_key_when_asked(stack, cloud):
    plan = reference_plan(stack, cloud)
    cmk = spec_of(stack, cloud).encryption.customer_managed_keys
    assert cmk == stack.endswith("prod")
    (images,) = resources_of(plan, IMAGES[cloud], "registry")
    if cloud == "aws":
        (encryption,) = images.inputs["encryptionConfigurations"]
        if cmk:
            (key,) = resources_of(plan, "aws:kms/key:Key", "base")
            assert encryption["encryptionType"] == "KMS" and key.name in encryption["kmsKey"]
        else:
            assert encryption == {"encryptionType": "AES256"}
    elif cloud == "gcp":
        if cmk:
            (key,) = plan.by_type("gcp:kms/cryptoKey:CryptoKey")
            assert images.inputs["kmsKeyName"].endswith(f"/cryptokeys/{key.inputs['name']}")
            grants = [g for g in plan.by_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember") if g.name.endswith("key-artifactregistry")]
            agents = [a for a in plan.by_type("gcp:projects/serviceIdentity:ServiceIdentity")
                      if a.inputs["service"] == "artifactregistry.googleapis.com"]
            assert len(agents) == 1
            assert len(grants) == 1 and grants[0].inputs["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
            assert grants[0].urn in images.dependencies  # the repository waits for the agent's key access
        else:
            assert "kmsKeyName" not in images.inputs
    else:
        encryption = images.inputs.get("encryption")
        if cmk:
            assert encryption["status"] == "enabled" and "/keys/" in encryption["keyVaultProperties"]["keyIdentifier"]
            assert images.inputs["sku"] == {"name": "Premium"}
            assert images.inputs["identity"]["type"] == "UserAssigned"
        else:
            assert encryption is None


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_registries_and_repositories_are_protected_exactly_in_prod(stack, cloud):
    plan = reference_plan(stack, cloud)
    stateful = resources_of(plan, IMAGES[cloud], "registry")
    if REGISTRY[cloud]:
        stateful += resources_of(plan, REGISTRY[cloud], "registry")
    assert stateful
    prod = stack.endswith("prod")
    assert all(r.protect == prod for r in stateful), [(r.name, r.protect) for r in stateful]
    if cloud == "gcp":
        assert (stateful[0].inputs.get("deletionPolicy") == "PREVENT") == prod


@pytest.mark.parametrize("stack", [s for s in REFERENCE_STACKS if s.startswith("aws")])
def test_aws_approval_required_maps_to_pending_manual_approval(stack):
    plan = reference_plan(stack)
    approval = spec_of(stack, "aws").registry.approval_required
    assert approval == stack.endswith("prod")  # prod asks for it explicitly, dev defaults to no approval
    (group,) = resources_of(plan, REGISTRY["aws"], "registry")
    expected = "PendingManualApproval" if approval else "Approved"
    assert group.inputs["modelPackageGroupDescription"].endswith(f"ModelApprovalStatus={expected}")


def test_approval_status_mapping():
    assert approval_status(True) == "PendingManualApproval"
    assert approval_status(False) == "Approved"


def test_aws_training_role_registers_but_cannot_approve():
    plan = reference_plan("aws-prod")
    (policy,) = [p for p in resources_of(plan, "aws:iam/rolePolicy:RolePolicy", "registry")]
    document = json.loads(policy.inputs["policy"])
    actions = [a for s in document["Statement"] for a in s["Action"]]
    assert "sagemaker:CreateModelPackage" in actions and "ecr:BatchGetImage" in actions
    assert "sagemaker:UpdateModelPackage" not in actions, "approving is not the training job's business"
    assert all("*" not in a for a in actions)
    assert all("*" != r for s in document["Statement"] for r in s["Resource"])
    # CreateModelPackage accepts ModelApprovalStatus=Approved: approval required -> only pending registrations
    (deny,) = [s for s in document["Statement"] if s["Effect"] == "Deny"]
    assert deny["Action"] == ["sagemaker:CreateModelPackage"]
    assert deny["Condition"] == {"StringNotEqualsIfExists": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}}
    assert deny["Resource"] == [r for s in document["Statement"] if "sagemaker:CreateModelPackage" in s["Action"]
                                and s["Effect"] == "Allow" for r in s["Resource"] if "model-package/" in r]
