"""Drift-triggered retraining on GCP: the endpoint's drift notification channel publishes to a Pub/Sub topic
(components/gcp/drift_events.py); an Eventarc trigger on that topic runs a Workflows workflow whose one step
calls Vertex AI `customJobs.create` with the same custom job as the schedule (SPOT on the training shape).

Why Workflows: it is declared whole in pulumi_gcp (`workflows.Workflow.source_contents`), needs no code
package (a Cloud Function would), and its `http.post` with `auth: {type: OAuth2}` calls the Vertex AI REST
API as the workflow's service account; a Pub/Sub push subscription cannot (it sends an OIDC identity token,
which Vertex AI does not accept). Eventarc delivers Pub/Sub messages to a workflow as
`google.cloud.pubsub.topic.v1.messagePublished` events (pulumi_gcp `eventarc.Trigger`: matching_criterias,
transport.pubsub.topic, destination.workflow, service_account); its service account needs
`roles/workflows.invoker` (project level: Workflows has no per-workflow IAM resource in pulumi_gcp).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_gcp as gcp

from ..context import PlatformContext
from ..naming import bounded_name

MESSAGE_PUBLISHED = "google.cloud.pubsub.topic.v1.messagePublished"


def drift_trigger(ctx: PlatformContext, parent: pulumi.Resource, stem: str, project, region: str, topic,
                  job: pulumi.Output, starter: gcp.serviceaccount.Account, labels: dict) -> gcp.eventarc.Trigger:
    """The workflow creating the custom job `job` (REST JSON) as `starter`, and the trigger running it on
    each message of `topic`, as an account that may only invoke workflows."""
    apis = [
        gcp.projects.Service(f"{stem}-{api}-api", project=project, service=f"{api}.googleapis.com",
                             disable_on_destroy=False, opts=ctx.child(parent))
        for api in ("eventarc", "workflows")
    ]
    url = f"https://{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}/customJobs"
    workflow = gcp.workflows.Workflow(
        f"{stem}-drift",
        name=f"{stem}-drift",
        project=project,
        region=region,
        description=f"mlplat {ctx.prefix}: create the retraining custom job {stem}",
        service_account=starter.email,
        source_contents=job.apply(lambda text: json.dumps(workflow_source(url, json.loads(text)))),
        deletion_protection=False,
        labels=labels,
        opts=ctx.child(parent, depends_on=apis),
    )
    invoker = gcp.serviceaccount.Account(
        f"{stem}-drift-invoker",
        account_id=bounded_name(f"{stem}-inv", 30),
        display_name=f"mlplat {ctx.prefix}: runs {stem} on drift (Eventarc)",
        project=project,
        opts=ctx.child(parent),
    )
    grant = gcp.projects.IAMMember(
        f"{stem}-drift-invoker",
        project=project,
        role="roles/workflows.invoker",
        member=invoker.member,
        opts=ctx.child(invoker),
    )
    return gcp.eventarc.Trigger(
        f"{stem}-drift",
        name=f"{stem}-drift",
        project=project,
        location=region,
        matching_criterias=[{"attribute": "type", "value": MESSAGE_PUBLISHED}],
        transport={"pubsub": {"topic": topic}},
        destination={"workflow": workflow.id},
        service_account=invoker.email,
        labels=labels,
        opts=ctx.child(parent, depends_on=[grant, *apis]),
    )


def workflow_source(url: str, job: dict) -> dict:
    """A workflow (JSON syntax) that creates the custom job and returns its resource name."""
    return {
        "main": {
            "params": ["event"],
            "steps": [
                {"create": {"call": "http.post", "args": {"url": url, "auth": {"type": "OAuth2"}, "body": job},
                            "result": "created"}},
                {"done": {"return": "${created.body.name}"}},
            ],
        }
    }
