"""GCP as mlplat sees it: region names, label rules, what it lacks, and the component of each capability.

Cheap to import (no pulumi_gcp): the component classes are imported when a platform is built.
"""

from __future__ import annotations

import re

from ..catalog.naming_rules import TAGS_PER_RESOURCE
from ..cloud import CloudFeature, CloudProvider, CloudVectorLimits, TagError, TagRules, components_by_capability

PROJECT_PLACEHOLDER = "change-me-gcp-project"
BILLING_ACCOUNT_PLACEHOLDER = "000000-000000-000000"  # the GCP budget is created on this billing account


def _label_text(text: str) -> str:
    # Labels: lowercase letters, digits, `_` and `-`; `@` becomes `_at_`, anything else `_`.
    text = text.lower().replace("@", "_at_")
    return re.sub(r"[^a-z0-9_-]", "_", text)


def _label_key(key: str, field: str) -> str:
    normalised = _label_text(key)
    if not normalised or not normalised[0].isalpha() or len(normalised) > 63:
        raise TagError(
            field, f"GCP label key {key!r} (normalised {normalised!r}) must start with a letter and be at most 63 characters"
        )
    return normalised


def _label_value(value: str, field: str) -> str:
    normalised = _label_text(value)
    if len(normalised) > 63:
        raise TagError(field, f"GCP label value {value!r} (normalised {normalised!r}) is longer than 63 characters")
    return normalised


# Vector search: feature normalisation per neutral metric (UNIT_L2_NORM turns dot product into cosine),
# and what the size hint becomes: tier -> (shard size, the smallest machine type Vertex serves it on).
FEATURE_NORM = {"cosine": "UNIT_L2_NORM", "dot_product": "NONE", "euclidean": "NONE"}
SHARD = {
    "small": ("SHARD_SIZE_SMALL", "e2-standard-2"),
    "medium": ("SHARD_SIZE_MEDIUM", "e2-standard-16"),
    "large": ("SHARD_SIZE_LARGE", "e2-highmem-16"),
}

VECTOR_LIMITS = CloudVectorLimits(
    cloud="gcp",
    service="Vertex AI Vector Search",
    # The index API takes `dimensions` as int32 and documents no maximum.
    max_dimensions=None,
    # distanceMeasureType (+ featureNormType): cosine is served as dot product over unit-normalised
    # vectors, Google's recommendation instead of COSINE_DISTANCE (same ranking, faster).
    metrics={"cosine": "DOT_PRODUCT_DISTANCE", "dot_product": "DOT_PRODUCT_DISTANCE", "euclidean": "SQUARED_L2_DISTANCE"},
    source="cloud.google.com/vertex-ai/docs/vector-search/configuring-indexes",
)


