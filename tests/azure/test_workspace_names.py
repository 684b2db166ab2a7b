"""Azure ML workspace names fit Azure's pattern for the longest platform names the spec allows, while
short names and every logical name stay as they are."""

from __future__ import annotations

import re

from tests.support.plans import plan_of_spec, platform_document, reference_plan


WORKSPACE = "azure-native:machinelearningservices:Workspace"


WORKSPACE_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$")


def test_long_platform_names_give_valid_workspace_names_and_unchanged_urns(tmp_path):
    raw = platform_document("azure-dev")
    raw["name"] = "fraud-detection-platform"  # 24 characters, the longest the spec allows
    raw["environment"] = "staging"
    plan = plan_of_spec(tmp_path, raw, "azure")
    workspaces = {r.name: r.inputs["workspaceName"] for r in plan.by_type(WORKSPACE)}
    assert set(workspaces) == {"fraud-detection-platform-staging-mlw", "fraud-detection-platform-staging-feature-store"}
    for physical in workspaces.values():
        assert WORKSPACE_NAME.match(physical), physical
    assert len(set(workspaces.values())) == 2


def test_short_platform_names_keep_their_workspace_names():
    plan = reference_plan("azure-prod")
    assert {r.inputs["workspaceName"] for r in plan.by_type(WORKSPACE)} == {"fraud-ml-prod-mlw", "fraud-ml-prod-fs"}
