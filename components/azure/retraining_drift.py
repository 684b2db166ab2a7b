"""Drift-triggered retraining on Azure: the endpoint's model monitor breaching a drift threshold reaches Event
Grid, whose subscription calls a Logic App (Consumption) workflow that creates the retraining's command job.

How a breach reaches a machine (learn.microsoft.com, "Monitor performance of models deployed to production",
section "Integrate Azure Machine Learning model monitoring with Azure Event Grid"): Azure ML monitoring signals
notify by e-mail and raise no Azure Monitor alert an action group could act on; a breach tags the monitor run
with `azureml_modelmonitor_threshold_breached` ("The signal '<name>' has failed due to one or more features
violating metric thresholds ...") and the workspace publishes the run's
`Microsoft.MachineLearningServices.RunStatusChanged` event (Event Grid schema: event-schema-machine-learning).
The documented filters: that tag contains "has failed due to one or more features violating metric thresholds",
and, per monitor, that it contains the signal's name (signals are named after their monitor: monitoring.py).

Why a Logic App: no Event Grid destination creates an Azure ML job by itself, an Azure Function needs a code
package mlplat would build and upload, and a Consumption workflow is declared whole (`logic.Workflow.definition`)
and calls the jobs API (Azure Resource Manager, `PUT .../workspaces/<ws>/jobs/<name>`) with its system-assigned
identity (HTTP action `authentication: ManagedServiceIdentity`). The Event Grid webhook is the workflow's Request
trigger callback URL (`listWorkflowTriggerCallbackUrl`, a secret: it carries the trigger's signature); the
workflow answers Event Grid's subscription validation event itself (synchronous handshake,
learn.microsoft.com "Endpoint validation with Event Grid event schema").

Facts (azure-native 3.x input types): eventgrid `SystemTopic(source, topic_type, location)`,
`SystemTopicEventSubscription(destination=WebHookEventSubscriptionDestinationArgs(endpoint_url,
max_events_per_batch), filter=EventSubscriptionFilterArgs(included_event_types, advanced_filters=
[StringContainsAdvancedFilterArgs(key, values)]), retry_policy=RetryPolicyArgs)`; logic `Workflow(definition,
identity=ManagedServiceIdentityArgs(type="SystemAssigned"), state)` and `list_workflow_trigger_callback_url_output`.
"""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure

from ..context import PlatformContext
from . import roles
from .base import Base

RUN_STATUS_CHANGED = "Microsoft.MachineLearningServices.RunStatusChanged"
BREACH_TAG = "data.RunTags.azureml_modelmonitor_threshold_breached"
BREACH_TEXT = "has failed due to one or more features violating metric thresholds"
WORKSPACE_TOPIC_TYPE = "Microsoft.MachineLearningServices.Workspaces"
TRIGGER = "drift"
WORKFLOW_SCHEMA = ("https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/"
                   "workflowdefinition.json#")
# The jobs API version: the one azure-native 3.x uses for machinelearningservices (the Schedule's job
# definition has the same shape).
JOBS_API_VERSION = "2025-12-01"
ML = "Microsoft.MachineLearningServices/workspaces"
# "Submitting any type of run (V2)" (learn.microsoft.com "Manage access to Azure Machine Learning workspaces",
# common scenarios), narrowed: the job names an environment mlplat registers (no environments/write) and the
# workflow only creates jobs (jobs/write, not jobs/*).
SUBMIT_ACTIONS = [
    f"{ML}/*/read",
    f"{ML}/jobs/write",
    f"{ML}/metadata/artifacts/write",
    f"{ML}/environments/build/action",
    f"{ML}/environments/readSecrets/action",
]


def drift_trigger(ctx: PlatformContext, base: Base, parent: pulumi.Resource, stem: str, job: dict, alerts: list,
                  tags: dict) -> tuple[azure.eventgrid.SystemTopicEventSubscription, azure.logic.Workflow]:
    """The workflow creating `job` (REST shape) and the subscription running it on a breach of the monitor
    signals `alerts` (`<schedule id>/signals/<name>`, the monitoring outputs' drift_alerts)."""
    topic, submitter = _workspace_events(ctx, base, parent)
    rg = base.resource_group.name
    url = pulumi.Output.concat("https://management.azure.com", base.workspace.id, "/jobs/", stem,
                               "-@{triggerBody()[0]['id']}?api-version=", JOBS_API_VERSION)
    workflow = azure.logic.Workflow(
        f"{stem}-drift",
        workflow_name=f"{stem}-drift",
        resource_group_name=rg,
        location=ctx.spec.region,
        state="Enabled",
        identity=azure.logic.ManagedServiceIdentityArgs(type="SystemAssigned"),
        definition=pulumi.Output.all(url, pulumi.Output.from_input(job)).apply(
            lambda args: workflow_definition(args[0], _literal(args[1]))),
        tags=tags,
        opts=ctx.child(parent),
    )
    principal = workflow.identity.apply(lambda identity: identity.principal_id if identity else None)
    roles.assign(f"{stem}-drift-submitter", base.subscription_id, principal, "", base.workspace.id, workflow,
                 role_definition_id=submitter.id)
    _diagnostics(ctx, base, f"{stem}-drift-diagnostics", workflow, "WorkflowRuntime")
    # Read once the workflow exists: a first preview has no workflow to ask.
    callback = azure.logic.list_workflow_trigger_callback_url_output(
        resource_group_name=rg, workflow_name=workflow.name, trigger_name=TRIGGER,
        opts=pulumi.InvokeOutputOptions(depends_on=[workflow]))
    signals = [pulumi.Output.from_input(a).apply(lambda text: text.rsplit("/signals/", 1)[-1]) for a in alerts]
    subscription = azure.eventgrid.SystemTopicEventSubscription(
        f"{stem}-drift",
        event_subscription_name=f"{stem}-drift",
        resource_group_name=rg,
        system_topic_name=topic.name,
        destination=azure.eventgrid.WebHookEventSubscriptionDestinationArgs(
            endpoint_type="WebHook",
            endpoint_url=pulumi.Output.secret(callback.value),
            max_events_per_batch=1,  # the workflow reads the one event of each delivery
        ),
        event_delivery_schema="EventGridSchema",
        filter=azure.eventgrid.EventSubscriptionFilterArgs(
            included_event_types=[RUN_STATUS_CHANGED],
            advanced_filters=[
                azure.eventgrid.StringContainsAdvancedFilterArgs(operator_type="StringContains", key=BREACH_TAG,
                                                                 values=[BREACH_TEXT]),
                azure.eventgrid.StringContainsAdvancedFilterArgs(operator_type="StringContains", key=BREACH_TAG,
                                                                 values=signals),
            ],
        ),
        # A failed job creation answers an error: Event Grid retries it, within a day.
        retry_policy=azure.eventgrid.RetryPolicyArgs(max_delivery_attempts=10, event_time_to_live_in_minutes=1440),
        opts=ctx.child(parent, depends_on=[workflow]),
    )
    return subscription, workflow


