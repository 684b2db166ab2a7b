"""Network isolation of the Azure base layer beyond its private endpoints: the Azure ML workspaces' managed
network, and the Azure Monitor Private Link Scope (AMPLS) keeping Application Insights and its Log Analytics
workspace reachable from the platform VNet only.

Closing Application Insights' public ingestion and query without a private path would silently stop the
telemetry of everything in the private network, so a private platform gets both at once: the scope, the
component and the workspace scoped into it, one private endpoint (group `azuremonitor`) in the platform's
endpoint subnet, and the private DNS zones Azure Monitor's endpoint registers in ("Use Azure Private Link to
connect networks to Azure Monitor"; "Azure Private Endpoint private DNS zone values", Azure Monitor:
monitor, oms/ods opinsights, agentsvc azure-automation and blob for the agents' solution packs).
"""

from __future__ import annotations

import pulumi_azure_native as azure

from ..context import PlatformContext

MONITOR_GROUP = "azuremonitor"
MONITOR_ZONES = (
    "privatelink.monitor.azure.com",
    "privatelink.oms.opinsights.azure.com",
    "privatelink.ods.opinsights.azure.com",
    "privatelink.agentsvc.azure-automation.net",
    "privatelink.blob.core.windows.net",
)


def managed_network(ctx: PlatformContext, storage_account) -> dict:
    """An Azure ML workspace's managed network. Private: approved outbound only. Azure adds the required
    rules itself (the default storage's blob and file, the vault, the registry); the data lake endpoint
    (`dfs`) that the feature store's offline store and Spark jobs read is a user-defined private-endpoint
    rule ("Managed virtual network isolation", "Network isolation with managed feature store")."""
    if not ctx.private:
        return {"isolation_mode": "AllowInternetOutbound"}
    destination = {"service_resource_id": storage_account.id, "subresource_target": "dfs", "spark_enabled": True}
    return {
        "isolation_mode": "AllowOnlyApprovedOutbound",
        "outbound_rules": {"storage-dfs": {"type": "PrivateEndpoint", "category": "UserDefined", "destination": destination}},
    }


def public_monitor_access(ctx: PlatformContext) -> dict:
    """The public ingestion/query switches of the component and the workspace: off on a private platform,
    where the scope below is their only path (elsewhere Azure's default, enabled, is left as it is)."""
    if not ctx.private:
        return {}
    return {"public_network_access_for_ingestion": "Disabled", "public_network_access_for_query": "Disabled"}


def link_monitoring(base, tags: dict) -> azure.monitor.PrivateLinkScope:
    """The scope with the base layer's Application Insights component and Log Analytics workspace, and its
    private endpoint in the platform VNet. Private clients reach only scoped Azure Monitor resources
    (`PrivateOnly`): the VNet belongs to the platform, whose telemetry all goes to these two."""
    ctx = base.ctx
    rg = base.resource_group.name
    scope = azure.monitor.PrivateLinkScope(
        ctx.name("ampls"),
        resource_group_name=rg,
        location="global",
        access_mode_settings={"ingestion_access_mode": "PrivateOnly", "query_access_mode": "PrivateOnly"},
        tags=tags,
        opts=ctx.child(base.vnet),
    )
    for label, target in (("insights", base.app_insights), ("logs", base.log_analytics)):
        azure.monitor.PrivateLinkScopedResource(
            ctx.name("ampls", label),
            resource_group_name=rg,
            scope_name=scope.name,
            linked_resource_id=target.id,
            opts=ctx.child(scope),
        )
    base.private_endpoint(scope.id, MONITOR_GROUP, MONITOR_ZONES, tags, parent=scope)
    return scope
