"""Typed capability outputs: every cloud's component of a capability exports the same top-level keys
(those of the capability's outputs class, `extras` last), in every reference plan, and the output
reference in docs/outputs.md is the one the classes document."""

from __future__ import annotations

import pytest

from components.capabilities import BASE, CAPABILITIES
from components.outputs import output_keys, reference_markdown
from tests.support.plans import CLOUDS, REFERENCE_STACKS, ROOT, reference_plan

CONTRACTS = [BASE, *CAPABILITIES]


@pytest.mark.parametrize("capability", CONTRACTS, ids=lambda c: c.key)
def test_every_capability_declares_typed_outputs(capability):
    assert capability.contract.OUTPUTS is not None, f"{capability.key}: its contract names no OUTPUTS class"
    assert output_keys(capability.contract.OUTPUTS)[-1] == "extras"


def _exported(stack: str, cloud: str) -> dict[str, list[dict]]:
    """capability key -> the outputs of every component of it in one plan."""
    outputs = reference_plan(stack, cloud).outputs
    found = {"base": [outputs["base"]]}
    for capability in CAPABILITIES:
        found[capability.key] = list((outputs.get(capability.key) or {}).values())
    return found


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_each_capability_exports_the_same_keys_on_every_cloud(stack):
    for cloud in CLOUDS:
        for key, items in _exported(stack, cloud).items():
            expected = output_keys(next(c for c in CONTRACTS if c.key == key).contract.OUTPUTS)
            for item in items:
                assert list(item) == expected, f"{stack} on {cloud}: {key} exports {list(item)}"
                assert isinstance(item["extras"], dict)


# Built by edited reference stacks (below), not by the reference stacks themselves.
LOOP = {"retraining", "batch_inference", "promotion"}


def test_the_reference_plans_exercise_every_capability_on_every_cloud():
    built = {(cloud, key) for stack in REFERENCE_STACKS for cloud in CLOUDS
             for key, items in _exported(stack, cloud).items() if items}
    assert built == {(cloud, c.key) for cloud in CLOUDS for c in CONTRACTS if c.key not in LOOP}


def _loop_edit(platform):
    platform.update(
        environment="staging",
        retraining=[{"name": "nightly", "use_case": "fraud-scoring", "schedule": "0 2 * * *",
                     "endpoint": "fraud-scorer", "image": "example.com/fraud/train:1"}],
        batch_inference=[{"name": "daily-scores", "endpoint": "fraud-scorer", "input": "data/scoring/in/",
                          "output": "artifacts/scoring/out/", "schedule": "30 3 * * *"}],
    )


@pytest.mark.parametrize("cloud", CLOUDS)
def test_the_loop_capabilities_export_their_typed_keys(tmp_path, cloud):
    from tests.support.plans import plan_of_stack

    plan = plan_of_stack(tmp_path, f"{cloud}-prod", edit=_loop_edit)
    exported = {key: list((plan.outputs.get(key) or {}).values()) for key in LOOP}
    assert exported["retraining"], f"{cloud}: no retraining built"
    for key, items in exported.items():
        expected = output_keys(next(c for c in CONTRACTS if c.key == key).contract.OUTPUTS)
        for item in items:
            assert list(item) == expected, f"{cloud}: {key} exports {list(item)}"


def test_common_keys_mean_the_same_on_every_cloud():
    """Spot checks of meaning, not only of names: the same spec gives the same common values."""
    plans = {cloud: reference_plan("aws-prod", cloud).outputs for cloud in CLOUDS}
    training = {cloud: plans[cloud]["training"]["training"] for cloud in CLOUDS}
    assert len({(t["gpus_per_node"], t["max_nodes"], t["spot"]) for t in training.values()}) == 1
    assert all(t["submit_to"] and t["checkpoint_uri"] for t in training.values())
    endpoints = {cloud: plans[cloud]["endpoints"]["fraud-scorer"] for cloud in CLOUDS}
    assert len({tuple(sorted(e["traffic"].items())) for e in endpoints.values()}) == 1
    assert all(e["invoke_auth"] for e in endpoints.values())
    groups = {cloud: set(plans[cloud]["feature_store"]["features"]["feature_groups"]) for cloud in CLOUDS}
    assert len({frozenset(g) for g in groups.values()}) == 1 and groups["aws"]
    assert len({plans[cloud]["budget"]["budget"]["monthly_usd"] for cloud in CLOUDS}) == 1


def test_docs_carry_the_output_reference_of_the_classes():
    text = (ROOT / "docs" / "outputs.md").read_text()
    assert reference_markdown(CONTRACTS) in text, "docs/outputs.md: regenerate the reference tables"
