"""Promotion on Azure: a shared Azure ML registry created by the upstream stack (e.g. staging), which
staging publishes approved model versions to and the next environment's workspace deploys from, plus
the grants the next environment's platform identity needs, all on the upstream stack.

Why a registry: Azure ML workspaces cannot read each other's models; an Azure ML registry
(`machinelearningservices.Registry`) is the cross-workspace, cross-subscription asset store meant for
this ("Manage access to an Azure Machine Learning registry", learn.microsoft.com). Sharing a model copies
its artifacts into the registry's storage, so the next environment needs no access to this platform's
storage account.

Grants (to `promotion.identity`, the downstream platform identity's object id; a role assignment needs
it and a subscription id does not give it):
- Reader on the registry: "To let a user only read assets, grant the built-in Reader role" (same page);
- AcrPull on the serving-image registry: custom serving images stay where staging pushed them.
The upstream platform identity gets AzureML Registry User on the registry, so its jobs can publish.

Facts (azure-native 3.x `RegistryArgs`): registry_name, location, identity, public_network_access,
region_details (`RegistryRegionArmDetailsArgs`: location, storage_account_details
(`SystemCreatedStorageAccountArgs`), acr_details (`SystemCreatedAcrAccountArgs`: acr_account_sku)), tags.
`RegistryArgs` has no encryption setting: the registry's system-created storage and ACR are encrypted
with Microsoft-managed keys (docs/retraining.md says so).
"""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure

from ..outputs import PromotionOutputs, pick
from ..context import PlatformContext
from ..contract import PromotionComponent
from ..spec.retraining import PromotionSpec
from . import roles
from .base import Base
from .names import REGISTRY_NAME_MAX, unique_name

REGISTRY_ACR_SKU = "Premium"  # the SKU Azure ML registries create (replication to more regions needs it)


class Promotion(PromotionComponent):
    CLOUD = "azure"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        item: PromotionSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        registry = ctx.built["registry"]["registry"]
        region = ctx.spec.region
        self.registry = azure.machinelearningservices.Registry(
            ctx.name("promotion-registry"),
            registry_name=unique_name(ctx.settings.azure_subscription_id, ctx.prefix, f"to{item.to}", REGISTRY_NAME_MAX, hyphens=True),
            resource_group_name=base.resource_group.name,
            location=region,
            identity={"type": "SystemAssigned"},
            public_network_access="Disabled" if ctx.private else "Enabled",
            region_details=[{
                "location": region,
                "storage_account_details": [{"system_created_storage_account": {
                    "storage_account_type": "Standard_LRS", "allow_blob_public_access": False,
                    "storage_account_hns_enabled": False}}],
                "acr_details": [{"system_created_acr_account": {"acr_account_sku": REGISTRY_ACR_SKU}}],
            }],
            tags=ctx.tags(),
            # Prod deploys from the registry staging holds: protected there too, not only on prod stacks.
            opts=pulumi.ResourceOptions(parent=self, protect=ctx.protect or item.to == "prod"),
        )
        grants = (
            ("publish", base.identity.principal_id, roles.AZUREML_REGISTRY_USER, self.registry.id),
            (f"{item.to}-read", item.identity, roles.READER, self.registry.id),
            (f"{item.to}-images", item.identity, roles.ACR_PULL, pick(registry, "image_registry_id")),
        )
        for label, principal, role, scope in grants:
            roles.assign(ctx.name("promotion", label), base.subscription_id, principal, role, scope, self)
        self.finish(PromotionOutputs.from_dict({
            "to": item.to,
            "principal": item.principal,
            "identity": item.identity,
            "model_registry": self.registry.name,
            "image_repository_url": pick(registry, "image_repository_url"),
        }))
