"""Azure base layer: resource group, identity, Key Vault (+ key), encrypted ADLS storage, logging,
container registry, the Azure ML workspace with its required companions, and a private VNet
(`private_network.py`)."""

from __future__ import annotations


import pulumi
import pulumi_azure_native as azure

from ..contract import BaseLayer
from ..context import PlatformContext
from . import roles
from .isolation import managed_network, public_monitor_access
from .names import unique_name, workspace_name
from .private_network import PrivateNetwork

# Azure ML workspace names: ^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$ (3 to 33 characters).
# Key Vault soft-delete retention: 90 days where data is protected, the minimum (7) elsewhere, so a
# destroyed dev vault frees its (deterministic) name after a week.
SOFT_DELETE_DAYS_PROTECTED = 90
SOFT_DELETE_DAYS = 7


class Base(PrivateNetwork, BaseLayer):
    CLOUD = "azure"
    COMPONENT = "Base"

    def __init__(self, name: str, ctx: PlatformContext, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, opts)
        self.ctx = ctx
        tags = ctx.tags()
        location = ctx.spec.region
        client = azure.authorization.get_client_config_output()
        self.subscription_id = client.subscription_id
        self.tenant_id = client.tenant_id

        self.resource_group = azure.resources.ResourceGroup(
            ctx.name("rg"), resource_group_name=ctx.name("rg"), location=location, tags=tags, opts=ctx.stateful(self)
        )
        self.identity = azure.managedidentity.UserAssignedIdentity(
            ctx.name("identity"), resource_group_name=self.resource_group.name, location=location, tags=tags,
            opts=ctx.child(self),
        )
        self._keys(tags, location)
        self._storage(tags, location)
        self._logging_and_images(tags, location)
        self._workspace(tags)

        self.vnet: azure.network.VirtualNetwork | None = None
        self._dns_zones: dict[str, azure.privatedns.PrivateZone] = {}
        self.compute_subnet: azure.network.Subnet | None = None
        self.endpoint_subnet: azure.network.Subnet | None = None
        if ctx.private:
            self._network(tags, location)

        self.finish(
            self.layer_outputs(
                extras={
                    "resource_group": self.resource_group.name,
                    "workspace": self.workspace.name,
                    "storage_account": self.storage_account.name,
                    "container_registry": self.container_registry.login_server,
                    "key_vault": self.key_vault.name,
                    # What the previous environment's promotion.identity names (its registry grants).
                    "identity_principal_id": self.identity.principal_id,
                }
            )
        )

    def _keys(self, tags: dict, location: str) -> None:
        """The Key Vault, and with customer-managed keys the platform key and the identity's grant on it."""
        ctx, rg = self.ctx, self.resource_group.name
        private = ctx.private
        public_access = "Disabled" if private else "Enabled"
        # Purge protection is irreversible and keeps a deleted vault's name for the whole retention, so it
        # is on where stateful resources are protected, and where customer-managed keys require it
        # (Storage, ACR and Azure ML refuse a CMK whose vault lacks purge protection). Retention is 90
        # days when protected, 7 otherwise (docs/feature-store-and-registry.md: recover or purge a vault).
        purge_protection = ctx.protect or ctx.customer_managed_keys
        self.key_vault = azure.keyvault.Vault(
            ctx.name("kv"),
            vault_name=unique_name(ctx.settings.azure_subscription_id, ctx.prefix, "kv", 24, hyphens=True),
            resource_group_name=rg,
            location=location,
            properties={
                "tenant_id": self.tenant_id,
                "sku": {"family": "A", "name": "premium" if ctx.customer_managed_keys else "standard"},
                "enable_rbac_authorization": True,
                "enable_soft_delete": True,
                "soft_delete_retention_in_days": SOFT_DELETE_DAYS_PROTECTED if ctx.protect else SOFT_DELETE_DAYS,
                # The API refuses `false` here: leave it unset when off.
                "enable_purge_protection": True if purge_protection else None,
                "public_network_access": public_access,
                "network_acls": {"default_action": "Deny" if private else "Allow", "bypass": "AzureServices"},
            },
            tags=tags,
            # Retention is fixed when a vault is created (Azure refuses to change it): existing vaults keep
            # theirs. Purge protection can only be turned on, which an update may still do.
            opts=ctx.stateful(self, ignore_changes=["properties.softDeleteRetentionInDays"]),
        )
        self.key: azure.keyvault.Key | None = None
        # The identity's grant on the key: every resource encrypted with the key through the identity
        # (storage, both container registries, both workspaces) waits for it.
        self.key_access: list[pulumi.Resource] = []
        if ctx.customer_managed_keys:
            self.key = azure.keyvault.Key(
                ctx.name("key"),
                key_name=ctx.name("key"),
                vault_name=self.key_vault.name,
                resource_group_name=rg,
                properties={
                    # HSM-backed: the vault is Premium whenever there is a platform key.
                    "kty": "RSA-HSM",
                    "key_size": 3072,
                    "key_ops": ["wrapKey", "unwrapKey"],
                    "rotation_policy": {
                        "attributes": {"expiry_time": "P2Y"},
                        "lifetime_actions": [
                            {"action": {"type": "rotate"}, "trigger": {"time_after_create": "P1Y"}},
                            {"action": {"type": "notify"}, "trigger": {"time_before_expiry": "P30D"}},
                        ],
                    },
                },
                tags=tags,
                opts=ctx.stateful(self),
            )
            self.key_access.append(
                roles.assign(
                    ctx.name("identity-key-user"),
                    self.subscription_id,
                    self.identity.principal_id,
                    roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
                    self.key_vault.id,
                    self,
                )
            )

    def _storage(self, tags: dict, location: str) -> None:
        """The ADLS Gen2 storage account (also the feature store's offline store) and its containers."""
        ctx, rg = self.ctx, self.resource_group.name
        private = ctx.private
        public_access = "Disabled" if private else "Enabled"
        encryption = {"key_source": "Microsoft.Storage", "services": {"blob": {"enabled": True, "key_type": "Account"}}}
        if self.key is not None:
            encryption = {
                "key_source": "Microsoft.Keyvault",
                "key_vault_properties": {"key_name": self.key.name, "key_vault_uri": self.key_vault.properties.vault_uri},
                "encryption_identity": {"encryption_user_assigned_identity": self.identity.id},
                "require_infrastructure_encryption": True,
                "services": {"blob": {"enabled": True, "key_type": "Account"}},
            }
        self.storage_account = azure.storage.StorageAccount(
            ctx.name("storage"),
            account_name=unique_name(ctx.settings.azure_subscription_id, ctx.prefix, "st"),
            resource_group_name=rg,
            location=location,
            kind="StorageV2",
            sku={"name": "Standard_ZRS" if ctx.protect else "Standard_LRS"},
            is_hns_enabled=True,
            allow_blob_public_access=False,
            allow_shared_key_access=False,
            enable_https_traffic_only=True,
            minimum_tls_version="TLS1_2",
            public_network_access=public_access,
            network_rule_set={"default_action": "Deny" if private else "Allow", "bypass": "AzureServices"},
            identity={"type": "UserAssigned", "user_assigned_identities": [self.identity.id]},
            encryption=encryption,
            tags=tags,
            opts=ctx.stateful(self, depends_on=self.key_access),
        )
        self.containers = {
            purpose: azure.storage.BlobContainer(
                ctx.name(purpose),
                container_name=purpose,
                account_name=self.storage_account.name,
                resource_group_name=rg,
                public_access="None",
                opts=ctx.stateful(self.storage_account),
            )
            for purpose in ("artifacts", "data")
        }

    def _logging_and_images(self, tags: dict, location: str) -> None:
        """Log Analytics, Application Insights and the container registry."""
        ctx, rg = self.ctx, self.resource_group.name
        private = ctx.private
        public_access = "Disabled" if private else "Enabled"
        self.log_analytics = azure.operationalinsights.Workspace(
            ctx.name("logs"),
            resource_group_name=rg,
            location=location,
            sku={"name": "PerGB2018"},
            retention_in_days=30 if ctx.spec.environment.value == "dev" else 90,
            **public_monitor_access(ctx),
            tags=tags,
            opts=ctx.child(self),
        )
        self.app_insights = azure.applicationinsights.Component(
            ctx.name("insights"),
            resource_group_name=rg,
            location=location,
            kind="web",
            application_type="web",
            ingestion_mode="LogAnalytics",
            workspace_resource_id=self.log_analytics.id,
            disable_local_auth=True,
            **public_monitor_access(ctx),
            tags=tags,
            opts=ctx.child(self),
        )
        self.container_registry = azure.containerregistry.Registry(
            ctx.name("acr"),
            registry_name=unique_name(ctx.settings.azure_subscription_id, ctx.prefix, "acr", 50),
            resource_group_name=rg,
            location=location,
            sku={"name": "Premium" if private or ctx.customer_managed_keys else "Basic"},
            zone_redundancy="Enabled" if private or ctx.customer_managed_keys else None,
            admin_user_enabled=False,
            public_network_access=public_access,
            # This API version takes a map of identity id -> {} here (the workspace takes a list).
            identity={"type": "UserAssigned", "user_assigned_identities": self.identity.id.apply(lambda i: {i: {}})},
            encryption=(
                {
                    "status": "enabled",
                    "key_vault_properties": {"key_identifier": self.key.key_uri, "identity": self.identity.client_id},
                }
                if self.key is not None
                else None
            ),
            tags=tags,
            opts=ctx.stateful(self, depends_on=self.key_access),
        )

    def _workspace(self, tags: dict) -> None:
        """The Azure ML workspace, the identity's grants on its companions, and its image pull grant."""
        ctx = self.ctx
        # The workspace's primary identity is the user-assigned identity: Microsoft lists the roles it needs
        # on the workspace's companions ("Set up authentication between Azure Machine Learning and other
        # services", user-assigned managed identity): Contributor on the storage account (+ Storage Blob
        # Data Contributor), Contributor + Key Vault Administrator on an RBAC key vault, Contributor on the
        # container registry and on Application Insights. Contributor is refused by the policy pack
        # (no-wildcard-iam-actions), so each companion gets its resource-type contributor role instead (the
        # same control-plane actions on that one resource) and the registry AcrPush for image builds
        # (docs/feature-store-and-registry.md). Both workspaces (this one and the feature store) wait for
        # them: `workspace_dependencies`.
        self.workspace_access: list[pulumi.Resource] = [
            roles.assign(ctx.name(f"identity-{label}"), self.subscription_id, self.identity.principal_id, role, scope, self)
            for label, role, scope in (
                ("storage-contributor", roles.STORAGE_ACCOUNT_CONTRIBUTOR, self.storage_account.id),
                ("blob", roles.STORAGE_BLOB_DATA_CONTRIBUTOR, self.storage_account.id),
                ("kv-contributor", roles.KEY_VAULT_CONTRIBUTOR, self.key_vault.id),
                ("kv-admin", roles.KEY_VAULT_ADMINISTRATOR, self.key_vault.id),
                ("acr-contributor", roles.CONTAINER_REGISTRY_CONTRIBUTOR, self.container_registry.id),
                ("acr-push", roles.ACR_PUSH, self.container_registry.id),
                ("insights-contributor", roles.APPLICATION_INSIGHTS_COMPONENT_CONTRIBUTOR, self.app_insights.id),
            )
        ]
        self.workspace = azure.machinelearningservices.Workspace(
            ctx.name("mlw"),
            workspace_name=workspace_name(ctx.prefix, "mlw"),
            kind="Default",
            **self.workspace_arguments(),
            tags=tags,
            opts=ctx.stateful(self, depends_on=self.workspace_dependencies),
        )
        roles.assign(
            ctx.name("identity-acr-pull"),
            self.subscription_id,
            self.identity.principal_id,
            roles.ACR_PULL,
            self.container_registry.id,
            self,
        )

    # -- BaseLayer (components/contract.py) ----------------------------------------------------------
    @property
    def artifacts_store(self) -> pulumi.Output:
        return self.containers["artifacts"].name

    @property
    def data_store(self) -> pulumi.Output:
        return self.containers["data"].name

    @property
    def encryption_key(self) -> pulumi.Output | None:
        return self.key.key_uri if self.key is not None else None

    @property
    def workload_identity(self) -> pulumi.Output:
        return self.identity.client_id

    @property
    def private_network(self) -> pulumi.Output | None:
        return self.vnet.id if self.vnet else None

    @property
    def workspace_dependencies(self) -> list[pulumi.Resource]:
        """What every Azure ML workspace of the platform waits for: the identity's grants on the key and
        on the workspace's companions."""
        return [*self.key_access, *self.workspace_access]

    def workspace_arguments(self) -> dict:
        """What every Azure ML workspace of the platform shares (the platform workspace and the feature
        store): location, SKU, identity, the required companions, network isolation and encryption."""
        ctx = self.ctx
        encryption = None
        if self.key is not None:
            encryption = {
                "status": "Enabled",
                "key_vault_properties": {"key_vault_arm_id": self.key_vault.id, "key_identifier": self.key.key_uri_with_version},
                "identity": {"user_assigned_identity": self.identity.id},
            }
        return {
            "resource_group_name": self.resource_group.name,
            "location": ctx.spec.region,
            "sku": {"name": "Basic", "tier": "Basic"},
            "identity": {"type": "SystemAssigned,UserAssigned", "user_assigned_identities": [self.identity.id]},
            "primary_user_assigned_identity": self.identity.id,
            "storage_account": self.storage_account.id,
            "key_vault": self.key_vault.id,
            "application_insights": self.app_insights.id,
            "container_registry": self.container_registry.id,
            "public_network_access": "Disabled" if ctx.private else "Enabled",
            "managed_network": managed_network(ctx, self.storage_account),
            "system_datastores_auth_mode": "identity",
            "hbi_workspace": ctx.customer_managed_keys,
            "encryption": encryption,
        }
