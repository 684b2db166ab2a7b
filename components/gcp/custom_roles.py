"""A project custom role holding exactly the permissions one identity needs, granted to that identity."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from ..context import PlatformContext
from ..naming import bounded_name


def grant_custom_role(ctx: PlatformContext, parent: pulumi.Resource, name: str, project, permissions: tuple[str, ...],
                      member, description: str) -> gcp.projects.IAMCustomRole:
    """Role `<name>` (id derived from it, at most 64 characters) with `permissions`, granted to `member`."""
    role = gcp.projects.IAMCustomRole(
        name,
        project=project,
        role_id=bounded_name(name, 64).replace("-", "_"),
        title=f"mlplat {name}"[:100],
        description=description,
        permissions=list(permissions),
        stage="GA",
        opts=ctx.child(parent),
    )
    gcp.projects.IAMMember(name, project=project, role=role.name, member=member, opts=ctx.child(role))
    return role
