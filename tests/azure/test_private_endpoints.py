"""A private Azure platform gets every private endpoint and DNS zone its workspaces need (file, queue and
table storage, the notebooks zone); a public one gets none."""

from __future__ import annotations

from tests.support.plans import reference_plan


def test_private_platform_has_file_queue_table_endpoints_and_the_notebooks_zone():
    plan = reference_plan("azure-prod")
    groups = {
        r.inputs["privateLinkServiceConnections"][0]["groupIds"][0]
        for r in plan.by_type("azure-native:network:PrivateEndpoint")
    }
    assert {"blob", "dfs", "file", "queue", "table", "vault", "registry", "amlworkspace"} <= groups
    zones = {r.inputs["privateZoneName"] for r in plan.by_type("azure-native:privatedns:PrivateZone")}
    assert {"privatelink.file.core.windows.net", "privatelink.queue.core.windows.net",
            "privatelink.table.core.windows.net", "privatelink.notebooks.azure.net"} <= zones
    workspace_groups = [
        r for r in plan.by_type("azure-native:network:PrivateDnsZoneGroup")
        if r.name in ("fraud-ml-prod-pe-amlworkspace-dns", "fraud-ml-prod-pe-feature-store-dns")
    ]
    assert len(workspace_groups) == 2
    for group in workspace_groups:
        configured = {c["privateDnsZoneId"].rsplit("/", 1)[1] for c in group.inputs["privateDnsZoneConfigs"]}
        assert configured == {"privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"}, group.name
        assert len({c["name"] for c in group.inputs["privateDnsZoneConfigs"]}) == 2


def test_public_platform_has_no_private_endpoints():
    assert reference_plan("azure-dev").by_type("azure-native:network:PrivateEndpoint") == []
