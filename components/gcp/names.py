"""GCP physical names built from the spec: the components name their resources with these functions, and
`spec_names` lists the same names for `validate` (no Pulumi, no provider SDK here)."""

from __future__ import annotations

from typing import Iterator

from ..naming import SpecName, bounded_name, platform_name

ACCOUNT_ID_MAX = 30  # service account ids: 6-30 lower-case letters, digits and hyphens


def bq_name(*parts: str) -> str:
    """BigQuery / Vertex resource ids: letters, digits and underscores."""
    return "_".join(parts).replace("-", "_").lower()


def workload_account_id(prefix: str) -> str:
    """The workload service account id of the stack `<platform>-<environment>` (known across stacks)."""
    return f"{prefix}-workloads"[:ACCOUNT_ID_MAX].rstrip("-")


def node_account_id(prefix: str) -> str:
    return f"{prefix}-gke-nodes"[:ACCOUNT_ID_MAX].rstrip("-")


def use_case_account_id(use_case: str) -> str:
    return bounded_name(f"uc-{use_case}-id", ACCOUNT_ID_MAX)


def deployed_index_id(prefix: str) -> str:
    """Letters, digits and underscores, starting with a letter, unique in the project."""
    return platform_name(prefix, "vectors").replace("-", "_")


def logs_dataset_id(prefix: str, endpoint: str) -> str:
    return platform_name(prefix, endpoint, "logs").replace("-", "_")


def cluster_name(prefix: str) -> str:
    return platform_name(prefix, "training")


def budget_name(prefix: str, *parts: str) -> str:
    return platform_name(prefix, *parts, "budget")


def spec_names(spec, subscription: str | None = None) -> Iterator[SpecName]:
    """Every physical name the GCP components build from `spec`, with the spec field it comes from."""
    p = spec.prefix
    yield SpecName("gcp:serviceaccount/account:Account", workload_account_id(p))
    if spec.encryption.customer_managed_keys:
        yield SpecName("gcp:kms/keyRing:KeyRing", platform_name(p, "keyring"))
        yield SpecName("gcp:kms/cryptoKey:CryptoKey", platform_name(p, "key"))
    if spec.budget:
        yield SpecName("gcp:billing/budget:Budget", budget_name(p))
    if spec.training:
        yield SpecName("gcp:container/cluster:Cluster", cluster_name(p))
        yield SpecName("gcp:serviceaccount/account:Account", node_account_id(p))
    if spec.registry:
        yield SpecName("gcp:artifactregistry/repository:Repository", platform_name(p, "serving"))
    if spec.feature_store:
        yield SpecName("gcp:bigquery/dataset:Dataset", bq_name(p, "features"))
        if spec.feature_store.online:
            yield SpecName("gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore", bq_name(p, "online"))
        for i, group in enumerate(spec.feature_store.feature_groups):
            field = ("feature_store", "feature_groups", i, "name")
            yield SpecName("gcp:bigquery/table:Table", bq_name(group.name), field)
            yield SpecName("gcp:vertex/aiFeatureGroup:AiFeatureGroup", bq_name(group.name), field)
            for feature in group.features:
                yield SpecName("gcp:vertex/aiFeatureGroupFeature:AiFeatureGroupFeature", feature,
                               ("feature_store", "feature_groups", i, "features", feature))
    for i, endpoint in enumerate(spec.endpoints):
        if endpoint.logging:
            yield SpecName("gcp:bigquery/dataset:Dataset", logs_dataset_id(p, endpoint.name), ("endpoints", i, "name"))
    if spec.vector_search:
        yield SpecName("gcp:vertex/aiIndexEndpointDeployedIndex:AiIndexEndpointDeployedIndex", deployed_index_id(p))
    for i, use_case in enumerate(spec.use_cases):
        field = ("use_cases", i, "name")
        yield SpecName("gcp:serviceaccount/account:Account", use_case_account_id(use_case.name), field)
        if use_case.budget is not None:
            yield SpecName("gcp:billing/budget:Budget", budget_name(p, use_case.name), field)
