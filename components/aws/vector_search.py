"""AWS vector search: an OpenSearch Serverless collection of type VECTORSEARCH with its encryption, network
and data access policies, and an encrypted S3 bucket for the source documents.

Serverless collections have no dimension or metric setting: both live in the index mapping, which is
data plane. The component outputs that mapping (`index_mapping`) for users to apply (docs/vector-search.md).
Idle floor: 1 OCU with standby replicas disabled (dev), 2 OCUs with standby replicas (default elsewhere).

Standby replicas cannot change on a collection (the provider replaces it), so the collection NAME follows
the standby mode: `<prefix>-vectors` with standby replicas, `<prefix>-vectors-nostandby` without. Changing
`vector_search.replicas` between 1 and 2+ therefore creates a new, empty collection beside the old one
(never a name collision); protected stacks (prod) refuse the replacement at preview. The security
policies name both possible collections, so they never have to change during that move. Migration:
docs/vector-search.md.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ..contract import VectorSearchComponent
from ..context import PlatformContext
from ..spec.vector_search import VectorSearchSpec
from .base import Base
from .cloud import VECTOR_LIMITS
from .names import aoss_name
from . import iam
from .buckets import hardened_bucket
from ..outputs import VectorSearchOutputs

# Data-plane permissions of the platform's execution role on the collection and its indexes: explicit
# actions only (no `aoss:*`).
COLLECTION_PERMISSIONS = ["aoss:DescribeCollectionItems"]
INDEX_PERMISSIONS = [
    "aoss:CreateIndex",
    "aoss:DescribeIndex",
    "aoss:UpdateIndex",
    "aoss:ReadDocument",
    "aoss:WriteDocument",
]
INDEX_NAME = "documents"
VECTOR_FIELD = "embedding"


def index_mapping(dimensions: int, metric: str) -> dict:
    """The k-NN index mapping (PUT /<index>) matching the spec: users apply it (data plane)."""
    return {
        "settings": {"index": {"knn": True}},
        "mappings": {
            "properties": {
                VECTOR_FIELD: {
                    "type": "knn_vector",
                    "dimension": dimensions,
                    "method": {
                        "name": "hnsw",
                        "engine": "faiss",
                        "space_type": VECTOR_LIMITS.metrics[metric],
                        "parameters": {"m": 16, "ef_construction": 512},
                    },
                },
                "text": {"type": "text"},
                "source_uri": {"type": "keyword"},
                "chunk_id": {"type": "keyword"},
                "metadata": {"type": "object", "enabled": False},
            }
        },
    }


class VectorSearch(VectorSearchComponent):
    CLOUD = "aws"
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
        standby = "DISABLED" if vector_search.replicas == 1 else "ENABLED"
        names = {"ENABLED": aoss_name(ctx.prefix, "vectors"), "DISABLED": aoss_name(ctx.prefix, "vectors-nostandby")}
        collection_name = names[standby]
        # Both standby modes' collections: the policies stay unchanged when the mode (and name) changes.
        collections = [f"collection/{names['ENABLED']}", f"collection/{names['DISABLED']}"]
        indexes = [f"index/{names['ENABLED']}/*", f"index/{names['DISABLED']}/*"]

        # -- documents store ------------------------------------------------------------------------------
        self.documents_bucket = hardened_bucket(ctx, "documents", base.key_arn, tags, parent=self,
                                                log_bucket=base.log_bucket)

        self._encryption_policy(ctx, base, names, collections)
        self._network_policy(ctx, base, collections)
        self._access_policy(ctx, base, collections, indexes)

        # -- the index (collection) -----------------------------------------------------------------------
        self.collection = aws.opensearch.ServerlessCollection(
            ctx.name("vectors"),
            name=collection_name,
            type="VECTORSEARCH",
            description=f"mlplat {ctx.prefix}: RAG vectors, {vector_search.dimensions} dims, {vector_search.metric}",
            standby_replicas=standby,
            tags=tags,
            opts=ctx.stateful(self, depends_on=[self.encryption_policy, self.network_policy, self.access_policy]),
        )
        # IAM side of data-plane access: the data access policy above grants, IAM must allow the API call.
        aws.iam.RolePolicy(
            ctx.name("vectors-execution-role"),
            role=base.execution_role.id,
            policy=iam.policy_document(
                [
                    {"Effect": "Allow", "Action": ["aoss:APIAccessAll"], "Resource": [self.collection.arn]},
                    *iam.bucket_statements([self.documents_bucket.arn]),
                ]
            ),
            opts=ctx.child(self),
        )

        # -- outputs --------------------------------------------------------------------------------------
        mapping = index_mapping(vector_search.dimensions, vector_search.metric)
        self.finish(
            VectorSearchOutputs(
                service="opensearch-serverless",
                endpoint=self.collection.collection_endpoint,
                index_name=INDEX_NAME,
                documents_uri=pulumi.Output.concat("s3://", self.documents_bucket.bucket, "/"),
                dimensions=vector_search.dimensions,
                metric=vector_search.metric,
                public_network_access=not ctx.private,
                extras={
                    "collection_name": self.collection.name,
                    "collection_arn": self.collection.arn,
                    "vpc_endpoint_id": self.vpc_endpoint.id if self.vpc_endpoint else None,
                    "standby_replicas": standby,
                    "documents_bucket": self.documents_bucket.bucket,
                    "documents_bucket_arn": self.documents_bucket.arn,
                    "vector_field": VECTOR_FIELD,
                    "index_mapping": json.dumps(mapping, sort_keys=True),
                    "space_type": VECTOR_LIMITS.metrics[vector_search.metric],
                    "kms_key_arn": base.key_arn,
                },
            )
        )

    def _encryption_policy(self, ctx: PlatformContext, base: Base, names: dict[str, str], collections: list[str]) -> None:
        """The collections' encryption: the platform KMS key with customer-managed keys, else an AWS owned key."""
        encryption_policy = {
            "Rules": [{"ResourceType": "collection", "Resource": collections}],
            "AWSOwnedKey": base.key_arn is None,
        }
        if base.key_arn is not None:
            encryption_policy_json = base.key_arn.apply(lambda arn: json.dumps({**encryption_policy, "KmsARN": arn}))
        else:
            encryption_policy_json = json.dumps(encryption_policy)
        self.encryption_policy = aws.opensearch.ServerlessSecurityPolicy(
            ctx.name("vectors-encryption"),
            name=aoss_name(ctx.prefix, "vectors-enc"),
            type="encryption",
            description=f"mlplat {ctx.prefix}: "
            + ("platform KMS key" if base.key_arn is not None else "AWS owned key")
            + f" for {names['ENABLED']} / {names['DISABLED']}",
            policy=encryption_policy_json,
            opts=ctx.child(self),
        )

    def _network_policy(self, ctx: PlatformContext, base: Base, collections: list[str]) -> None:
        """Private: reachable only through a VPC endpoint in the base's private subnets. Not private (dev by
        default): public endpoint, still IAM-authenticated (SigV4) and limited by the data access policy.
        Prod is always private (network.private defaults to true outside dev)."""
        self.vpc_endpoint: aws.opensearch.ServerlessVpcEndpoint | None = None
        network_rule = {
            "Rules": [
                {"ResourceType": "collection", "Resource": collections},
                {"ResourceType": "dashboard", "Resource": collections},
            ],
        }
        if ctx.private:
            self.vpc_endpoint = aws.opensearch.ServerlessVpcEndpoint(
                ctx.name("vectors-endpoint"),
                name=aoss_name(ctx.prefix, "vectors-vpce"),
                vpc_id=base.vpc.id,
                subnet_ids=base.private_subnet_ids,
                security_group_ids=[base.security_group_id],
                opts=ctx.child(self),
            )
            network_policy_json = self.vpc_endpoint.id.apply(
                lambda vpce: json.dumps([{**network_rule, "AllowFromPublic": False, "SourceVPCEs": [vpce]}])
            )
        else:
            network_policy_json = json.dumps([{**network_rule, "AllowFromPublic": True}])
        self.network_policy = aws.opensearch.ServerlessSecurityPolicy(
            ctx.name("vectors-network"),
            name=aoss_name(ctx.prefix, "vectors-net"),
            type="network",
            description=f"mlplat {ctx.prefix}: "
            + ("VPC endpoint only" if ctx.private else "public endpoint (not private: dev), IAM-authenticated"),
            policy=network_policy_json,
            opts=ctx.child(self),
        )

    def _access_policy(self, ctx: PlatformContext, base: Base, collections: list[str], indexes: list[str]) -> None:
        """The data access policy: the platform execution role reads and writes the collections and their indexes."""
        self.access_policy = aws.opensearch.ServerlessAccessPolicy(
            ctx.name("vectors-access"),
            name=aoss_name(ctx.prefix, "vectors-access"),
            type="data",
            description=f"mlplat {ctx.prefix}: the platform execution role reads and writes the vector collection",
            policy=base.execution_role.arn.apply(
                lambda role_arn: json.dumps(
                    [
                        {
                            "Rules": [
                                {
                                    "ResourceType": "collection",
                                    "Resource": collections,
                                    "Permission": COLLECTION_PERMISSIONS,
                                },
                                {
                                    "ResourceType": "index",
                                    "Resource": indexes,
                                    "Permission": INDEX_PERMISSIONS,
                                },
                            ],
                            "Principal": [role_arn],
                        }
                    ]
                )
            ),
            opts=ctx.child(self),
        )
