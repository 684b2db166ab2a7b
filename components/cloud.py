"""The per-cloud interface: everything mlplat needs to know about one cloud, behind one object.

Modelled on SkyPilot's `sky/clouds/cloud.py`: a cloud is a lightweight, stateless object that answers
questions (is this a region name, how are tags written, why can this endpoint not scale to zero, which
component builds each capability) and declares what it lacks with a feature enum, each gap with the
reason a user reads. The neutral spec core (`components/spec/`) never names a cloud: it asks the
registered cloud (`components.registry.cloud_of`).

Importing this module (and every `components/<cloud>/cloud.py`) must stay cheap: no Pulumi, no provider
SDK. The component classes are imported only when a platform is built (`capability_components`).
"""

from __future__ import annotations

import enum
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Mapping


class CloudFeature(enum.Enum):
    """What a cloud may lack. A cloud lists the features it does not have in `unsupported_features`,
    each with the reason shown to users (plan gaps, validation errors, docs)."""

    ENDPOINT_SCALE_TO_ZERO = "endpoint scale to zero"
    GPU_ENDPOINT_SCALE_TO_ZERO = "GPU endpoint scale to zero"
    VECTOR_FEATURE_TYPE = "vector feature type"
    ALARM_ROLLBACK = "alarm-driven endpoint rollback"
    FEATURE_SPEC_UPLOAD = "feature set specs uploaded by the deployment"
    PREDICTION_DRIFT = "prediction drift monitoring"
    DRIFT_BASELINE_FROM_DATA = "drift baseline read straight from the data set"
    ERROR_RATE_ALERTS = "error-rate alerts"
    DRIFT_MONITOR = "managed drift monitor built by the deployment"
    MODEL_QUALITY = "model quality monitoring"
    DRIFT_WEBHOOK = "drift notices to the alerts webhook"
    DRIFT_RETRAINING = "retraining started by a drift alert"
    RETRAINING_PIPELINE = "retraining started as a SageMaker pipeline execution"
    PROMOTED_FROM_GRANTS = "downstream grants to read the previous environment's models"


# Features that belong to one cloud's service or model of access: a cloud has them only when it names them
# in `offered_features`; any other cloud lacks them for the reason here ({cloud}: its display name), unless
# its `unsupported_features` gives a reason of its own.
OPT_IN_FEATURES: dict[CloudFeature, str] = {
    CloudFeature.RETRAINING_PIPELINE: (
        "SageMaker pipelines are an AWS service; on {cloud} a retraining runs its image and command as the "
        "platform's training job: remove pipeline"
    ),
    CloudFeature.PROMOTED_FROM_GRANTS: (
        "on {cloud} the previous environment's stack grants this stack's identity everything promotion needs "
        "(its promotion section): this stack has nothing to grant itself, remove promoted_from"
    ),
}


def components_by_capability(*classes: type) -> dict[str, type]:
    """Capability key -> class, each class placed by the contract it subclasses (components/contract.py)."""
    from .capabilities import CAPABILITIES

    found: dict[str, type] = {}
    for cls in classes:
        capability = next((c for c in CAPABILITIES if issubclass(cls, c.contract)), None)
        if capability is None:
            raise TypeError(f"{cls.__qualname__} subclasses no capability contract of components/contract.py")
        found[capability.key] = cls
    return found


class CloudFeatureUnsupported(ValueError):
    """A spec asks for a feature the cloud declares it lacks."""


class TagError(ValueError):
    """A tag that cannot be expressed on a cloud; `parts` is the path of the spec key it came from."""

    def __init__(self, parts: tuple, message: str):
        super().__init__(message)
        self.parts = tuple(parts)

    @property
    def field(self) -> str:
        from .spec.base import field_path  # the spec (pydantic) loads only when an error is shown

        return field_path(*self.parts)


@dataclass(frozen=True)
class TagRules:
    """How the neutral FinOps tags are written on a cloud (see `components/spec/tags.py`).

    `key`/`value` normalise one key or value, raising `TagError(field, message)` when it cannot be
    expressed; `case_insensitive_keys`: two keys that differ only by case are the same key."""

    kind: str  # "tags" or "labels": what the cloud calls them
    max_tags: int
    normalise_key: "callable"
    normalise_value: "callable"
    reserved_keys: frozenset[str] = frozenset()
    case_insensitive_keys: bool = False


