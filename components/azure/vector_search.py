"""Azure vector search: an Azure AI Search service sized from the spec (tier -> SKU and partitions,
replicas), Entra ID only (local auth disabled), private endpoint when private, and a Blob container for
the source documents in the base storage account.

The search index (vector field, dimensions, HNSW metric) is data plane: the component outputs its JSON
definition (`index_definition`) for users to PUT (docs/vector-search.md).
Idle floor: Basic, 1 replica x 1 partition = 1 search unit (dev).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_azure_native as azure

from ..contract import VectorSearchComponent
from ..context import PlatformContext
from ..spec.vector_search import VectorSearchSpec
from .base import Base
from .cloud import SEARCH_PARTITIONS, SEARCH_SKU, VECTOR_LIMITS
from . import roles
from .names import unique_name
from ..outputs import VectorSearchOutputs

PRIVATE_DNS_ZONE = "privatelink.search.windows.net"
PRIVATE_LINK_GROUP = "searchService"
DOCUMENTS_CONTAINER = "documents"
INDEX_NAME = "documents"
VECTOR_FIELD = "embedding"


def index_definition(dimensions: int, metric: str, encryption_key: dict | None = None) -> dict:
    """The search index (PUT /indexes/<name>) matching the spec: users apply it (data plane)."""
    definition = {
        "name": INDEX_NAME,
        "fields": [
            {"name": "chunk_id", "type": "Edm.String", "key": True, "filterable": True},
            {"name": "text", "type": "Edm.String", "searchable": True},
            {"name": "source_uri", "type": "Edm.String", "filterable": True},
            {
                "name": VECTOR_FIELD,
                "type": "Collection(Edm.Single)",
                "searchable": True,
                "retrievable": False,
                "dimensions": dimensions,
                "vectorSearchProfile": "default",
            },
        ],
        "vectorSearch": {
            "algorithms": [
                {
                    "name": "hnsw",
                    "kind": "hnsw",
                    "hnswParameters": {"metric": VECTOR_LIMITS.metrics[metric], "m": 4, "efConstruction": 400},
                }
            ],
            "profiles": [{"name": "default", "algorithm": "hnsw"}],
        },
    }
    if encryption_key is not None:
        definition["encryptionKey"] = encryption_key
    return definition


class VectorSearch(VectorSearchComponent):
    CLOUD = "azure"
    COMPONENT = "VectorSearch"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        vector_search: VectorSearchSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        self.ctx = ctx
        tags = ctx.tags(use_case=vector_search.use_case)
        rg = base.resource_group.name
        sku = SEARCH_SKU[vector_search.tier]
        partitions = SEARCH_PARTITIONS[vector_search.tier]

        # -- documents store ------------------------------------------------------------------------------
        # A container in the base account: same encryption (platform key when CMK), no shared keys, no
        # public blob access, private endpoint when private.
        self.documents_container = azure.storage.BlobContainer(
            ctx.name("documents"),
            container_name=DOCUMENTS_CONTAINER,
            account_name=base.storage_account.name,
            resource_group_name=rg,
            public_access="None",
            opts=ctx.stateful(self),
        )

        # -- encryption -----------------------------------------------------------------------------------
        # Azure AI Search always encrypts at rest with Microsoft-managed keys. With customer-managed keys,
        # the service *enforces* CMK: indexes and synonym maps must name the platform key in their
        # `encryptionKey` (the index definition output does), or the service reports non-compliance. The
        # service's own identity gets the key (Key Vault Crypto Service Encryption User).
        encryption_with_cmk = {"enforcement": "Enabled" if base.key is not None else "Unspecified"}

        # -- network --------------------------------------------------------------------------------------
        public_access = "Disabled" if ctx.private else "Enabled"

        # -- the index (search service) -------------------------------------------------------------------
        self.service = azure.search.Service(
            ctx.name("search"),
            search_service_name=unique_name(ctx.settings.azure_subscription_id, ctx.prefix, "search", 60, hyphens=True),
            resource_group_name=rg,
            location=ctx.spec.region,
            sku={"name": sku},
            replica_count=vector_search.replicas,
            partition_count=partitions,
            hosting_mode="Default",
            disable_local_auth=True,
            public_network_access=public_access,
            identity={"type": "SystemAssigned"},
            encryption_with_cmk=encryption_with_cmk,
            semantic_search="disabled",
            tags=tags,
            opts=ctx.stateful(self),
        )
        self.private_endpoint = None
        if ctx.private:
            self.private_endpoint = base.private_endpoint(self.service.id, PRIVATE_LINK_GROUP, PRIVATE_DNS_ZONE, tags)

        encryption_key = self._access(ctx, base)

        self._finish_outputs(base, vector_search, encryption_key, public_access, sku, partitions, encryption_with_cmk)

    def _access(self, ctx: PlatformContext, base: Base) -> pulumi.Output | None:
        """Local (API key) auth is off: workloads use the platform identity with Entra ID tokens; with
        customer-managed keys the service identity gets the key. Returns the index's `encryptionKey`."""
        roles.assign(
            ctx.name("identity-search-data"),
            base.subscription_id,
            base.identity.principal_id,
            roles.SEARCH_INDEX_DATA_CONTRIBUTOR,
            self.service.id,
            self,
        )
        # The service's own (system-assigned) identity: what reads the key and, for RAG, calls the models.
        self.principal_id = self.service.identity.apply(lambda identity: identity.principal_id if identity else None)
        encryption_key = None
        if base.key is not None:
            roles.assign(
                ctx.name("search-key-user"),
                base.subscription_id,
                self.principal_id,
                roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
                base.key_vault.id,
                self,
            )
            encryption_key = pulumi.Output.all(base.key_vault.properties.vault_uri, base.key.name).apply(
                lambda values: {"keyVaultUri": values[0], "keyVaultKeyName": values[1]}
            )
        return encryption_key

    def _finish_outputs(self, base: Base, vector_search: VectorSearchSpec, encryption_key, public_access: str, sku: str,
                        partitions: int, encryption_with_cmk: dict) -> None:
        """The outputs: where the index and the documents live, and the index definition to create."""
        definition = pulumi.Output.from_input(encryption_key).apply(
            lambda key: json.dumps(index_definition(vector_search.dimensions, vector_search.metric, key), sort_keys=True)
        )
        self.finish(
            VectorSearchOutputs(
                service="azure-ai-search",
                endpoint=pulumi.Output.concat("https://", self.service.name, ".search.windows.net"),
                index_name=INDEX_NAME,
                documents_uri=pulumi.Output.concat(
                    "https://", base.storage_account.name, ".blob.core.windows.net/", DOCUMENTS_CONTAINER
                ),
                dimensions=vector_search.dimensions,
                metric=vector_search.metric,
                public_network_access=public_access == "Enabled",
                extras={
                    "search_service": self.service.name,
                    "search_principal_id": self.principal_id,
                    "sku": sku,
                    "replicas": vector_search.replicas,
                    "partitions": partitions,
                    "documents_container": DOCUMENTS_CONTAINER,
                    "vector_field": VECTOR_FIELD,
                    "index_definition": definition,
                    "cmk_enforcement": encryption_with_cmk["enforcement"],
                },
            )
        )
