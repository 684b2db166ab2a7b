"""Azure as mlplat sees it: region names, tag rules, what it lacks, and the component of each capability.

Cheap to import (no pulumi_azure_native): the component classes are imported when a platform is built.
"""

from __future__ import annotations

import re

from ..catalog.naming_rules import TAGS_PER_RESOURCE
from ..cloud import CloudFeature, CloudProvider, CloudVectorLimits, TagError, TagRules, components_by_capability

_TAG_KEY_FORBIDDEN = set('<>%&\\?/')
_GUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
SUBSCRIPTION_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def _tag_key(key: str, field: str) -> str:
    if not 1 <= len(key) <= 512 or set(key) & _TAG_KEY_FORBIDDEN:
        raise TagError(field, f"Azure tag key {key!r} must be 1-512 characters without < > % & \\ ? /")
    return key


def _tag_value(value: str, field: str) -> str:
    if len(value) > 256:
        raise TagError(field, f"Azure tag value {value!r} is longer than 256 characters")
    return value


# What the vector search size hint becomes (see docs/vector-search.md, "Sizing").
SEARCH_SKU = {"small": "basic", "medium": "standard", "large": "standard2"}
SEARCH_PARTITIONS = {"small": 1, "medium": 1, "large": 2}

VECTOR_LIMITS = CloudVectorLimits(
    cloud="azure",
    service="Azure AI Search",
    # Collection(Edm.Single) vector fields: "Valid values are 2 through 3072 dimensions".
    max_dimensions=3072,
    # `vectorSearch.algorithms[].hnswParameters.metric`.
    metrics={"cosine": "cosine", "dot_product": "dotProduct", "euclidean": "euclidean"},
    source="learn.microsoft.com/azure/search/vector-search-how-to-create-index",
    # Basic: up to 3 replicas; Standard tiers: up to 12.
    max_replicas={"small": 3, "medium": 12, "large": 12},
    tier_names=SEARCH_SKU,
)


class AzureCloud(CloudProvider):
    name = "azure"
    display_name = "Azure"
    provider_package = "azure-native"
    region_pattern = re.compile(r"^[a-z]+[a-z0-9]*$")
    region_example = "eastus"
    service_names = {"endpoints": "Azure ML online endpoints", "registry": "Azure ML registry", "training": "Azure ML compute",
                     "feature_store": "Azure ML feature store with Azure Cache for Redis",
                     "vector_search": "Azure AI Search"}
    metro_regions = {
        "us-east": "eastus", "us-central": "eastus2", "us-west": "westus2", "eu-west": "northeurope",
        "eu-central": "germanywestcentral", "uk": "uksouth", "japan": "japaneast", "southeast-asia": "southeastasia",
    }
    required_config = ("azure-native:subscriptionId",)
    batch_inference_capacity = "training"  # batch deployments run on the AmlCompute training cluster

    # Azure ML managed feature store column types; vectors: see VECTOR_FEATURE_TYPE below.
    feature_types = {"int": "long", "float": "double", "string": "string", "bool": "boolean", "timestamp": "datetime"}
    entity_feature_type = "string"
    event_time_feature_type = "datetime"

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
        from .promotion import Promotion
        from .rag import RagGeneration
        from .registry import ModelRegistry
        from .retraining import Retraining
        from .training import TrainingCluster
        from .use_case import UseCase
        from .vector_search import VectorSearch

        from .monitoring import Monitoring
        return components_by_capability(TrainingCluster, FeatureStore, ModelRegistry, Endpoint, VectorSearch, Budget,
                                        Monitoring, RagGeneration, Retraining, BatchInference, Promotion, UseCase)

    def promotion_principal_error(self, principal: str) -> str | None:
        return None if _GUID.fullmatch(principal) else f"{principal!r} is not an Azure subscription id (a GUID)"

    def promotion_identity_error(self, identity: str | None) -> str | None:
        if identity is None:
            return ("required on Azure: the object id of the next environment's platform identity (its stack output "
                    "base.extras.identity_principal_id), granted read on the shared Azure ML registry")
        return None if _GUID.fullmatch(identity) else f"{identity!r} is not an Azure object id (a GUID)"

    def batch_inference_problem(self, spec, item) -> str | None:
        if spec.training is None:
            return "needs the training section: Azure ML batch deployments run on its AmlCompute cluster"
        endpoint = next(e for e in spec.endpoints if e.name == item.endpoint)
        if endpoint.model.image:
            return (f"endpoint: {item.endpoint!r} serves a custom image; Azure ML batch deployments run MLflow "
                    "models without code, custom models need a scoring script (serve an MLflow model, or score "
                    "it with a retraining-style job)")
        return None

    def unsupported_features(self) -> dict[CloudFeature, str]:
        keeps_one = "Azure ML managed online endpoints keep at least 1 instance"
        return {
            CloudFeature.MODEL_QUALITY: (
                "a model performance signal compares predictions with ground truth data, which the spec does not "
                "carry: once labels are a data asset, run `az ml schedule create --file model-performance.yml` "
                "with a model_performance signal (docs/monitoring.md)"
            ),
            CloudFeature.DRIFT_WEBHOOK: (
                "Azure ML monitoring sends its drift notices by e-mail only (alerts.emails); alerts.webhook gets the "
                "endpoint's metric alerts, not drift"
            ),
            CloudFeature.ERROR_RATE_ALERTS: (
                "Azure Monitor metric alerts cannot divide one metric by another: the 5xx/4xx alerts fire on the "
                "error count per minute above the rate times the endpoint's expected requests per minute "
                "(usage.endpoint_requests_per_second, 1/s when not given)"
            ),
            CloudFeature.ENDPOINT_SCALE_TO_ZERO: keeps_one,
            CloudFeature.GPU_ENDPOINT_SCALE_TO_ZERO: keeps_one,
            CloudFeature.VECTOR_FEATURE_TYPE: (
                "Azure ML managed feature store feature sets have scalar column types only "
                "(string, integer, long, float, double, binary, datetime, boolean), no array or vector type"
            ),
            CloudFeature.ALARM_ROLLBACK: (
                "managed online endpoints have no alarm-driven automatic rollback; the canary share bounds the "
                "blast radius"
            ),
            CloudFeature.FEATURE_SPEC_UPLOAD: (
                "Azure ML feature sets read a FeaturesetSpec.yaml that Pulumi cannot upload with shared-key "
                "auth disabled"
            ),
        }

    def tag_rules(self) -> TagRules:
        return TagRules(kind="tags", max_tags=TAGS_PER_RESOURCE["azure"].limit, normalise_key=_tag_key, normalise_value=_tag_value,
                        case_insensitive_keys=True)

    def vector_limits(self) -> CloudVectorLimits:
        return VECTOR_LIMITS

    def spec_gaps(self, spec) -> list[dict]:
        if not (spec.feature_store and spec.feature_store.feature_groups):
            return []
        where = " from inside the VNet (the storage account is private)" if spec.network.private else ""
        reason = self.unsupported_features()[CloudFeature.FEATURE_SPEC_UPLOAD]
        return [{
            "capability": "feature_store",
            "cloud": self.name,
            "gap": f"{reason}: upload the generated specs (stack output featureset_specs){where} before "
            "materialising (docs/feature-store-and-registry.md)",
        }]

    def provider_config(self, region: str) -> dict[str, str]:
        return {"azure-native:location": region, "azure-native:subscriptionId": SUBSCRIPTION_PLACEHOLDER}
