"""GCP drift-triggered retraining: the endpoint's Vertex AI monitor also alerts a Pub/Sub notification
channel; an Eventarc trigger on its topic runs a workflow that creates the retraining's SPOT custom job."""

from __future__ import annotations

import json

import pytest

from components.gcp.retraining_drift import MESSAGE_PUBLISHED
from tests.support.plans import one_resource, plan_of_stack, reference_plan, resources_of

ON_DRIFT = {"name": "on-drift", "use_case": "fraud-scoring", "on_drift": True, "endpoint": "fraud-scorer",
            "image": "us-docker.pkg.dev/example/fraud/train:1"}


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return plan_of_stack(tmp_path_factory.mktemp("drift"), "gcp-prod", edit=lambda p: p.update(retraining=[ON_DRIFT]))


def test_the_monitor_alerts_a_pubsub_channel_on_the_drift_topic(plan):
    topic = one_resource(plan, "gcp:pubsub/topic:Topic", "monitoring")
    channel = one_resource(plan, "gcp:monitoring/notificationChannel:NotificationChannel", "monitoring", "drift-events")
    assert channel.inputs["type"] == "pubsub" and channel.inputs["labels"]["topic"].endswith(topic.inputs["name"])
    assert topic.inputs["kmsKeyName"]  # prod: the platform key
    publisher = one_resource(plan, "gcp:pubsub/topicIAMMember:TopicIAMMember", "monitoring")
    assert publisher.inputs["role"] == "roles/pubsub.publisher"
    assert "gcp-sa-monitoring-notification" in publisher.inputs["member"]
    (monitor,) = [r for r in plan.resources if r.type == "pulumi-python:dynamic:Resource" and r.capability == "monitoring"]
    assert len(monitor.inputs["notification_channels"]) == 2  # the on-call address and the drift channel
    events = plan.outputs["monitoring"]["monitoring"]["endpoints"]["fraud-scorer"]["drift_events"]
    assert events and events.endswith(topic.inputs["name"])


def test_the_trigger_runs_a_workflow_creating_the_spot_custom_job(plan):
    trigger = one_resource(plan, "gcp:eventarc/trigger:Trigger", "retraining").inputs
    assert trigger["matchingCriterias"] == [{"attribute": "type", "value": MESSAGE_PUBLISHED}]
    assert trigger["transport"]["pubsub"]["topic"] == plan.outputs["monitoring"]["monitoring"]["endpoints"][
        "fraud-scorer"]["drift_events"]
    workflow = one_resource(plan, "gcp:workflows/workflow:Workflow", "retraining")
    assert trigger["destination"]["workflow"]
    source = json.loads(workflow.inputs["sourceContents"])
    call = source["main"]["steps"][0]["create"]
    assert call["call"] == "http.post" and call["args"]["auth"] == {"type": "OAuth2"}
    assert call["args"]["url"].endswith("/customJobs")
    assert call["args"]["body"]["jobSpec"]["scheduling"] == {"strategy": "SPOT"}
    assert plan.outputs["retraining"]["on-drift"]["drift_trigger"]


def test_the_identities_are_least_privilege(plan):
    invoker = one_resource(plan, "gcp:projects/iAMMember:IAMMember", "retraining", "invoker").inputs
    assert invoker["role"] == "roles/workflows.invoker"
    roles = one_resource(plan, "gcp:projects/iAMCustomRole:IAMCustomRole", "retraining").inputs
    assert roles["permissions"] == ["aiplatform.customJobs.create"]
    act_as = one_resource(plan, "gcp:serviceaccount/iAMMember:IAMMember", "retraining").inputs
    assert act_as["role"] == "roles/iam.serviceAccountUser"


def test_no_drift_channel_without_a_trigger():
    plan = reference_plan("gcp-prod")
    assert not resources_of(plan, "gcp:pubsub/topic:Topic", "monitoring")
    assert plan.outputs["monitoring"]["monitoring"]["endpoints"]["fraud-scorer"]["drift_events"] is None


def test_the_spot_policy_reads_the_workflow():
    from components.catalog.resources import Subject
    from components.catalog.resources.gcp_readers import workflow_job_spot
    from components.gcp.retraining_drift import workflow_source

    def findings(strategy):
        source = workflow_source("https://x/customJobs", {"jobSpec": {"scheduling": {"strategy": strategy}}})
        return list(workflow_job_spot(Subject("gcp:workflows/workflow:Workflow", {"sourceContents": json.dumps(source)})))

    assert findings("SPOT") == []
    assert findings("ON_DEMAND") == ["workflow runs Vertex AI custom jobs with scheduling ON_DEMAND; use SPOT."]