class GcpCloud(CloudProvider):
    name = "gcp"
    display_name = "GCP"
    provider_package = "gcp"
    region_pattern = re.compile(r"^[a-z]+-[a-z]+\d+$")
    region_example = "us-central1"
    service_names = {"endpoints": "Vertex AI endpoints", "registry": "Vertex AI model registry", "training": "GKE",
                     "feature_store": "Vertex AI feature online store", "vector_search": "Vertex AI Vector Search"}
    metro_regions = {
        "us-east": "us-east4", "us-central": "us-central1", "us-west": "us-west1", "eu-west": "europe-west1",
        "eu-central": "europe-west3", "uk": "europe-west2", "japan": "asia-northeast1", "southeast-asia": "asia-southeast1",
    }
    required_config = ("gcp:project",)
    # BigQuery column types of the Vertex AI Feature Store source table; a vector is a FLOAT64 column in
    # mode REPEATED (ARRAY<FLOAT64>, components/gcp/feature_store.py).
    feature_types = {"int": "INT64", "float": "FLOAT64", "string": "STRING", "bool": "BOOL", "timestamp": "TIMESTAMP",
                     "vector": "FLOAT64"}
    entity_feature_type = "STRING"
    event_time_feature_type = "TIMESTAMP"

    # A promoted-to stack uploads the previous environment's models as its own workload account.
    offered_features = frozenset({CloudFeature.PROMOTED_FROM_GRANTS})

    def gpu_row_format(self):
        from .gpu_rows import GPU_ROWS

        return GPU_ROWS

    def spec_names(self, spec, subscription: str | None = None) -> list:
        from .names import spec_names

        return list(spec_names(spec, subscription))

    def base_component(self) -> type:
        from .base import Base

        return Base

    def capability_components(self) -> dict[str, type]:
        from .batch_inference import BatchInference
        from .budget import Budget
        from .endpoint import Endpoint
        from .feature_store import FeatureStore
        from .monitoring import Monitoring
        from .promotion import Promotion
        from .rag import RagGeneration
        from .registry import ModelRegistry
        from .retraining import Retraining
        from .training import TrainingCluster
        from .use_case import UseCase
        from .vector_search import VectorSearch

        return components_by_capability(TrainingCluster, FeatureStore, ModelRegistry, Endpoint, VectorSearch, Budget,
                                        Monitoring, RagGeneration, Retraining, Promotion, BatchInference, UseCase)

    def promotion_principal_error(self, principal: str) -> str | None:
        return None if re.fullmatch(r"[a-z][a-z0-9-]{4,28}[a-z0-9]", principal) else f"{principal!r} is not a GCP project id (6-30 lowercase letters, digits, hyphens)"

    def unsupported_features(self) -> dict[CloudFeature, str]:
        keeps_one = "Vertex AI endpoints keep at least 1 replica (scale to zero is preview only)"
        return {
            CloudFeature.MODEL_QUALITY: (
                "Vertex AI model deployment monitoring has no model-quality objective and the spec carries no "
                "ground truth: join the request-response BigQuery table with the labels on a schedule "
                "(`bq mk --transfer_config --data_source=scheduled_query`, query in docs/monitoring.md)"
            ),
            CloudFeature.ENDPOINT_SCALE_TO_ZERO: keeps_one,
            CloudFeature.GPU_ENDPOINT_SCALE_TO_ZERO: keeps_one,
            CloudFeature.ALARM_ROLLBACK: (
                "Vertex AI endpoints have no alarm-driven automatic rollback; the canary share bounds the blast radius"
            ),
            CloudFeature.RETRAINING_PIPELINE: (
                "SageMaker pipelines are an AWS service; the GCP equivalent, a Vertex AI pipeline job "
                "(pipelineJobs.create from a compiled pipeline spec), is not built by mlplat: on GCP a retraining "
                "runs its image and command as a Vertex AI custom job with SPOT scheduling; remove pipeline"
            ),
        }

    def spec_gaps(self, spec) -> list[dict]:
        """Scheduled jobs do not run on the GKE cluster's spot pool (docs/retraining.md argues why): say so."""
        gaps = []
        if spec.retraining:
            names = ", ".join(item.name for item in spec.retraining)
            gaps.append({"capability": "retraining", "cloud": self.name,
                         "gap": f"retraining ({names}) runs as Vertex AI custom jobs with SPOT scheduling beside the "
                                "GKE training cluster, not on its spot node pool (Cloud Scheduler cannot start a "
                                "Kubernetes Job); the cluster stays for interactive jobs, and the runs are priced at "
                                "the node pool's spot rate (docs/retraining.md)"})
        if spec.batch_inference:
            names = ", ".join(item.name for item in spec.batch_inference)
            gaps.append({"capability": "batch_inference", "cloud": self.name,
                         "gap": f"batch inference ({names}) runs as Vertex AI batch prediction jobs on the endpoint's "
                                "machine shape, beside the GKE training cluster, not on it (docs/retraining.md)"})
        return gaps

    def tag_rules(self) -> TagRules:
        # pulumi-gcp adds goog-pulumi-provisioned itself.
        return TagRules(kind="labels", max_tags=TAGS_PER_RESOURCE["gcp"].limit, normalise_key=_label_key, normalise_value=_label_value,
                        reserved_keys=frozenset({"goog-pulumi-provisioned"}))

    def rag_pipeline_fixed_size(self) -> str | None:
        return "Vertex AI RAG Engine embeds at the model's default size (RagEmbeddingModelConfig has no output dimensionality)"

    def vector_limits(self) -> CloudVectorLimits:
        return VECTOR_LIMITS

    def reserved_feature_columns(self) -> dict[str, str]:
        return {
            "feature_timestamp": (
                "mlplat's BigQuery view for Vertex AI Feature Store generates this column from event_time "
                "(the name Vertex AI Feature Store reads)"
            ),
        }

    def event_time_column_is_renamed(self) -> bool:
        return True

    def provider_config(self, region: str) -> dict[str, str]:
        return {"gcp:project": PROJECT_PLACEHOLDER, "gcp:region": region,
                "mlplat:gcpBillingAccount": BILLING_ACCOUNT_PLACEHOLDER}