def workflow_definition(url: str, job: dict) -> dict:
    """A Logic Apps workflow (2016-06-01 schema) answering Event Grid's validation event, and otherwise creating
    the job `<stem>-<event id>` (one job per event: a redelivered event names the same job, which exists)."""
    handshake = {"type": "Response", "kind": "Http", "inputs": {
        "statusCode": 200, "body": {"validationResponse": "@triggerBody()[0]['data']['validationCode']"}}}
    submit = {"type": "Http", "inputs": {
        "method": "PUT", "uri": url, "body": {"properties": job},
        "authentication": {"type": "ManagedServiceIdentity", "audience": "https://management.azure.com/"},
        "retryPolicy": {"type": "none"},  # Event Grid retries the delivery
    }}
    created = {"type": "Response", "kind": "Http", "runAfter": {"submit": ["Succeeded"]},
               "inputs": {"statusCode": 200, "body": {"job": "@body('submit')?['name']"}}}
    return {
        "$schema": WORKFLOW_SCHEMA,
        "contentVersion": "1.0.0.0",
        "triggers": {TRIGGER: {"type": "Request", "kind": "Http", "inputs": {"method": "POST", "schema": {}}}},
        "actions": {
            "route": {
                "type": "If",
                "expression": {"and": [{"equals": ["@triggerBody()[0]['eventType']",
                                                   "Microsoft.EventGrid.SubscriptionValidationEvent"]}]},
                "actions": {"handshake": handshake},
                "else": {"actions": {"submit": submit, "created": created}},
                "runAfter": {},
            },
        },
        "outputs": {},
    }


def _literal(value):
    """`value` with its strings kept literal in a workflow definition: Logic Apps reads a string starting with
    '@' as an expression and '@{...}' inside one as an interpolation; '@@' writes one '@'."""
    if isinstance(value, dict):
        return {k: _literal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_literal(v) for v in value]
    if isinstance(value, str):
        value = value.replace("@{", "@@{")
        return "@" + value if value.startswith("@") and not value.startswith("@@") else value
    return value


def _workspace_events(ctx: PlatformContext, base: Base, parent: pulumi.Resource):
    """The workspace's Event Grid system topic and the job-submitting role, once per platform (Azure allows one
    system topic per source; the first drift-triggered retraining holds both)."""
    shared = base.__dict__.setdefault("_drift_events", [])
    if not shared:
        topic = azure.eventgrid.SystemTopic(
            ctx.name("ml-events"),
            system_topic_name=ctx.name("ml-events"),
            resource_group_name=base.resource_group.name,
            location=ctx.spec.region,
            source=base.workspace.id,
            topic_type=WORKSPACE_TOPIC_TYPE,
            tags=ctx.tags(),
            opts=ctx.child(parent),
        )
        _diagnostics(ctx, base, ctx.name("ml-events-diagnostics"), topic, "DeliveryFailures")
        submitter = azure.authorization.RoleDefinition(
            ctx.name("retraining-submitter"),
            role_name=f"mlplat {ctx.prefix} retraining job submitter",
            description="Create Azure ML jobs in the platform workspace (drift-triggered retraining workflows)",
            permissions=[{"actions": SUBMIT_ACTIONS}],
            assignable_scopes=[base.resource_group.id],
            scope=base.resource_group.id,
            opts=ctx.child(parent),
        )
        shared.append((topic, submitter))
    return shared[0]


def _diagnostics(ctx: PlatformContext, base: Base, name: str, resource: pulumi.CustomResource, category: str):
    """The resource's `category` logs and its metrics to the platform's Log Analytics workspace."""
    return azure.monitor.DiagnosticSetting(
        name,
        name="mlplat-log-analytics",
        resource_uri=resource.id,
        workspace_id=base.log_analytics.id,
        logs=[{"category": category, "enabled": True}],
        metrics=[{"category": "AllMetrics", "enabled": True}],
        opts=ctx.child(resource),
    )
