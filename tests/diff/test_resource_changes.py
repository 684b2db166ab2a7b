"""Matching two plans by URN: the changed input paths and the create/update/replace/delete verdicts."""

from __future__ import annotations

import copy

import pytest

from components.catalog import resources as catalogue
from mlplat.diff.changes import diff_resources, input_paths
from tests.support.plans import reference_plan


def test_input_paths_name_the_leaves_that_differ():
    before = {"a": 1, "b": {"c": [1, 2], "d": "x"}, "gone": 1}
    after = {"a": 1, "b": {"c": [1, 3], "d": "x"}, "new": 2}
    assert input_paths(before, after) == ["b.c[1]", "gone", "new"]
    assert input_paths({"l": [1]}, {"l": [1, 2]}) == ["l"]
    assert input_paths({"a": {"b": 1}}, {"a": {"b": 1}}) == []


def test_a_plan_against_itself_has_no_changes():
    plan = reference_plan("aws-prod")
    assert diff_resources(plan, plan) == []


def test_deletes_and_tag_updates_and_name_replacements():
    base = reference_plan("gcp-prod")
    head = copy.deepcopy(base)
    bucket = next(r for r in head.resources if r.type == "gcp:storage/bucket:Bucket" and r.protect)
    bucket.inputs["labels"] = {**bucket.inputs.get("labels", {}), "team": "other"}
    table = next(r for r in head.resources if r.type == "gcp:bigquery/table:Table")
    table.inputs["tableId"] = "renamed"
    dropped = next(r for r in head.resources if r.type == "gcp:container/nodePool:NodePool")
    head.resources.remove(dropped)
    changes = {c.urn: c for c in diff_resources(base, head)}
    assert changes[bucket.urn].action == "update" and changes[bucket.urn].changed == ["labels.team"]
    assert not changes[bucket.urn].data_loss
    assert changes[table.urn].action == "replace" and changes[table.urn].data_loss
    assert changes[dropped.urn].action == "delete" and not changes[dropped.urn].data_loss
    ordered = list(changes.values())
    assert ordered[0].data_loss  # risks first


def test_updates_of_uncatalogued_types_are_approximate():
    base = reference_plan("aws-dev")
    head = copy.deepcopy(base)
    alarm = next(r for r in head.resources if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm")
    alarm.inputs["threshold"] = 12345
    (change,) = diff_resources(base, head)
    assert change.action == "update" and change.approximate


def test_a_renamed_resource_with_an_alias_is_the_same_resource():
    base = reference_plan("aws-dev")
    head = copy.deepcopy(base)
    queue = next(r for r in head.resources if r.type == "aws:batch/jobQueue:JobQueue")
    old_urn = queue.urn
    queue.urn = old_urn.rsplit("::", 1)[0] + "::renamed-queue"
    queue.options = {**queue.options, "aliases": [{"spec": {"name": old_urn.rsplit("::", 1)[1], "parentUrn": ""}}]}
    assert diff_resources(base, head) == []
    queue.options = {}
    assert {c.action for c in diff_resources(base, head)} == {"create", "delete"}


def test_every_type_the_catalogue_marks_stateful_is_a_data_loss_risk_when_deleted():
    stateful = [row for row in catalogue.all_rows() if row.stateful]
    assert {"azure-native:cognitiveservices:Account", "aws:dynamodb/table:Table",
            "gcp:vertex/aiRagCorpus:AiRagCorpus"} <= {row.token for row in stateful}
    base = reference_plan("aws-dev")
    template = next(r for r in base.resources if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm")
    for row in stateful:
        resource = copy.deepcopy(template)
        resource.type, resource.urn = row.token, template.urn.replace(template.type, row.token)
        with_it = copy.deepcopy(base)
        with_it.resources.append(resource)
        (change,) = diff_resources(with_it, base)
        assert (change.action, change.data_loss) == ("delete", True), row.token


@pytest.mark.parametrize("edit", ["delete", "replace"])
def test_replacing_or_deleting_an_azure_openai_account_loses_data(edit):
    base = reference_plan("azure-prod")
    head = copy.deepcopy(base)
    account = next(r for r in head.resources if r.type == "azure-native:cognitiveservices:Account")
    if edit == "delete":
        head.resources.remove(account)
    else:
        account.inputs["accountName"] = account.inputs["accountName"] + "2"  # part of the ARM id
    change = next(c for c in diff_resources(base, head) if c.urn == account.urn)
    assert change.stateful and change.data_loss and change.to_dict()["dataLossRisk"]

