"""Azure model registry: the platform workspace's model registry plus a container registry for serving images.

Decision (docs/feature-store-and-registry.md): models are registered in the base layer's Azure ML
workspace, not in a separate `machinelearningservices.Registry`. One platform is one workspace per
environment; the workspace already carries the platform's customer-managed key, private endpoint and
managed network, while an Azure ML registry is a separate, cross-workspace and cross-region asset store
with its own system-created storage and ACR, meant for sharing between workspaces. Promotion between
environments is a re-registration from the artifacts store, so nothing here needs cross-workspace reach.

Approval: Azure ML models have no approval status. `approval_required` maps to the model version
`stage`: new versions are registered in stage `Development` (`default_approval_status` = "pending")
and an approver moves them to `Production`; serving deploys only `Production` versions. Without approval
the registering job sets `Production` itself.

Serving images go to a dedicated container registry (the workspace's own ACR keeps environment builds):
admin user off, anonymous pull off, Premium with the platform key when customer-managed keys are on (or
when private, with a private endpoint), untagged manifests retained 14 days (Premium only).
"""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure

from ..contract import ModelRegistryComponent
from ..context import PlatformContext
from ..spec.registry import RegistrySpec
from . import roles
from .base import Base
from .names import unique_name
from ..outputs import RegistryOutputs

UNTAGGED_RETENTION_DAYS = 14
APPROVED_STAGE = "Production"
PENDING_STAGE = "Development"
ACR_ZONE = "privatelink.azurecr.io"


class ModelRegistry(ModelRegistryComponent):
    CLOUD = "azure"
    COMPONENT = "ModelRegistry"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        registry: RegistrySpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        tags = ctx.tags()
        rg = base.resource_group.name
        private = ctx.private
        approval_required = bool(registry.approval_required)
        premium = private or base.key is not None

        encryption = None
        if base.key is not None:
            encryption = {
                "status": "enabled",
                # Versionless key URI: the registry follows the key's rotation.
                "key_vault_properties": {"key_identifier": base.key.key_uri, "identity": base.identity.client_id},
            }
        policies = None
        if premium:
            policies = {"retention_policy": {"days": UNTAGGED_RETENTION_DAYS, "status": "enabled"}}
        self.container_registry = azure.containerregistry.Registry(
            ctx.name("serving-images"),
            registry_name=unique_name(ctx.settings.azure_subscription_id, ctx.prefix, "serving", 50),
            resource_group_name=rg,
            location=ctx.spec.region,
            sku={"name": "Premium" if premium else "Basic"},
            # Zone redundancy is a Premium feature (Basic registries are a dev cost choice).
            zone_redundancy="Enabled" if premium else None,
            admin_user_enabled=False,
            anonymous_pull_enabled=False,
            public_network_access="Disabled" if private else "Enabled",
            network_rule_bypass_options="AzureServices",
            # This API takes a map identity id -> {} (not a list).
            identity={"type": "UserAssigned", "user_assigned_identities": base.identity.id.apply(lambda i: {i: {}})},
            encryption=encryption,
            policies=policies,
            tags=tags,
            # Encrypted with the platform key through the identity: wait for the identity's key grant.
            opts=ctx.stateful(self, depends_on=base.key_access),
        )
        roles.assign(
            ctx.name("identity-serving-acr-pull"),
            base.subscription_id,
            base.identity.principal_id,
            roles.ACR_PULL,
            self.container_registry.id,
            self,
        )
        if private:
            self._private_endpoint(ctx, base, tags)

        self.finish(
            RegistryOutputs(
                model_registry=base.workspace.name,
                image_repository_url=self.container_registry.login_server,
                approval_required=approval_required,
                default_approval_status="pending" if approval_required else "approved",
                extras={
                    "model_registry_kind": "workspace",
                    "registration_stage": PENDING_STAGE if approval_required else APPROVED_STAGE,
                    "approved_stage": APPROVED_STAGE,
                    "image_registry": self.container_registry.name,
                    "image_registry_id": self.container_registry.id,
                },
            )
        )

    def _private_endpoint(self, ctx: PlatformContext, base, tags: dict) -> None:
        """A private endpoint for the serving registry in the platform's registry DNS zone."""
        base.private_endpoint(
            self.container_registry.id, "registry", ACR_ZONE, tags, name="serving-images", parent=self.container_registry
        )
