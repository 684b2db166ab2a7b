"""AWS cost allocation tags are account-global: the stack leaves them alone unless asked, outputs the
command that activates them, and keeps them active when it is destroyed."""

from __future__ import annotations

from tests.support.plans import plan_of_stack, reference_plan, resources_of


COST_TAG = "aws:costexplorer/costAllocationTag:CostAllocationTag"


def test_cost_allocation_tags_are_not_activated_by_default_but_the_command_is_output():
    plan = reference_plan("aws-prod")
    assert resources_of(plan, COST_TAG) == []
    budget = plan.outputs["budget"]["budget"]["extras"]
    assert budget["cost_allocation_tags_activated_by_stack"] is False
    assert budget["cost_allocation_tags_command"].startswith("aws ce update-cost-allocation-tags-status")
    for key in budget["cost_allocation_tags"]:
        assert f"TagKey={key},Status=Active" in budget["cost_allocation_tags_command"]


def test_opt_in_activation_is_retained_on_delete(tmp_path, registrations):
    plan = plan_of_stack(tmp_path, "aws-prod", config={"mlplat:activateCostAllocationTags": True})
    tags = resources_of(plan, COST_TAG)
    assert {t.inputs["tagKey"] for t in tags} >= {"use-case", "cost-center", "platform", "environment"}
    for tag in tags:
        assert tag.inputs["status"] == "Active"
        assert registrations[tag.name].retainOnDelete is True
    assert plan.outputs["budget"]["budget"]["extras"]["cost_allocation_tags_activated_by_stack"] is True
