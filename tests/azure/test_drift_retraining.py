"""Azure drift-triggered retraining: an Event Grid subscription on the workspace's system topic, filtered to the
endpoint monitor's threshold breaches, calls a Logic App that creates the retraining's command job on the
training cluster, with a role allowing job creation in the workspace only."""

from __future__ import annotations

import pytest

from components.azure.retraining import rest_shape
from components.azure.retraining_drift import (BREACH_TAG, BREACH_TEXT, RUN_STATUS_CHANGED, SUBMIT_ACTIONS, TRIGGER,
                                               _literal, workflow_definition)
from tests.support.plans import one_resource, plan_of_stack, resources_of

ON_DRIFT = {"name": "on-drift", "use_case": "fraud-scoring", "on_drift": True, "endpoint": "fraud-scorer",
            "image": "example.azurecr.io/fraud/train:1", "command": ["python", "-m", "train"]}
WORKFLOW = "azure-native:logic:Workflow"
SUBSCRIPTION = "azure-native:eventgrid:SystemTopicEventSubscription"


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return plan_of_stack(tmp_path_factory.mktemp("drift"), "azure-prod", edit=lambda p: p.update(retraining=[ON_DRIFT]))


def _submit(workflow) -> dict:
    return workflow.inputs["definition"]["actions"]["route"]["else"]["actions"]["submit"]["inputs"]


def test_the_subscription_is_bound_to_the_endpoints_drift_signals(plan):
    topic = one_resource(plan, "azure-native:eventgrid:SystemTopic", "retraining").inputs
    assert topic["topicType"] == "Microsoft.MachineLearningServices.Workspaces"
    grant = one_resource(plan, "azure-native:authorization:RoleAssignment", "retraining").inputs
    assert topic["source"] == grant["scope"]
    assert topic["source"].endswith("/workspaces/fraud-ml-prod-mlw")
    subscription = one_resource(plan, SUBSCRIPTION, "retraining").inputs
    assert subscription["systemTopicName"] == topic["systemTopicName"]
    assert subscription["filter"]["includedEventTypes"] == [RUN_STATUS_CHANGED]
    breach, signal = subscription["filter"]["advancedFilters"]
    assert breach == {"key": BREACH_TAG, "operatorType": "StringContains", "values": [BREACH_TEXT]}
    monitor = one_resource(plan, "azure-native:machinelearningservices:Schedule", "monitoring").inputs
    signals = monitor["properties"]["action"]["monitorDefinition"]["signals"]
    assert signal["key"] == BREACH_TAG and sorted(signal["values"]) == sorted(signals)
    assert all(name.startswith(monitor["name"]) for name in signals)
    assert plan.outputs["retraining"]["on-drift"]["drift_trigger"].endswith(subscription["eventSubscriptionName"])


def test_the_webhook_is_the_workflows_trigger(plan):
    destination = one_resource(plan, SUBSCRIPTION, "retraining").inputs["destination"]
    assert destination["endpointType"] == "WebHook" and destination["maxEventsPerBatch"] == 1
    assert f"/triggers/{TRIGGER}/paths/invoke" in destination["endpointUrl"]
    trigger = one_resource(plan, WORKFLOW, "retraining").inputs["definition"]["triggers"][TRIGGER]
    assert trigger["type"] == "Request" and trigger["kind"] == "Http"


def test_the_workflow_creates_the_schedules_job_on_the_training_cluster(plan):
    workflow = one_resource(plan, WORKFLOW, "retraining")
    assert workflow.inputs["identity"] == {"type": "SystemAssigned"}
    submit = _submit(workflow)
    assert submit["method"] == "PUT"
    assert submit["authentication"] == {"type": "ManagedServiceIdentity", "audience": "https://management.azure.com/"}
    workspace_id = one_resource(plan, "azure-native:authorization:RoleAssignment", "retraining").inputs["scope"]
    assert submit["uri"].startswith(f"https://management.azure.com{workspace_id}/jobs/fraud-ml-prod-retrain-on-drift-")
    job = submit["body"]["properties"]
    training = plan.outputs["training"]["training"]["extras"]
    assert job["jobType"] == "Command" and job["command"] == "python -m train"
    assert job["computeId"] == training["compute_id"]  # the existing (low-priority) cluster, no compute of its own
    assert job["identity"] == {"identityType": "Managed", "clientId": training["identity_client_id"]}
    assert job["environmentVariables"]["RETRAINING"] == "on-drift"
    assert not resources_of(plan, "azure-native:machinelearningservices:Compute", "retraining")
    assert not resources_of(plan, "azure-native:machinelearningservices:Schedule", "retraining")  # no schedule given


