"""GCP vector search: a Vertex AI Vector Search index (streaming updates) deployed on an index endpoint
(VPC-peered when private, public otherwise) with dedicated replicas, and a GCS bucket for the source
documents.

Dimensions and distance are set on the index itself; datapoints are upserted through the data plane
(docs/vector-search.md). Idle floor: 1 replica of e2-standard-2 serving a SMALL shard (dev).
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from ..contract import VectorSearchComponent
from ..context import PlatformContext
from ..spec.vector_search import VectorSearchSpec
from .base import Base
from .cloud import FEATURE_NORM, SHARD, VECTOR_LIMITS
from .names import deployed_index_id
from ..outputs import VectorSearchOutputs

APPROXIMATE_NEIGHBORS = 150


class VectorSearch(VectorSearchComponent):
    CLOUD = "gcp"
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
        labels = ctx.tags(use_case=vector_search.use_case)
        after_apis = dict(depends_on=base.services)
        shard_size, machine_type = SHARD[vector_search.tier]
        distance = VECTOR_LIMITS.metrics[vector_search.metric]
        feature_norm = FEATURE_NORM[vector_search.metric]
        dev = ctx.spec.environment.value == "dev"
        min_replicas = vector_search.replicas
        max_replicas = min_replicas if dev else 2 * min_replicas

        self._documents_store(ctx, base, labels, after_apis)

        # -- encryption -----------------------------------------------------------------------------------
        # With customer-managed keys, the index and the index endpoint are encrypted with the platform key;
        # the Vertex AI service agent must be able to use it before either is created.
        encryption_spec = None
        key_ready = base.key_access("aiplatform")
        if base.key_id is not None:
            encryption_spec = {"kms_key_name": base.key_id}

        self._index(ctx, base, vector_search, labels, encryption_spec, key_ready)
        self._endpoint(ctx, base, labels, encryption_spec, key_ready, machine_type, min_replicas, max_replicas)

        # -- access ---------------------------------------------------------------------------------------
        # The workload service account reads and writes documents (above); querying and upserting the
        # index use its Vertex AI project role (the workload custom role of the registry component).

        # -- outputs --------------------------------------------------------------------------------------
        self.finish(
            VectorSearchOutputs(
                service="vertex-ai-vector-search",
                endpoint=None if ctx.private else self.endpoint.public_endpoint_domain_name,
                index_name=self.deployed_index.deployed_index_id,
                documents_uri=self.documents_bucket.url,
                dimensions=vector_search.dimensions,
                metric=vector_search.metric,
                public_network_access=not ctx.private,
                extras={
                    "documents_bucket": self.documents_bucket.name,
                    "index_id": self.index.id,
                    "index_endpoint_id": self.endpoint.id,
                    "shard_size": shard_size,
                    "machine_type": machine_type,
                    "min_replicas": min_replicas,
                    "max_replicas": max_replicas,
                    "distance_measure_type": distance,
                    "feature_norm_type": feature_norm,
                    "kms_key": base.key_id,
                },
            )
        )

    def _documents_store(self, ctx: PlatformContext, base: Base, labels: dict, after_apis: dict) -> None:
        """The documents bucket (versioned, platform key, access logs) and the workloads' read/write grant on it."""
        region = ctx.spec.region
        self.documents_bucket = gcp.storage.Bucket(
            ctx.name("documents"),
            project=base.project,
            location=region.upper(),
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning={"enabled": True},
            encryption={"default_kms_key_name": base.key_id} if base.key_id is not None else None,
            logging=base.access_logging("documents"),
            force_destroy=False,
            labels=labels,
            opts=ctx.stateful(self, **after_apis),
        )
        gcp.storage.BucketIAMMember(
            ctx.name("documents", "workloads"),
            bucket=self.documents_bucket.name,
            role="roles/storage.objectUser",
            member=base.workload_account.member,
            opts=ctx.child(self.documents_bucket),
        )

    def _index(self, ctx: PlatformContext, base: Base, vector_search: VectorSearchSpec, labels: dict, encryption_spec,
               key_ready: list) -> None:
        """The streaming-update index (tree-AH) with the tier's shard size and the metric's distance and norm."""
        region = ctx.spec.region
        shard_size = SHARD[vector_search.tier][0]
        distance = VECTOR_LIMITS.metrics[vector_search.metric]
        feature_norm = FEATURE_NORM[vector_search.metric]
        self.index = gcp.vertex.AiIndex(
            ctx.name("vectors"),
            display_name=ctx.name("vectors"),
            description=f"mlplat {ctx.prefix}: RAG vectors, {vector_search.dimensions} dims, {vector_search.metric}",
            project=base.project,
            region=region,
            index_update_method="STREAM_UPDATE",
            metadata={
                "config": {
                    "dimensions": vector_search.dimensions,
                    "distance_measure_type": distance,
                    "feature_norm_type": feature_norm,
                    "approximate_neighbors_count": APPROXIMATE_NEIGHBORS,
                    "shard_size": shard_size,
                    "algorithm_config": {
                        "tree_ah_config": {"leaf_node_embedding_count": 1000, "leaf_nodes_to_search_percent": 10}
                    },
                }
            },
            encryption_spec=encryption_spec,
            labels=labels,
            opts=ctx.stateful(self, depends_on=[*base.services, *key_ready]),
            # prod: the provider refuses to delete the index too, not only Pulumi's protect flag.
            **({"deletion_policy": "PREVENT"} if ctx.protect else {}),
        )

    def _endpoint(self, ctx: PlatformContext, base: Base, labels: dict, encryption_spec, key_ready: list, machine_type: str,
                  min_replicas: int, max_replicas: int) -> None:
        """The index endpoint (VPC-peered when private, public in dev) and the index deployed on it."""
        region = ctx.spec.region
        # Private: the endpoint peers into the base VPC through private services access (no public
        # endpoint); the network must be named by project *number*.
        network = None
        network_ready: list = []
        if ctx.private:
            project_number = gcp.organizations.get_project_output(project_id=base.project).number
            network = pulumi.Output.concat("projects/", project_number, "/global/networks/", base.network.name)
            network_ready = [base.private_services]

        self.endpoint = gcp.vertex.AiIndexEndpoint(
            ctx.name("vectors-endpoint"),
            display_name=ctx.name("vectors-endpoint"),
            description=f"mlplat {ctx.prefix}: " + ("VPC-peered (private)" if ctx.private else "public endpoint (dev)"),
            project=base.project,
            region=region,
            network=network,
            public_endpoint_enabled=None if ctx.private else True,
            encryption_spec=encryption_spec,
            labels=labels,
            opts=ctx.child(self, depends_on=[*base.services, *key_ready, *network_ready]),
        )
        self.deployed_index = gcp.vertex.AiIndexEndpointDeployedIndex(
            ctx.name("vectors-deployed"),
            deployed_index_id=deployed_index_id(ctx.prefix),
            display_name=ctx.name("vectors"),
            index=self.index.id,
            index_endpoint=self.endpoint.id,
            region=region,
            dedicated_resources={
                "machine_spec": {"machine_type": machine_type},
                "min_replica_count": min_replicas,
                "max_replica_count": max_replicas,
            },
            reserved_ip_ranges=[base.private_services_range.name] if ctx.private else None,
            opts=ctx.child(self),
        )
