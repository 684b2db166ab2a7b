"""GCP (`pulumi_gcp`) resource types: one row per type token (see the package docstring).

Tags: GCP calls them labels: `labels` on most types, `resourceLabels` on GKE clusters, `userLabels` where
`labels` is configuration (monitoring notification channels).
"""

from __future__ import annotations

from . import FREE, CloudCatalog, DynamicProvider, free, priced, row, unpriced, usage_only
from . import gcp_readers as r
from . import rag_readers as rag
from . import use_case_grants as grants
from . import monitoring_rows

L = "labels"
VERTEX_CMK = {"encryption": r.VERTEX_ENCRYPTION}
BUCKET_GRANT = {"public_access": r.bucket_grant_public_access}

ROWS = (
    # Shared layer: projects, identity, keys, storage, network
    row("gcp:projects/service:Service", ("base", "retraining", "batch_inference"), FREE),
    row("gcp:projects/serviceIdentity:ServiceIdentity", "base", FREE),
    row("gcp:projects/iAMMember:IAMMember", ("feature_store", "registry", "training", "retraining", "promotion",
                                             "batch_inference", "rag"), FREE, readers={"use_case_grants": grants.GCP}),
    # The RAG workload role (it grants RAG Engine queries) stands for the stack's model calls in the
    # invocation-logging check: no other RAG resource exists on GCP when RAG Engine cannot fill the index.
    row("gcp:projects/iAMCustomRole:IAMCustomRole", ("registry", "retraining", "promotion", "batch_inference", "use_cases", "rag"),
        FREE, readers=rag.VERTEX_MODEL_USER),
    # The runs' GPU hours are priced from usage (retraining runs x hours_per_run), not by the job.
    row("gcp:cloudscheduler/job:Job", ("retraining", "batch_inference"), free(
        "USD 0.10 per job per month beyond 3 free per billing account (cloud.google.com/scheduler/pricing, 2026-11)"),
        readers={"training_spot": r.scheduled_job_spot}),
    # Drift-triggered retraining: a few runs a month, far inside the free tiers (workflows: 5,000 internal
    # steps a month free, cloud.google.com/workflows/pricing; Eventarc Pub/Sub triggers: billed as Pub/Sub
    # delivery, cloud.google.com/eventarc/pricing; read 2026-11).
    row("gcp:workflows/workflow:Workflow", "retraining",
        usage_only("per workflow step beyond 5,000 a month free (cloud.google.com/workflows/pricing)"), tags="labels",
        readers={"training_spot": r.workflow_job_spot}),
    row("gcp:eventarc/trigger:Trigger", "retraining",
        usage_only("Pub/Sub-sourced events are billed as Pub/Sub deliveries (cloud.google.com/eventarc/pricing)"),
        tags="labels"),
    row("gcp:organizations/iAMCustomRole:IAMCustomRole", "base", FREE),
    row("gcp:serviceaccount/account:Account", ("base", "training", "retraining", "use_cases", "batch_inference"), FREE),
    row("gcp:serviceaccount/iAMMember:IAMMember", ("training", "retraining", "use_cases", "batch_inference"), FREE,
        readers={"use_case_grants": grants.GCP}),
    row("gcp:serviceaccount/key:Key", "base", FREE, readers={"local_auth": r.service_account_key}),
    row("gcp:kms/keyRing:KeyRing", "base", FREE, stateful=True),
    row("gcp:kms/cryptoKey:CryptoKey", "base", priced("crypto_key"), tags=L, stateful=True,
        readers={"rotation": r.crypto_key_rotation}),
    row("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "base", FREE),
    row("gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding", "base", FREE),
    row("gcp:storage/bucket:Bucket", ("base", "vector_search"), priced("stored_gb", sku="storage/standard"), tags=L,
        stateful=True, readers={"encryption": r.BUCKET_ENCRYPTION, "public_access": r.bucket_public_access}),
    row("gcp:storage/bucketIAMMember:BucketIAMMember", ("base", "vector_search", "promotion", "use_cases", "rag"), FREE,
        readers={**BUCKET_GRANT, "use_case_grants": grants.GCP}),
    row("gcp:storage/bucketIAMBinding:BucketIAMBinding", "base", FREE, readers=BUCKET_GRANT),
    row("gcp:storage/bucketIAMPolicy:BucketIAMPolicy", "base", FREE, readers=BUCKET_GRANT),
    row("gcp:storage/bucketAccessControl:BucketAccessControl", "base", FREE, readers=BUCKET_GRANT),
    row("gcp:storage/hmacKey:HmacKey", "base", FREE, readers={"local_auth": r.hmac_key}),
    row("gcp:compute/network:Network", ("base", "training"), FREE),
    row("gcp:compute/subnetwork:Subnetwork", ("base", "training"), FREE),
    row("gcp:compute/firewall:Firewall", ("base", "training"), FREE, roles={"gcp-firewall"}),
    row("gcp:compute/router:Router", "base", FREE),
    row("gcp:compute/routerNat:RouterNat", "base",
        usage_only("billed per VM using it and per GB processed; no VM while idle")),
    row("gcp:compute/globalAddress:GlobalAddress", "base", FREE, tags=L),
    row("gcp:servicenetworking/connection:Connection", "base", FREE),
    row("gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy", "base", usage_only(
        "the policy is free; the Private Service Connect endpoints it creates for the service are billed per "
        "endpoint-hour and GB processed (created on demand: not in the usage model)"), tags=L),
    row("gcp:dns/managedZone:ManagedZone", "base", priced("monthly", sku="dns/managed-zone", what="zone"), tags=L),
    row("gcp:logging/projectBucketConfig:ProjectBucketConfig", "base", usage_only("billed per GB ingested")),
    # Training
    row("gcp:container/cluster:Cluster", "training", priced("hourly", sku="gke/cluster-management", what="cluster"),
        tags="resourceLabels", readers={"public_network": r.cluster_network}),
    row("gcp:container/nodePool:NodePool", "training", priced("node_pool"), roles={"training-capacity"},
        readers=r.NODE_POOL),
    # On the GKE training cluster through pulumi-kubernetes: the use cases' GPU shares (gcp/gpu_shares.py).
    # Their cost is the GPU pool's; GKE cost allocation splits it by namespace.
    row("kubernetes:core/v1:Namespace", "training", FREE),
    row("kubernetes:core/v1:ResourceQuota", "training", FREE),
    row("kubernetes:core/v1:ServiceAccount", "training", FREE),
    # Feature store
    row("gcp:bigquery/dataset:Dataset", ("endpoints", "feature_store"), FREE, tags=L, stateful=True),
    row("gcp:bigquery/table:Table", ("endpoints", "feature_store"), FREE, tags=L),
    row("gcp:bigquery/datasetIamMember:DatasetIamMember", "feature_store", FREE),
    row("gcp:vertex/aiFeatureGroupIamMember:AiFeatureGroupIamMember", "use_cases", FREE,
        readers={"use_case_grants": grants.GCP}),
    row("gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore", "feature_store", priced("feature_online_store"),
        tags=L, stateful=True, readers=VERTEX_CMK),
    row("gcp:vertex/aiFeatureOnlineStoreFeatureview:AiFeatureOnlineStoreFeatureview", "feature_store", FREE, tags=L),
    row("gcp:vertex/aiFeatureGroup:AiFeatureGroup", "feature_store", FREE, tags=L, stateful=True),
    row("gcp:vertex/aiFeatureGroupFeature:AiFeatureGroupFeature", "feature_store", FREE, tags=L),
    row("gcp:vertex/aiFeatureStore:AiFeatureStore", "feature_store",
        unpriced("legacy feature store nodes are not in the usage model"), tags=L, stateful=True),
    # Registry
    row("gcp:artifactregistry/repository:Repository", "registry", usage_only("billed per GB of images stored"),
        tags=L, stateful=True, readers={"encryption": r.REPOSITORY_ENCRYPTION}),
    row("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", ("registry", "promotion"), FREE),
    row("gcp:vertex/aiMetadataStore:AiMetadataStore", "registry", FREE, stateful=True, readers=VERTEX_CMK),
    row("gcp:vertex/aiDataset:AiDataset", "training", FREE, tags=L, readers=VERTEX_CMK),
    # Endpoints
    row("gcp:vertex/aiEndpoint:AiEndpoint", "endpoints", FREE, tags=L,
        readers={**VERTEX_CMK, "public_network": r.endpoint_network}),
    row("gcp:vertex/aiEndpointIamMember:AiEndpointIamMember", "use_cases", FREE,
        readers={"use_case_grants": grants.GCP}),
    row("gcp:vertex/aiEndpointWithModelGardenDeployment:AiEndpointWithModelGardenDeployment", "endpoints",
        priced("model_garden_deployment")),
    row("gcp:cloudrunv2/service:Service", "endpoints",
        usage_only("billed per vCPU-second, GB-second and request while serving"), tags=L,
        readers={"idle_instances": r.min_instances}),
    # Vector search
    row("gcp:vertex/aiIndex:AiIndex", "vector_search", FREE, tags=L, stateful=True, readers=VERTEX_CMK,
        reads=(("vector_search", "gcp:storage/bucket:Bucket"),)),
    row("gcp:vertex/aiIndexEndpoint:AiIndexEndpoint", "vector_search", FREE, tags=L,
        readers={**VERTEX_CMK, "public_network": r.index_endpoint_network}),
    row("gcp:vertex/aiIndexEndpointDeployedIndex:AiIndexEndpointDeployedIndex", "vector_search",
        priced("deployed_index")),
    # Budget
    row("gcp:billing/budget:Budget", ("budget", "use_cases"), free("billing budgets are free"), roles={"budget"},
        readers={"budget_amount": r.budget_amount}),
    row("gcp:monitoring/notificationChannel:NotificationChannel", ("budget", "use_cases", "monitoring"), FREE, tags="userLabels",
        roles={"alert-subscriber"}, readers={"subscribers": monitoring_rows.one}),
    *monitoring_rows.GCP,
    # RAG generation (model tokens are priced from the model catalogue: mlplat/finops/tokens.py)
    # Vertex AI Data Access audit logs: model calls and RAG reads (docs/rag.md; cloud.google.com/stackdriver/pricing).
    row("gcp:projects/iAMAuditConfig:IAMAuditConfig", "rag", usage_only(
        "one Data Access log entry per model call or RAG read, billed as Cloud Logging ingestion per GiB beyond "
        "the monthly free allotment per project (cloud.google.com/stackdriver/pricing)")),
    row("gcp:vertex/aiRagCorpus:AiRagCorpus", "rag",
        free("no charge of its own: the Vector Search index and the embedding tokens are priced"), stateful=True),
)

# mlplat's dynamic provider deploying model versions onto a Vertex AI endpoint (one entry per version).
VERTEX_DEPLOYER = DynamicProvider(
    module="components.gcp.vertex_deployer",
    inputs=frozenset({"versions", "endpoint", "display_name", "project", "location"}),
    row=row("pulumi-python:dynamic:Resource#components.gcp.vertex_deployer", "endpoints",
            priced("vertex_model_versions"), reads=(("registry", "gcp:artifactregistry/repository:Repository"),)),
)

CATALOG = CloudCatalog(cloud="gcp", package="gcp", sdk="pulumi_gcp", rows=ROWS, dynamic=(VERTEX_DEPLOYER, monitoring_rows.VERTEX_MONITOR),
                       default_readers={"iam": r.basic_role_grant})