def test_the_workflow_may_only_create_jobs_in_the_workspace(plan):
    role = one_resource(plan, "azure-native:authorization:RoleDefinition", "retraining").inputs
    (permission,) = role["permissions"]
    assert permission["actions"] == SUBMIT_ACTIONS and "*" not in permission["actions"]
    assert "Microsoft.MachineLearningServices/workspaces/jobs/write" in permission["actions"]
    assert not any(a.endswith(("/delete", "/jobs/*")) for a in permission["actions"])
    grant = one_resource(plan, "azure-native:authorization:RoleAssignment", "retraining").inputs
    assert grant["scope"].endswith("/workspaces/fraud-ml-prod-mlw")
    assert grant["principalId"] == "55555555-5555-5555-5555-555555555555"  # the workflow's system identity (mock)


def test_the_workflow_and_topic_log_to_the_platform_workspace(plan):
    settings = {s.inputs["resourceUri"].rsplit("/", 1)[-1]: s.inputs
                for s in resources_of(plan, "azure-native:monitor:DiagnosticSetting", "retraining")}
    workflow, topic = settings["fraud-ml-prod-retrain-on-drift-drift"], settings["fraud-ml-prod-ml-events"]
    assert workflow["logs"] == [{"category": "WorkflowRuntime", "enabled": True}]
    assert topic["logs"] == [{"category": "DeliveryFailures", "enabled": True}]
    assert all("operationalinsights" in s["workspaceId"].lower() for s in settings.values())


def test_two_triggers_share_the_workspace_topic_and_the_role(tmp_path):
    second = {**ON_DRIFT, "name": "weekly", "schedule": "0 3 * * 0"}
    plan = plan_of_stack(tmp_path, "azure-prod", edit=lambda p: p.update(retraining=[ON_DRIFT, second]))
    assert len(resources_of(plan, "azure-native:eventgrid:SystemTopic")) == 1  # one system topic per source
    assert len(resources_of(plan, "azure-native:authorization:RoleDefinition", "retraining")) == 1
    assert len(resources_of(plan, SUBSCRIPTION)) == 2 and len(resources_of(plan, WORKFLOW)) == 2
    assert plan.outputs["retraining"]["weekly"]["schedule"]


def test_the_validation_event_is_answered_and_other_events_create_a_job():
    definition = workflow_definition("https://management.azure.com/x/jobs/j?api-version=1", {"jobType": "Command"})
    route = definition["actions"]["route"]
    assert route["expression"]["and"][0]["equals"][1] == "Microsoft.EventGrid.SubscriptionValidationEvent"
    assert route["actions"]["handshake"]["inputs"]["body"] == {
        "validationResponse": "@triggerBody()[0]['data']['validationCode']"}
    created = route["else"]["actions"]["created"]
    assert created["type"] == "Response" and created["runAfter"] == {"submit": ["Succeeded"]}


def test_user_strings_stay_literal_in_the_workflow():
    assert _literal({"command": "@weird", "args": ["a@{b}", "x@y"], "n": 1}) == {
        "command": "@@weird", "args": ["a@@{b}", "x@y"], "n": 1}


def test_the_rest_shape_keeps_variable_names_and_tags():
    job = {"job_type": "Command", "identity": {"identity_type": "Managed", "client_id": "c"},
           "environment_variables": {"MODEL_REGISTRY": "r"}, "tags": {"cost_center": "1"}}
    assert rest_shape(job) == {"jobType": "Command", "identity": {"identityType": "Managed", "clientId": "c"},
                               "environmentVariables": {"MODEL_REGISTRY": "r"}, "tags": {"cost_center": "1"}}
