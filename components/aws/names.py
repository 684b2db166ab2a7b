"""AWS physical names built from the spec: the components name their resources with these functions, and
`spec_names` lists the same names for `validate` (no Pulumi, no provider SDK here)."""

from __future__ import annotations

import hashlib
import json
from typing import Iterator

from ..naming import SpecName, auto_name, bounded_name, platform_name

FEATURE_GROUP_NAME_LIMIT = 64  # SageMaker CreateFeatureGroup: FeatureGroupName is 1-64 characters
AOSS_NAME_LIMIT = 32  # OpenSearch Serverless CreateCollection: 3-32 characters


def schema_version(group, online: bool) -> str:
    """A short, stable hash of what SageMaker cannot change in place: entity, event time, features (in
    order, with types) and the online flag."""
    schema = {
        "entity": group.entity,
        "event_time": group.event_time,
        "features": [[name, kind] for name, kind in group.features.items()],
        "online": bool(online),
    }
    return "s" + hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()[:8]


def feature_group_name(prefix: str, group, online) -> str:
    return bounded_name(platform_name(prefix, group.name, schema_version(group, online)), FEATURE_GROUP_NAME_LIMIT)


def aoss_name(prefix: str, *parts: str) -> str:
    """OpenSearch Serverless names (collections, policies, VPC endpoints): 3-32 characters of lowercase
    letters, digits and hyphens, starting with a letter. Long platform names get a stable hash suffix."""
    return bounded_name(platform_name(prefix, *parts), AOSS_NAME_LIMIT)


def glue_name(*parts: str) -> str:
    """Glue/Athena names: lowercase letters, digits and underscores."""
    return "_".join(parts).replace("-", "_").lower()


def kms_alias(prefix: str) -> str:
    """The alias of a platform's key (a downstream stack finds the upstream key by it)."""
    return f"alias/mlplat/{prefix}"


def training_log_group(prefix: str) -> str:
    return f"/mlplat/{prefix}/training"


def data_quality_name(prefix: str, endpoint: str) -> str:
    return platform_name(prefix, endpoint, "data-quality")


def monitor_schedule_name(prefix: str, endpoint: str) -> str:
    return platform_name(prefix, endpoint, "monitor")


def retraining_stem(prefix: str, item: str) -> str:
    return platform_name(prefix, "retrain", item)


def batch_stem(prefix: str, item: str) -> str:
    return platform_name(prefix, "batch", item)


def use_case_identity(prefix: str, use_case: str) -> str:
    """The logical name of a use case's role (IAM auto-names it from this)."""
    return platform_name(prefix, use_case, "identity")


def scheduler_role_name(stem: str) -> str:
    """The logical name of the role EventBridge Scheduler assumes for schedule `stem`."""
    return f"{stem}-scheduler"


def drift_name(stem: str) -> str:
    """The drift rule of retraining `stem`, and the logical name of the role its target assumes."""
    return f"{stem}-drift"


_SM = "aws:sagemaker/"
_ROLE = "aws:iam/role:Role"


def spec_names(spec, subscription: str | None = None) -> Iterator[SpecName]:
    """Every physical name the AWS components build from `spec`, with the spec field it comes from."""
    p = spec.prefix
    if spec.encryption.customer_managed_keys:
        yield SpecName("aws:kms/alias:Alias", kms_alias(p))
    if spec.budget:
        yield SpecName("aws:budgets/budget:Budget", platform_name(p, "budget"))
    if spec.training:
        yield SpecName("aws:batch/jobQueue:JobQueue", platform_name(p, "training"))
        yield SpecName("aws:batch/jobDefinition:JobDefinition", platform_name(p, "training-gpu"))
        yield SpecName("aws:cloudwatch/logGroup:LogGroup", training_log_group(p))
    if spec.registry:
        yield SpecName(f"{_SM}modelPackageGroup:ModelPackageGroup", platform_name(p, "models"))
    if spec.feature_store:
        yield SpecName("aws:athena/workgroup:Workgroup", platform_name(p, "features"))
        yield SpecName("aws:glue/catalogDatabase:CatalogDatabase", glue_name(p, "features"))
        for i, group in enumerate(spec.feature_store.feature_groups):
            yield SpecName(f"{_SM}featureGroup:FeatureGroup", feature_group_name(p, group, spec.feature_store.online),
                           ("feature_store", "feature_groups", i, "name"))
    for i, endpoint in enumerate(spec.endpoints):
        field = ("endpoints", i, "name")
        yield SpecName(f"{_SM}endpoint:Endpoint", platform_name(p, endpoint.name), field)
        if endpoint.monitoring and endpoint.monitoring.drift:
            yield SpecName(f"{_SM}dataQualityJobDefinition:DataQualityJobDefinition",
                           data_quality_name(p, endpoint.name), field)
            yield SpecName(f"{_SM}monitoringSchedule:MonitoringSchedule", monitor_schedule_name(p, endpoint.name), field)
    if spec.vector_search:
        yield SpecName("aws:opensearch/serverlessCollection:ServerlessCollection",
                       aoss_name(p, "vectors" if spec.vector_search.replicas > 1 else "vectors-nostandby"))
    if spec.rag:
        if spec.rag.managed_pipeline:
            yield SpecName("aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase", platform_name(p, "knowledge-base"))
            yield SpecName("aws:bedrock/agentDataSource:AgentDataSource", platform_name(p, "documents"))
        if spec.rag.content_filter:
            yield SpecName("aws:bedrock/guardrail:Guardrail", platform_name(p, "guardrail"))
        yield SpecName("aws:bedrock/inferenceProfile:InferenceProfile", platform_name(p, "chat"))
    for i, use_case in enumerate(spec.use_cases):
        field = ("use_cases", i, "name")
        yield SpecName(_ROLE, auto_name(use_case_identity(p, use_case.name)), field)
        if spec.registry is not None:
            yield SpecName(f"{_SM}modelPackageGroup:ModelPackageGroup", platform_name(p, use_case.name, "models"), field)
        if use_case.budget is not None:
            yield SpecName("aws:budgets/budget:Budget", platform_name(p, use_case.name, "budget"), field)
            if use_case.budget.notify:
                yield SpecName("aws:costexplorer/anomalyMonitor:AnomalyMonitor",
                               platform_name(p, use_case.name, "anomalies"), field)
                yield SpecName("aws:costexplorer/anomalySubscription:AnomalySubscription",
                               platform_name(p, use_case.name, "anomaly-alerts"), field)
    for i, item in enumerate(spec.retraining):
        field = ("retraining", i, "name")
        stem = retraining_stem(p, item.name)
        yield SpecName("aws:batch/jobDefinition:JobDefinition", stem, field)
        if item.schedule:
            yield SpecName("aws:scheduler/schedule:Schedule", stem, field)
            yield SpecName(_ROLE, auto_name(scheduler_role_name(stem)), field)
        if item.on_drift:
            yield SpecName(_ROLE, auto_name(drift_name(stem)), field)
    for i, item in enumerate(spec.batch_inference):
        field, stem = ("batch_inference", i, "name"), batch_stem(p, item.name)
        yield SpecName("aws:scheduler/schedule:Schedule", stem, field)
        yield SpecName(_ROLE, auto_name(scheduler_role_name(stem)), field)
