"""The Azure base layer's private network: the VNet, its compute and private-endpoint subnets, the private
DNS zones, and a private endpoint (with its DNS registration) per service the platform keeps private.

A mixin of `components/azure/base.py: Base`, which sets `ctx`, `resource_group`, `vnet`, the subnets and
`_dns_zones`; capability components call `base.private_endpoint(...)` for their own services.
"""

from __future__ import annotations

import ipaddress

import pulumi_azure_native as azure

from .isolation import link_monitoring

# Private endpoints of the base layer: (resource attribute, group id, private DNS zones). A workspace
# behind a private endpoint needs blob and file on its storage account (queue and table for pipelines
# and batch), and its `amlworkspace` endpoint registers in both the API and the notebooks zone
# ("Configure a private endpoint for an Azure Machine Learning workspace", Azure private endpoint DNS).
WORKSPACE_ZONES = ("privatelink.api.azureml.ms", "privatelink.notebooks.azure.net")
PRIVATE_LINKS = [
    ("storage_account", "blob", ("privatelink.blob.core.windows.net",)),
    ("storage_account", "dfs", ("privatelink.dfs.core.windows.net",)),
    ("storage_account", "file", ("privatelink.file.core.windows.net",)),
    ("storage_account", "queue", ("privatelink.queue.core.windows.net",)),
    ("storage_account", "table", ("privatelink.table.core.windows.net",)),
    ("key_vault", "vault", ("privatelink.vaultcore.azure.net",)),
    ("container_registry", "registry", ("privatelink.azurecr.io",)),
    ("workspace", "amlworkspace", WORKSPACE_ZONES),
]


class PrivateNetwork:
    """VNet, subnets, private DNS zones and private endpoints of a `Base` (built only on a private network)."""

    def _network(self, tags: dict, location: str) -> None:
        ctx = self.ctx
        rg = self.resource_group.name
        network = ipaddress.ip_network(ctx.spec.network.cidr)
        compute_range, endpoint_range = list(network.subnets(new_prefix=network.prefixlen + 2))[:2]
        self.vnet = azure.network.VirtualNetwork(
            ctx.name("vnet"),
            resource_group_name=rg,
            location=location,
            address_space={"address_prefixes": [str(network)]},
            tags=tags,
            opts=ctx.child(self),
        )
        self.compute_subnet = azure.network.Subnet(
            ctx.name("compute"),
            subnet_name="compute",
            resource_group_name=rg,
            virtual_network_name=self.vnet.name,
            address_prefix=str(compute_range),
            private_endpoint_network_policies="Enabled",
            opts=ctx.child(self.vnet),
        )
        self.endpoint_subnet = azure.network.Subnet(
            ctx.name("private-endpoints"),
            subnet_name="private-endpoints",
            resource_group_name=rg,
            virtual_network_name=self.vnet.name,
            address_prefix=str(endpoint_range),
            private_endpoint_network_policies="Disabled",
            opts=ctx.child(self.vnet),
        )
        for attribute, group, zones in PRIVATE_LINKS:
            self.private_endpoint(getattr(self, attribute).id, group, zones, tags)
        link_monitoring(self, tags)

    def private_dns_zone(self, zone_name: str) -> azure.privatedns.PrivateZone:
        """The platform's private DNS zone `zone_name`, linked to the VNet; created once, shared by every
        private endpoint of that service type. Shared infrastructure: it carries the platform tags."""
        if zone_name not in self._dns_zones:
            ctx = self.ctx
            stem = zone_name.split(".")[1]
            zone = azure.privatedns.PrivateZone(
                ctx.name("dns", stem),
                private_zone_name=zone_name,
                resource_group_name=self.resource_group.name,
                location="global",
                tags=ctx.tags(),
                opts=ctx.child(self.vnet),
            )
            azure.privatedns.VirtualNetworkLink(
                ctx.name("dns", stem, "link"),
                private_zone_name=zone.name,
                resource_group_name=self.resource_group.name,
                location="global",
                registration_enabled=False,
                virtual_network={"id": self.vnet.id},
                tags=ctx.tags(),
                opts=ctx.child(zone),
            )
            self._dns_zones[zone_name] = zone
        return self._dns_zones[zone_name]

    def private_endpoint(
        self, target_id, group: str, zone_name: str | tuple[str, ...], tags: dict, name: str | None = None, parent=None
    ) -> azure.network.PrivateEndpoint:
        """A private endpoint for `target_id` (sub-resource `group`) in the endpoint subnet, registered in the
        private DNS zone `zone_name` (or each of several zones: an Azure ML workspace registers in the API
        and the notebooks zone). `name` tells apart two endpoints of one group (default: the group).
        Capabilities (feature store, registry, search service) call this for their own services."""
        ctx = self.ctx
        rg = self.resource_group.name
        label = name or group
        zones = (zone_name,) if isinstance(zone_name, str) else tuple(zone_name)
        endpoint = azure.network.PrivateEndpoint(
            ctx.name("pe", label),
            resource_group_name=rg,
            location=ctx.spec.region,
            subnet={"id": self.endpoint_subnet.id},
            private_link_service_connections=[
                {"name": group, "private_link_service_id": target_id, "group_ids": [group]}
            ],
            tags=tags,
            opts=ctx.child(parent or self.vnet),
        )
        azure.network.PrivateDnsZoneGroup(
            ctx.name("pe", label, "dns"),
            private_endpoint_name=endpoint.name,
            resource_group_name=rg,
            private_dns_zone_configs=[
                # Config names are unique within the group: the first keeps the group's name (unchanged
                # for single-zone endpoints), further ones are named after their zone.
                {"name": group if i == 0 else zone.split(".")[1], "private_dns_zone_id": self.private_dns_zone(zone).id}
                for i, zone in enumerate(zones)
            ],
            opts=ctx.child(endpoint),
        )
        return endpoint