@dataclass(frozen=True)
class CloudVectorLimits:
    """A cloud's vector search limits (see `components/spec/vector_limits.py`, which checks specs against them)."""

    cloud: str
    service: str
    max_dimensions: int | None  # None: the provider documents no maximum
    metrics: dict[str, str]  # neutral metric -> the service's own name
    source: str
    max_replicas: dict[str, int] = field(default_factory=dict)  # by tier; empty: no cloud-side cap
    tier_names: dict[str, str] = field(default_factory=dict)  # tier -> the service's own name, for messages
    notes: str = ""


class CloudProvider(ABC):
    """One cloud mlplat can build a platform on. Subclasses live in `components/<cloud>/cloud.py` and
    are registered once, explicitly, in `components/registry.py`.

    Class attributes every cloud sets:
      name             the spec's `cloud:` value, the `mlplat:<name>:<Component>` type token part
      display_name     how messages spell it ("AWS")
      provider_package the Pulumi package of its resource type tokens ("aws", "azure-native", "gcp")
      region_pattern   a compiled regex every region name of the cloud matches
      region_example   a region name shown in errors and used by `mlplat init`
      metro_regions    metro area -> region: the equivalent region on another cloud shares the metro
      required_config  the stack config keys a real `pulumi up` needs
      service_names    capability key -> the cloud service that provides it, for messages
      feature_types    neutral feature kind ("int", "float", "string", "bool", "timestamp", "vector") -> the
                       feature store's column type; a kind the store cannot hold is absent and has a
                       `feature_type_reason` (components/spec/feature_types.py parses the neutral types)
      entity_feature_type, event_time_feature_type   the column types of a feature group's entity and event time
    """

    name: str
    display_name: str
    provider_package: str
    region_pattern: re.Pattern
    region_example: str
    metro_regions: Mapping[str, str] = {}
    required_config: tuple[str, ...] = ()
    service_names: Mapping[str, str] = {}
    feature_types: Mapping[str, str] = {}
    entity_feature_type: str = ""
    event_time_feature_type: str = ""
    offered_features: frozenset[CloudFeature] = frozenset()  # the OPT_IN_FEATURES this cloud has

    # -- capabilities --------------------------------------------------------------------------------
    @abstractmethod
    def base_component(self) -> type:
        """The base layer component class (implements `components.contract.BaseLayer`)."""

    @abstractmethod
    def capability_components(self) -> dict[str, type]:
        """Capability key (`components.capabilities`) -> the component class that builds it here.

        A capability missing from this map must be declared in `unsupported_capabilities`."""

    def unsupported_capabilities(self) -> dict[str, str]:
        """Capability key -> why this cloud does not build it (listed as a plan gap, warned by `up`)."""
        return {}

    # -- features --------------------------------------------------------------------------------------
    def unsupported_features(self) -> dict[CloudFeature, str]:
        """Features this cloud lacks, with the reason users read."""
        return {}

    def feature_gap(self, feature: CloudFeature) -> str | None:
        """Why this cloud lacks `feature`, or None when it has it (declared gaps, then opt-in features it
        does not offer)."""
        reason = self.unsupported_features().get(feature)
        if reason is None and feature in OPT_IN_FEATURES and feature not in self.offered_features:
            reason = OPT_IN_FEATURES[feature].format(cloud=self.display_name)
        return reason

    def supports(self, feature: CloudFeature) -> bool:
        return self.feature_gap(feature) is None

    def check_features(self, features: set[CloudFeature]) -> None:
        """Raise `CloudFeatureUnsupported` naming the first missing feature and its reason."""
        for feature in sorted(features, key=lambda f: f.value):
            reason = self.feature_gap(feature)
            if reason:
                raise CloudFeatureUnsupported(f"{self.name} has no {feature.value}: {reason}")

    # -- spec facts ----------------------------------------------------------------------------------
    def region_error(self, region: str) -> str | None:
        """Why `region` cannot be a region of this cloud, or None when it has the right shape."""
        if self.region_pattern.match(region):
            return None
        return f"{region!r} is not a region name on {self.name} (for example {self.region_example!r})"

    def metro_of(self, region: str) -> str | None:
        return next((metro for metro, name in self.metro_regions.items() if name == region), None)

    @abstractmethod
    def tag_rules(self) -> TagRules:
        """How FinOps tags are normalised and checked on this cloud."""

    def scale_to_zero_blockers(self, endpoint, private: bool) -> list[str]:
        """Why `endpoint` (a spec endpoint) cannot scale to zero here ([] when it can). Default: the
        reason the cloud gives for lacking ENDPOINT_SCALE_TO_ZERO, or nothing."""
        reason = self.unsupported_features().get(CloudFeature.ENDPOINT_SCALE_TO_ZERO)
        return [reason] if reason else []

    @abstractmethod
    def vector_limits(self) -> CloudVectorLimits:
        """Dimension, metric and replica limits of the cloud's vector search service."""

    def reserved_feature_columns(self) -> dict[str, str]:
        """Column names (lower case) the feature store refuses or generates itself -> the reason."""
        return {}

    def event_time_column_is_renamed(self) -> bool:
        """True when the feature store renames the event time column itself (its name is free)."""
        return False

    def feature_type_reason(self, kind: str) -> str | None:
        """Why the feature store cannot store a neutral feature kind ("vector", ...), or None."""
        if kind == "vector":
            reason = self.unsupported_features().get(CloudFeature.VECTOR_FEATURE_TYPE)
            if reason:
                return reason
        if self.feature_types and kind not in self.feature_types:
            return f"the {self.display_name} feature store has no column type for it"
        return None

    def feature_store_type(self, feature_type: str) -> str:
        """The feature store's column type of a neutral feature type (`feature_types`); ValueError naming
        the cloud and the reason when the store cannot hold it."""
        from .spec.feature_types import parse_feature_type

        parsed = parse_feature_type(feature_type)
        reason = self.feature_type_reason(parsed.kind)
        if reason:
            raise ValueError(f"{self.name} cannot store {parsed.neutral} because {reason}")
        return self.feature_types[parsed.kind]

    def promotion_principal_error(self, principal: str) -> str | None:
        """Why `principal` cannot name the next environment (account, subscription, project), or None."""
        return None

    # Where batch inference runs, for the cost estimate: "endpoint" (instances of the endpoint's shape,
    # priced as the endpoint's) or "training" (the training cluster's nodes, spot when training is).
    batch_inference_capacity = "endpoint"

    def promotion_identity_error(self, identity: str | None) -> str | None:
        """Why `promotion.identity` is wrong here, or None (only clouds whose grants need an object id use it)."""
        if identity is None:
            return None
        return f"{self.display_name} promotion grants name the next environment by promotion.principal only; remove identity"

    def batch_inference_problem(self, spec, item) -> str | None:
        """Why this cloud cannot build batch inference entry `item` of `spec` (a message that may start with
        the entry's field, `endpoint: ...`), or None."""
        return None

    def rag_pipeline_fixed_size(self) -> str | None:
        """Why this cloud's managed RAG retrieval pipeline embeds only at the embedding model's default size
        (so it cannot fill an index of another `vector_search.dimensions`), or None when it can choose the
        size. Read by `components/spec/rag.py: pipeline_blocker`."""
        return None

    def spec_gaps(self, spec) -> list[dict]:
        """Gaps of this spec on this cloud beyond scale to zero (shown by the plan)."""
        return []

    def spec_names(self, spec, subscription: str | None = None) -> list:
        """The physical names this cloud's components build from `spec` (`components.naming.SpecName`s,
        from `components/<cloud>/names.py`, the functions the components name their resources with);
        `subscription` is the account the names are made unique in, where a cloud hashes it in."""
        return []

    def gpu_row_format(self):
        """How this cloud's machine shapes are written in `components/catalog/gpus.yaml` (a
        `components.catalog.gpu_rows.GpuRowFormat`), or None: the cloud has no rows in the GPU catalog."""
        return None

    # -- deployment ------------------------------------------------------------------------------------
    def provider_config(self, region: str) -> dict[str, str]:
        """The provider settings `mlplat init` writes into a new stack file."""
        return {}

    def __repr__(self) -> str:
        return f"<cloud {self.name}>"
