"""AWS as mlplat sees it: region names, tag rules, what it lacks, and the component of each capability.

Cheap to import (no pulumi_aws): the component classes are imported when a platform is built.
"""

from __future__ import annotations

import re

from ..catalog.naming_rules import TAGS_PER_RESOURCE
from ..cloud import CloudFeature, CloudProvider, CloudVectorLimits, TagError, TagRules, components_by_capability

_TAG_ALLOWED = re.compile(r"^[\w\s+\-=.:/@]*$", re.UNICODE)


def _tag_key(key: str, field: str) -> str:
    # Keys 1-128 characters of letters, digits, space and + - = . _ : / @; the `aws:` prefix is AWS's own.
    if not 1 <= len(key) <= 128 or not _TAG_ALLOWED.match(key):
        raise TagError(field, f"AWS tag key {key!r} must be 1-128 letters, digits, spaces or + - = . _ : / @")
    if key.lower().startswith("aws:"):
        raise TagError(field, f"AWS tag key {key!r} uses the reserved prefix 'aws:'")
    return key


def _tag_value(value: str, field: str) -> str:
    if len(value) > 256 or not _TAG_ALLOWED.match(value):
        raise TagError(field, f"AWS tag value {value!r} must be at most 256 letters, digits, spaces or + - = . _ : / @")
    return value


VECTOR_LIMITS = CloudVectorLimits(
    cloud="aws",
    service="OpenSearch Serverless",
    # knn_vector fields: "can accommodate 16,000 dimensions" (serverless vector search collections).
    max_dimensions=16000,
    # k-NN `space_type` of the knn_vector field (faiss engine, HNSW).
    metrics={"cosine": "cosinesimil", "dot_product": "innerproduct", "euclidean": "l2"},
    source="docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-vector-search.html",
    notes="no dimension setting on the collection: dimensions live in the index mapping (stack output)",
)


