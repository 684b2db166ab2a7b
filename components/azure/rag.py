"""Azure RAG generation: an Azure OpenAI account (Cognitive Services, kind OpenAI) with chat and embedding
deployments, wired to the platform's AI Search service.

- The account: Entra ID only (local/key auth disabled), a custom subdomain (required for Entra ID tokens
  and private endpoints), public network disabled plus a private endpoint when private, the platform's
  key (CMK, through the platform identity) when asked, the platform identity attached.
- Deployments with capacity in 1K-tokens-per-minute units, on the catalogue row's SKU (Standard: processed in
  the region; DataZoneStandard for current chat models, which Azure no longer sells regionally: processed
  within the region's data zone, US or EU), created one after the other
  (Azure refuses concurrent deployment operations on one account); a content filter (RAI) policy on both
  when `content_filter`.
- AI Search's system identity is granted "Cognitive Services OpenAI User" on the account (the narrowest
  RBAC scope: deployments are not role-assignment scopes) so its vectorizer and indexer skill call the
  embedding deployment keyless, and "Storage Blob Data Reader" on the base account to read documents.
- Diagnostic settings send the account's logs and metrics to the platform's Log Analytics workspace.

The search index, data source, skillset and indexer are data plane (no azure-native resource): this
component outputs their JSON bodies and docs/rag.md gives the documented `az rest` commands that PUT them
(a documented command, not a dynamic provider: they are re-runnable and change with the documents).
"""

from __future__ import annotations

import json
import math

import pulumi
import pulumi_azure_native as azure

from ..catalog.models import model_for
from ..contract import RagComponent
from ..outputs import RagOutputs, pick
from ..spec.rag import RagSpec
from ..context import PlatformContext
from . import roles
from .names import unique_name
from .rag_pipeline import pipeline_definitions, pipeline_names

PRIVATE_DNS_ZONE = "privatelink.openai.azure.com"
PRIVATE_LINK_GROUP = "account"
CONTENT_FILTERS = ("hate", "sexual", "selfharm", "violence")
RAI_POLICY = "mlplat-content-filter"


