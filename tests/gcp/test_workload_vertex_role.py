"""The GCP workload service account gets a custom Vertex AI role that can register models but not approve
or deploy them, instead of roles/aiplatform.user."""

from __future__ import annotations

import pytest

from components.gcp.registry import APPROVER_PERMISSIONS, WORKLOAD_PERMISSIONS
from tests.support.plans import one_resource, reference_plan


def test_the_workload_role_has_no_approval_or_deploy_permission():
    assert not set(WORKLOAD_PERMISSIONS) & set(APPROVER_PERMISSIONS)
    assert "aiplatform.models.upload" in WORKLOAD_PERMISSIONS
    assert "aiplatform.models.update" in APPROVER_PERMISSIONS  # what adds / moves version aliases
    assert all(p.startswith("aiplatform.") and p.count(".") == 2 for p in WORKLOAD_PERMISSIONS)


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_the_workload_account_gets_the_custom_role_not_aiplatform_user(stack):
    plan = reference_plan(stack)
    role = one_resource(plan, "gcp:projects/iAMCustomRole:IAMCustomRole", "registry")
    assert sorted(role.inputs["permissions"]) == sorted(WORKLOAD_PERMISSIONS)
    assert role.inputs["roleId"].replace("_", "").isalnum()
    members = [r for r in plan.resources if r.type == "gcp:projects/iAMMember:IAMMember"]
    assert not [m for m in members if m.inputs["role"] == "roles/aiplatform.user"]
    (binding,) = [m for m in members if m.name.endswith("registry-workloads-vertex")]
    assert binding.inputs["member"].startswith("serviceAccount:") and "workloads@" in binding.inputs["member"]
    assert binding.inputs["role"] != "roles/aiplatform.user"
    assert role.urn in binding.dependencies or binding.parent == role.urn
