"""GCP review fixes shown in the offline plans and the spec: GPU node pool zones, GKE Standard
autoscaling, the vector index's deletion policy, the workload account's Vertex AI role (no approval),
and column names the clouds refuse."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from components.gcp.registry import APPROVER_PERMISSIONS, WORKLOAD_PERMISSIONS
from components.gcp.training import GPU_ZONES, gpu_zones
from components.spec import SpecError, load_spec_file
from tests.support.plans import STACKS_DIR, reference_plan

NODE_POOL = "gcp:container/nodePool:NodePool"


def _one(plan, type_token, name_part=""):
    found = [r for r in plan.resources if r.type == type_token and name_part in r.name]
    assert len(found) == 1, f"{plan.stack}: expected one {type_token} *{name_part}*, got {[r.name for r in found]}"
    return found[0]


# -- training: zones and autoscaling ----------------------------------------------------------------------
@pytest.mark.parametrize("stack,accelerator", [("gcp-dev", "nvidia-tesla-t4"), ("gcp-prod", "nvidia-tesla-a100")])
def test_the_gpu_pool_is_pinned_to_the_zones_that_have_the_accelerator(stack, accelerator):
    plan = reference_plan(stack)
    pool = _one(plan, NODE_POOL, "gpu-pool").inputs
    assert pool["nodeConfig"]["guestAccelerators"][0]["type"] == accelerator
    assert pool["nodeLocations"] == list(GPU_ZONES["us-central1"][accelerator])
    assert all(zone.startswith("us-central1-") for zone in pool["nodeLocations"])
    outputs = plan.outputs["training"]["training"]
    assert outputs["gpu_zones"] == pool["nodeLocations"] and outputs["gpu_zones_gap"] is None


def test_a100_80gb_is_only_in_two_zones_of_us_central1():
    zones, gap = gpu_zones("us-central1", "nvidia-a100-80gb", "a100-80gb")
    assert zones == ["us-central1-a", "us-central1-c"] and gap is None


def test_a_region_without_the_accelerator_or_without_data_is_stated_not_guessed():
    zones, gap = gpu_zones("us-east4", "nvidia-tesla-a100", "a100")
    assert zones is None
    assert gap.startswith("training.gpu: a100 (nvidia-tesla-a100) is not offered in any zone of us-east4")
    assert "us-central1" in gap
    zones, gap = gpu_zones("europe-west4", "nvidia-tesla-t4", "t4")
    assert zones is None
    assert gap.startswith("training.gpu: the zones of europe-west4 offering t4 (nvidia-tesla-t4) are not in")
    assert "gcloud compute accelerator-types list" in gap


def test_a_rendering_without_zone_data_keeps_the_regional_pool_and_says_so():
    # us-east-1 -> us-east1: the equivalence skips us-east4, known to lack the A100 40GB; us-east1 has no zone data.
    plan = reference_plan("aws-prod", "gcp")
    assert plan.spec["region"] == "us-east1"
    pool = _one(plan, NODE_POOL, "gpu-pool").inputs
    assert "nodeLocations" not in pool
    assert "the zones of us-east1 offering a100" in plan.outputs["training"]["training"]["gpu_zones_gap"]


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_gke_standard_cluster_autoscaling_states_enabled(stack):
    cluster = _one(reference_plan(stack), "gcp:container/cluster:Cluster").inputs
    assert cluster["clusterAutoscaling"] == {"enabled": False, "autoscalingProfile": "OPTIMIZE_UTILIZATION"}


# -- vector search ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stack,policy", [("gcp-prod", "PREVENT"), ("gcp-dev", None)])
def test_the_vector_index_cannot_be_deleted_in_prod(stack, policy):
    index = _one(reference_plan(stack), "gcp:vertex/aiIndex:AiIndex")
    assert index.inputs.get("deletionPolicy") == policy
    assert index.protect is (policy is not None)


# -- registry: the workload account cannot approve ---------------------------------------------------------
def test_the_workload_role_has_no_approval_or_deploy_permission():
    assert not set(WORKLOAD_PERMISSIONS) & set(APPROVER_PERMISSIONS)
    assert "aiplatform.models.upload" in WORKLOAD_PERMISSIONS
    assert "aiplatform.models.update" in APPROVER_PERMISSIONS  # what adds / moves version aliases
    assert all(p.startswith("aiplatform.") and p.count(".") == 2 for p in WORKLOAD_PERMISSIONS)


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_the_workload_account_gets_the_custom_role_not_aiplatform_user(stack):
    plan = reference_plan(stack)
    role = _one(plan, "gcp:projects/iAMCustomRole:IAMCustomRole")
    assert sorted(role.inputs["permissions"]) == sorted(WORKLOAD_PERMISSIONS)
    assert role.inputs["roleId"].replace("_", "").isalnum()
    members = [r for r in plan.resources if r.type == "gcp:projects/iAMMember:IAMMember"]
    assert not [m for m in members if m.inputs["role"] == "roles/aiplatform.user"]
    (binding,) = [m for m in members if m.name.endswith("registry-workloads-vertex")]
    assert binding.inputs["member"].startswith("serviceAccount:") and "workloads@" in binding.inputs["member"]
    assert binding.inputs["role"] != "roles/aiplatform.user"
    assert role.urn in binding.dependencies or binding.parent == role.urn


# -- feature store: column names the clouds refuse --------------------------------------------------------
def _spec_file(tmp_path: Path, cloud: str, entity: str = "account_id", event_time: str = "event_ts", **features) -> Path:
    raw = yaml.safe_load((STACKS_DIR / f"Pulumi.{cloud}-dev.yaml").read_text())["config"]["mlplat:platform"]
    raw["feature_store"]["feature_groups"] = [
        {
            "name": "transactions",
            "entity": entity,
            "event_time": event_time,
            "use_case": raw["use_cases"][0]["name"],
            "features": {"amount": "float", **features},
        }
    ]
    path = tmp_path / f"{cloud}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.parametrize("name", ["is_deleted", "write_time", "api_invocation_time"])
def test_sagemaker_reserved_feature_names_are_refused_on_aws(tmp_path, name):
    with pytest.raises(SpecError) as error:
        load_spec_file(_spec_file(tmp_path, "aws", **{name: "int"}), "aws")
    (line,) = error.value.lines
    assert f"feature_store.feature_groups.0.features.{name}: aws cannot use the column name" in line
    assert "SageMaker Feature Store reserves it" in line


def test_a_reserved_entity_name_is_refused_on_aws(tmp_path):
    with pytest.raises(SpecError) as error:
        load_spec_file(_spec_file(tmp_path, "aws", entity="write_time"), "aws")
    assert "feature_store.feature_groups.0.entity: aws cannot use the column name 'write_time'" in error.value.lines[0]


@pytest.mark.parametrize("where", ["feature", "entity"])
def test_feature_timestamp_collides_with_the_generated_view_column_on_gcp(tmp_path, where):
    path = _spec_file(tmp_path, "gcp", **({"feature_timestamp": "int"} if where == "feature" else {"entity": "feature_timestamp"}))
    with pytest.raises(SpecError) as error:
        load_spec_file(path, "gcp")
    field = "features.feature_timestamp" if where == "feature" else "entity"
    assert f"feature_store.feature_groups.0.{field}: gcp cannot use the column name 'feature_timestamp'" in error.value.lines[0]
    assert "generates this column from event_time" in error.value.lines[0]


def test_names_reserved_elsewhere_are_fine_where_they_are_not(tmp_path):
    # feature_timestamp as the event time is renamed by the view itself; SageMaker's names mean nothing on GCP.
    load_spec_file(_spec_file(tmp_path, "gcp", event_time="feature_timestamp", write_time="timestamp"), "gcp")
    load_spec_file(_spec_file(tmp_path, "aws", feature_timestamp="int"), "aws")


# -- endpoint deployer: the gcp provider's impersonation reaches the deployer -------------------------------
def test_the_deployer_impersonates_the_account_the_gcp_provider_impersonates(tmp_path):
    from mlplat.offline_plan import plan_stack

    document = yaml.safe_load((STACKS_DIR / "Pulumi.gcp-dev.yaml").read_text())
    document["config"]["gcp:impersonateServiceAccount"] = "deployer@fraud-ml-dev-project.iam.gserviceaccount.com"
    document["config"]["gcp:impersonateServiceAccountDelegates"] = ["hop@fraud-ml-dev-project.iam.gserviceaccount.com"]
    (tmp_path / "Pulumi.gcp-dev.yaml").write_text(yaml.safe_dump(document))
    plan = plan_stack("gcp-dev", tmp_path)
    deployment = _one(plan, "pulumi-python:dynamic:Resource", "-deployment").inputs
    assert deployment["impersonate_service_account"] == "deployer@fraud-ml-dev-project.iam.gserviceaccount.com"
    assert deployment["impersonate_delegates"] == ["hop@fraud-ml-dev-project.iam.gserviceaccount.com"]
    # Without the setting the deployer uses Application Default Credentials as they are.
    plain = _one(reference_plan("gcp-dev"), "pulumi-python:dynamic:Resource", "-deployment").inputs
    assert "impersonate_service_account" not in plain