class RagGeneration(RagComponent):
    CLOUD = "azure"
    COMPONENT = "RagGeneration"

    def __init__(self, name: str, ctx: PlatformContext, base, rag: RagSpec, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, opts)
        self.ctx = ctx
        vectors = ctx.built["vector_search"]["vectors"]
        tags = ctx.tags(use_case=rag.use_case or ctx.spec.vector_search.use_case)
        rg = base.resource_group.name
        chat, embedding = model_for("azure", rag.chat_model), model_for("azure", rag.embedding_model)
        subdomain = unique_name(ctx.settings.azure_subscription_id, ctx.prefix, "openai", 60, hyphens=True)
        public_network_access = self._account(ctx, base, rg, subdomain, tags)
        rai_policy = self._content_filter(ctx, rg, tags) if rag.content_filter else None
        self.chat = self._deployment(ctx, rg, "chat", chat, rag.chat_tokens_per_minute, rai_policy, tags, [])
        self.embedding = self._deployment(
            ctx, rg, "embedding", embedding, rag.embedding_tokens_per_minute, rai_policy, tags, [self.chat]
        )

        self._access_and_logging(ctx, base, pick(vectors, "search_principal_id"))

        endpoint = pulumi.Output.concat("https://", subdomain, ".openai.azure.com/")
        definitions = pulumi.Output.all(endpoint, base.storage_account.id).apply(
            lambda v: pipeline_definitions(ctx.spec, v[0], v[1], embedding)
        )
        self.finish(
            RagOutputs(
                chat_model=self.chat.name,
                embedding_model=self.embedding.name,
                retrieval=pipeline_names()["indexer"] if rag.managed_pipeline else None,
                documents_uri=vectors["documents_uri"],
                content_filter=RAI_POLICY if rai_policy else None,
                invocation_logging=base.log_analytics.name,
                extras={
                    "openai_endpoint": endpoint,
                    "chat_model_name": chat.model_id,
                    "embedding_model_name": embedding.model_id,
                    "public_network_access": public_network_access,
                    "search_endpoint": vectors["endpoint"],
                    "index_name": vectors["index_name"],
                    "pipeline_definitions": definitions.apply(lambda d: json.dumps(d, sort_keys=True))
                    if rag.managed_pipeline else None,
                },
            )
        )

    def _account(self, ctx: PlatformContext, base, rg, subdomain: str, tags: dict) -> str:
        """The Azure OpenAI account (Entra ID only, the platform key when CMK), private when the platform is;
        returns its public network access setting."""
        properties = {
            "custom_sub_domain_name": subdomain,
            "disable_local_auth": True,
            "public_network_access": "Disabled" if ctx.private else "Enabled",
            "network_acls": {"default_action": "Deny" if ctx.private else "Allow"},
        }
        if base.key is not None:
            properties["encryption"] = pulumi.Output.all(
                base.key.name, base.key_vault.properties.vault_uri, base.identity.client_id
            ).apply(lambda v: {
                "key_source": "Microsoft.KeyVault",
                "key_vault_properties": {"key_name": v[0], "key_vault_uri": v[1], "identity_client_id": v[2]},
            })
        self.account = azure.cognitiveservices.Account(
            ctx.name("openai"),
            account_name=subdomain,
            resource_group_name=rg,
            location=ctx.spec.region,
            kind="OpenAI",
            sku={"name": "S0"},
            identity={"type": "UserAssigned", "user_assigned_identities": [base.identity.id]},
            properties=properties,
            tags=tags,
            opts=ctx.stateful(self, depends_on=base.key_access),
        )
        if ctx.private:
            base.private_endpoint(self.account.id, PRIVATE_LINK_GROUP, PRIVATE_DNS_ZONE, tags, name="openai", parent=self)
        return properties["public_network_access"]

    def _content_filter(self, ctx: PlatformContext, rg, tags: dict):
        """The content filter (RAI policy) both deployments use: blocking at medium severity, jailbreak on."""
        return azure.cognitiveservices.RaiPolicy(
            ctx.name("content-filter"),
            account_name=self.account.name,
            resource_group_name=rg,
            rai_policy_name=RAI_POLICY,
            properties={
                "base_policy_name": "Microsoft.DefaultV2",
                "mode": "Blocking",
                "content_filters": [
                    {"name": kind, "source": source, "severity_threshold": "Medium", "blocking": True, "enabled": True}
                    for kind in CONTENT_FILTERS
                    for source in ("Prompt", "Completion")
                ] + [{"name": "jailbreak", "source": "Prompt", "blocking": True, "enabled": True}],
            },
            tags=tags,
            opts=ctx.child(self.account),
        )

    def _access_and_logging(self, ctx: PlatformContext, base, search_principal) -> None:
        """The search service may call the models and read the documents; the platform identity may call the
        models; the account's logs and metrics go to the platform's Log Analytics workspace."""
        roles.assign(ctx.name("search-openai-user"), base.subscription_id, search_principal,
                     roles.COGNITIVE_SERVICES_OPENAI_USER, self.account.id, self)
        roles.assign(ctx.name("search-documents-reader"), base.subscription_id, search_principal,
                     roles.STORAGE_BLOB_DATA_READER, base.storage_account.id, self)
        roles.assign(ctx.name("identity-openai-user"), base.subscription_id, base.identity.principal_id,
                     roles.COGNITIVE_SERVICES_OPENAI_USER, self.account.id, self)
        azure.monitor.DiagnosticSetting(
            ctx.name("openai-diagnostics"),
            name="mlplat-log-analytics",
            resource_uri=self.account.id,
            workspace_id=base.log_analytics.id,
            logs=[{"category_group": "allLogs", "enabled": True}],
            metrics=[{"category": "AllMetrics", "enabled": True}],
            opts=ctx.child(self.account),
        )

    def _deployment(self, ctx, rg, purpose, row, tokens_per_minute, rai_policy, tags, after):
        properties = {"model": {"format": row.model_format, "name": row.model_id, "version": row.model_version}}
        if rai_policy is not None:
            properties["rai_policy_name"] = rai_policy.name
        return azure.cognitiveservices.Deployment(
            ctx.name(purpose, "deployment"),
            account_name=self.account.name,
            resource_group_name=rg,
            deployment_name=purpose,
            sku={"name": row.sku, "capacity": math.ceil(tokens_per_minute / 1000)},
            properties=properties,
            tags=tags,
            opts=ctx.child(self.account, depends_on=after),
        )
