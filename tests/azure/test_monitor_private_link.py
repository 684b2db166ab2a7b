"""A private Azure platform reaches Application Insights and its Log Analytics workspace through an Azure
Monitor Private Link Scope only: both scoped, one `azuremonitor` endpoint in the platform VNet registered in
Azure Monitor's five zones, public ingestion and query off. A public platform keeps Azure's defaults."""

from __future__ import annotations

from components.azure.isolation import MONITOR_ZONES
from tests.support.plans import reference_plan

SCOPE = "azure-native:monitor:PrivateLinkScope"
SCOPED = "azure-native:monitor:PrivateLinkScopedResource"
MONITORED = ("azure-native:applicationinsights:Component", "azure-native:operationalinsights:Workspace")


def test_private_platform_scopes_insights_and_workspace_and_closes_their_public_access():
    plan = reference_plan("azure-prod")
    (scope,) = plan.by_type(SCOPE)
    assert scope.inputs["accessModeSettings"] == {"ingestionAccessMode": "PrivateOnly", "queryAccessMode": "PrivateOnly"}
    monitored = [r for token in MONITORED for r in plan.by_type(token)]
    assert len(monitored) == 2
    linked = {r.inputs["linkedResourceId"] for r in plan.by_type(SCOPED)}
    assert len(linked) == 2 and all(r.inputs["scopeName"] for r in plan.by_type(SCOPED))
    for resource in monitored:
        assert resource.inputs["publicNetworkAccessForIngestion"] == "Disabled", resource.name
        assert resource.inputs["publicNetworkAccessForQuery"] == "Disabled", resource.name
    endpoints = plan.by_type("azure-native:network:PrivateEndpoint")
    (endpoint,) = [r for r in endpoints if r.inputs["privateLinkServiceConnections"][0]["groupIds"] == ["azuremonitor"]]
    assert endpoint.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"] != ""
    # in the platform's endpoint subnet, with every other private endpoint of the VNet
    assert {r.inputs["subnet"]["id"] for r in endpoints} == {endpoint.inputs["subnet"]["id"]}
    (group,) = [r for r in plan.by_type("azure-native:network:PrivateDnsZoneGroup") if r.name == f"{endpoint.name}-dns"]
    configured = {c["privateDnsZoneId"].rsplit("/", 1)[1] for c in group.inputs["privateDnsZoneConfigs"]}
    assert configured == set(MONITOR_ZONES)
    zones = {r.inputs["privateZoneName"] for r in plan.by_type("azure-native:privatedns:PrivateZone")}
    assert set(MONITOR_ZONES) <= zones
    links = {r.name for r in plan.by_type("azure-native:privatedns:VirtualNetworkLink")}
    assert {"fraud-ml-prod-dns-monitor-link", "fraud-ml-prod-dns-oms-link", "fraud-ml-prod-dns-ods-link",
            "fraud-ml-prod-dns-agentsvc-link"} <= links


def test_public_platform_has_no_scope_and_keeps_the_default_access():
    plan = reference_plan("azure-dev")
    assert plan.by_type(SCOPE) == [] and plan.by_type(SCOPED) == []
    for token in MONITORED:
        for resource in plan.by_type(token):
            assert resource.inputs.get("publicNetworkAccessForIngestion", "Enabled") == "Enabled"
