"""Cloud Scheduler jobs that call a Vertex AI REST method with an OAuth token, and the least-privilege
service account they call it as: a custom role with the one `create` permission, plus Service Account
User on the workload account only (the job the call creates runs as that account).

Facts: pulumi_gcp `cloudscheduler.JobHttpTargetArgs(uri, body (base64), headers, http_method,
oauth_token)`, `JobHttpTargetOauthTokenArgs(service_account_email, scope)`; OAuth tokens (not OIDC) are
what `*.googleapis.com` APIs accept.
"""

from __future__ import annotations

import base64

import pulumi
import pulumi_gcp as gcp

from ..context import PlatformContext
from ..naming import bounded_name
from .base import Base
from .custom_roles import grant_custom_role

SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def starter_identity(ctx: PlatformContext, parent: pulumi.Resource, name: str, account_id: str, base: Base,
                     permissions: tuple[str, ...], purpose: str, display_name: str) -> gcp.serviceaccount.Account:
    """A service account that starts Vertex AI work: only `permissions` (a custom role, described by
    `purpose`) and actAs on the workload account, which the started job runs as."""
    account = gcp.serviceaccount.Account(
        name,
        account_id=account_id,
        display_name=display_name,
        project=base.project,
        opts=ctx.child(parent),
    )
    grant_custom_role(ctx, parent, name, base.project, permissions, account.member, purpose)
    gcp.serviceaccount.IAMMember(
        f"{name}-act-as",
        service_account_id=base.workload_account.name,
        role="roles/iam.serviceAccountUser",
        member=account.member,
        opts=ctx.child(account),
    )
    return account


def scheduler_identity(ctx: PlatformContext, parent: pulumi.Resource, stem: str, base: Base,
                       permissions: tuple[str, ...], purpose: str) -> gcp.serviceaccount.Account:
    """The Cloud Scheduler job's caller: `starter_identity` named after the job."""
    return starter_identity(ctx, parent, f"{stem}-scheduler", bounded_name(f"{stem}-sched", 30), base, permissions,
                            purpose, f"mlplat {ctx.prefix}: {purpose}"[:100])


def vertex_call(ctx: PlatformContext, parent: pulumi.Resource, stem: str, base: Base, *, schedule: str, uri: str,
                body: pulumi.Input[str], caller: gcp.serviceaccount.Account, description: str,
                depends_on: list[pulumi.Resource] = ()) -> gcp.cloudscheduler.Job:
    """A Cloud Scheduler job (UTC, 3 retries) POSTing the JSON `body` to the Vertex AI `uri` as `caller`."""
    api = gcp.projects.Service(
        f"{stem}-api", project=base.project, service="cloudscheduler.googleapis.com",
        disable_on_destroy=False, opts=ctx.child(parent),
    )
    return gcp.cloudscheduler.Job(
        stem,
        name=stem,
        project=base.project,
        region=ctx.spec.region,
        schedule=schedule,
        time_zone="Etc/UTC",
        description=f"mlplat {ctx.prefix}: {description}",
        http_target={
            "uri": uri,
            "http_method": "POST",
            "headers": {"Content-Type": "application/json"},
            "body": pulumi.Output.from_input(body).apply(lambda text: base64.b64encode(text.encode()).decode()),
            "oauth_token": {"service_account_email": caller.email, "scope": SCOPE},
        },
        retry_config={"retry_count": 3},
        opts=ctx.child(parent, depends_on=[api, *depends_on]),
    )
