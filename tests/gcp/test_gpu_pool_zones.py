"""The GKE GPU node pool is pinned to the zones of its region that offer the accelerator; a region
without the accelerator, or without zone data, is stated as a gap rather than guessed."""

from __future__ import annotations

import pytest

from components.gcp.training import GPU_ZONES, gpu_zones
from tests.support.plans import one_resource, reference_plan


NODE_POOL = "gcp:container/nodePool:NodePool"


@pytest.mark.parametrize("stack,accelerator", [("gcp-dev", "nvidia-tesla-t4"), ("gcp-prod", "nvidia-tesla-a100")])
def test_the_gpu_pool_is_pinned_to_the_zones_that_have_the_accelerator(stack, accelerator):
    plan = reference_plan(stack)
    pool = one_resource(plan, NODE_POOL, name_part="gpu-pool").inputs
    assert pool["nodeConfig"]["guestAccelerators"][0]["type"] == accelerator
    assert pool["nodeLocations"] == list(GPU_ZONES["us-central1"][accelerator])
    assert all(zone.startswith("us-central1-") for zone in pool["nodeLocations"])
    outputs = plan.outputs["training"]["training"]["extras"]
    assert outputs["gpu_zones"] == pool["nodeLocations"] and outputs["gpu_zones_gap"] is None


def test_a100_80gb_is_only_in_two_zones_of_us_central1():
    zones, gap = gpu_zones("us-central1", "nvidia-a100-80gb", "a100-80gb")
    assert zones == ["us-central1-a", "us-central1-c"] and gap is None


def test_a_region_without_the_accelerator_or_without_data_is_stated_not_guessed(monkeypatch):
    zones, gap = gpu_zones("us-east4", "nvidia-tesla-a100", "a100")
    assert zones is None
    assert gap.startswith("training.gpu: a100 (nvidia-tesla-a100) is not offered in any zone of us-east4")
    assert "us-central1" in gap
    monkeypatch.setitem(GPU_ZONES, "europe-west4", {})  # as for a region opened after the catalogue was read
    zones, gap = gpu_zones("europe-west4", "nvidia-tesla-t4", "t4")
    assert zones is None
    assert gap.startswith("training.gpu: the zones of europe-west4 offering t4 (nvidia-tesla-t4) are not in")
    assert "gcloud compute accelerator-types list" in gap


def test_a_rendering_pins_the_pool_to_the_zones_the_data_knows():
    # us-east-1 -> us-east1: the equivalence skips us-east4, known to lack the A100 40GB; us-east1 offers it
    # in us-east1-b alone (the A2 machine-type listing).
    plan = reference_plan("aws-prod", "gcp")
    assert plan.spec["region"] == "us-east1"
    pool = one_resource(plan, NODE_POOL, name_part="gpu-pool").inputs
    assert pool["nodeLocations"] == ["us-east1-b"]
    assert plan.outputs["training"]["training"]["extras"]["gpu_zones_gap"] is None


def test_t4_and_l4_pools_are_pinned_outside_the_curated_regions_too():
    # The T4 and L4 accelerator listing covers every region: europe-west2 has T4 and L4 in two zones each.
    assert gpu_zones("europe-west2", "nvidia-tesla-t4", "t4") == (["europe-west2-a", "europe-west2-b"], None)
    assert gpu_zones("europe-west2", "nvidia-l4", "l4") == (["europe-west2-a", "europe-west2-b"], None)
    zones, gap = gpu_zones("us-south1", "nvidia-tesla-t4", "t4")
    assert zones is None and gap.startswith("training.gpu: t4 (nvidia-tesla-t4) is not offered in any zone of us-south1")