class AwsCloud(CloudProvider):
    name = "aws"
    display_name = "AWS"
    provider_package = "aws"
    region_pattern = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
    region_example = "us-east-1"
    service_names = {"endpoints": "SageMaker endpoints", "registry": "SageMaker model registry", "training": "AWS Batch",
                     "feature_store": "SageMaker Feature Store (online store)", "vector_search": "OpenSearch Serverless"}
    metro_regions = {
        "us-east": "us-east-1", "us-central": "us-east-2", "us-west": "us-west-2", "eu-west": "eu-west-1",
        "eu-central": "eu-central-1", "uk": "eu-west-2", "japan": "ap-northeast-1", "southeast-asia": "ap-southeast-1",
    }
    required_config = ()
    # SageMaker Feature Store has no boolean or timestamp type: booleans are 0/1 Integral, timestamps
    # ISO-8601 UTC strings (the event time too); vectors: see VECTOR_FEATURE_TYPE below.
    feature_types = {"int": "Integral", "float": "Fractional", "string": "String", "bool": "Integral", "timestamp": "String"}
    entity_feature_type = "String"
    event_time_feature_type = "String"

    # A retraining may start a SageMaker pipeline; a promoted-to stack grants its execution role the reads.
    offered_features = frozenset({CloudFeature.RETRAINING_PIPELINE, CloudFeature.PROMOTED_FROM_GRANTS})

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
                                        Monitoring, RagGeneration, Retraining, BatchInference, Promotion, UseCase)

    def promotion_principal_error(self, principal: str) -> str | None:
        return None if re.fullmatch(r"\d{12}", principal) else f"{principal!r} is not an AWS account id (12 digits)"

    def unsupported_features(self) -> dict[CloudFeature, str]:
        return {
            CloudFeature.MODEL_QUALITY: (
                "a model-quality job compares predictions with ground truth labels, which the spec does not carry, "
                "and pulumi-aws has no ModelQualityJobDefinition: once labels land in S3, run "
                "`aws sagemaker create-model-quality-job-definition --cli-input-json file://model-quality.json` and "
                "`aws sagemaker create-monitoring-schedule` with MonitoringType ModelQuality (docs/monitoring.md)"
            ),
            CloudFeature.GPU_ENDPOINT_SCALE_TO_ZERO: (
                "SageMaker scales GPU endpoints to zero only with inference components, which pulumi-aws does "
                "not offer; serverless inference is CPU only"
            ),
            CloudFeature.VECTOR_FEATURE_TYPE: (
                "SageMaker Feature Store keeps vectors only as a Vector collection type, which exists only in "
                "InMemory online-store feature groups, while mlplat feature groups use the Standard online tier "
                "with an S3 offline store for training"
            ),
            CloudFeature.PREDICTION_DRIFT: (
                "SageMaker Model Monitor's data-quality job watches the request features; the prediction "
                "distribution is watched by a model-quality job, which needs ground truth labels (not in the spec) "
                "and has no pulumi-aws resource"
            ),
            CloudFeature.DRIFT_BASELINE_FROM_DATA: (
                "SageMaker Model Monitor compares traffic with baseline statistics and constraints that a "
                "data-plane baselining job computes from the baseline data: run it once per baseline "
                "(stack output monitoring.endpoints.<endpoint>.baseline, docs/monitoring.md)"
            ),
        }

    def spec_gaps(self, spec) -> list[dict]:
        gaps = []
        if spec.promotion is not None and not spec.encryption.customer_managed_keys:
            # Objects under SSE-KMS with no key named are encrypted under the AWS managed key aws/s3, whose policy
            # no one can change: another account can never decrypt them.
            gaps.append({"capability": "promotion", "cloud": self.name,
                         "gap": f"the artifacts bucket encrypts under the AWS managed key aws/s3 (customer-managed "
                                f"keys are off), which no other account may use: {spec.promotion.to} cannot read "
                                "the model artifacts it is granted; set encryption.customer_managed_keys: true"})
        gaps += _cross_region_chat_gaps(self.name, spec)
        return gaps + [
            {"capability": "retraining", "cloud": self.name,
             "gap": f"retraining {item.name} starts SageMaker pipeline {item.pipeline.name}, whose own steps choose "
                    "their instances: mlplat cannot hold them to spot capacity (training-spot-capacity checks the "
                    "Batch queue only), and `mlplat cost` does not price its runs; use managed spot training in the "
                    "pipeline's training steps"}
            for item in spec.retraining if item.pipeline is not None
        ]

    def tag_rules(self) -> TagRules:
        return TagRules(kind="tags", max_tags=TAGS_PER_RESOURCE["aws"].limit, normalise_key=_tag_key, normalise_value=_tag_value)

    def scale_to_zero_blockers(self, endpoint, private: bool) -> list[str]:
        """An endpoint scales to zero only as a SageMaker serverless endpoint (inference components,
        which scale GPU endpoints to zero, are not in pulumi-aws), and serverless endpoints are CPU only,
        serve one production variant, have no data capture and cannot join a VPC."""
        blockers = []
        if endpoint.compute != "cpu":
            blockers.append(f"GPU compute ({endpoint.compute}): SageMaker serverless inference is CPU only")
        if endpoint.canary is not None:
            blockers.append("a canary: SageMaker serverless endpoints serve a single production variant")
        if endpoint.logging:
            blockers.append("logging: SageMaker serverless endpoints have no data capture")
        if private:
            blockers.append("a private network: SageMaker serverless endpoints cannot join a VPC")
        return blockers

    def vector_limits(self) -> CloudVectorLimits:
        return VECTOR_LIMITS

    def reserved_feature_columns(self) -> dict[str, str]:
        reason = "SageMaker Feature Store reserves it for the record metadata it adds to every feature group"
        return {name: reason for name in ("is_deleted", "write_time", "api_invocation_time")}

    def provider_config(self, region: str) -> dict[str, str]:
        return {"aws:region": region}


def _cross_region_chat_gaps(cloud: str, spec) -> list[dict]:
    """Where the chat model is served through a geographic cross-Region profile, prompts leave the region."""
    from ..catalog.models import serving  # the model catalogue (YAML): not needed for `--help`

    route = serving(cloud, spec.rag.chat_model, spec.region) if spec.rag is not None else None
    if route is None or route.geo is None:
        return []
    return [{"capability": "rag", "cloud": cloud,
             "gap": f"chat model served through the {route.geography} cross-Region profile {route.model_id}: "
                    f"requests may be processed in any {route.geography} region of the profile "
                    f"({', '.join(route.destinations)}), not only {spec.region} (docs/rag.md)"}]
