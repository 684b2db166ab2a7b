"""The GKE Standard training cluster states its cluster autoscaling (node auto-provisioning off, the
utilisation profile) instead of leaving it to the provider's default."""

from __future__ import annotations

import pytest

from tests.support.plans import one_resource, reference_plan


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_gke_standard_cluster_autoscaling_states_enabled(stack):
    cluster = one_resource(reference_plan(stack), "gcp:container/cluster:Cluster").inputs
    assert cluster["clusterAutoscaling"] == {"enabled": False, "autoscalingProfile": "OPTIMIZE_UTILIZATION"}
