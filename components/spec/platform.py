"""The platform spec: the value of the stack config key `mlplat:platform`.

Environment-driven defaults fill what is left out (the `None` fields of each section), after the
cloud is known, so that the same spec rendered on another cloud gets that cloud's defaults:

| setting                         | dev            | staging | prod |
|---------------------------------|----------------|---------|------|
| network.private                 | false          | true    | true |
| encryption.customer_managed_keys| false          | false   | true |
| protect (stateful resources)    | false          | false   | true |
| registry.approval_required      | false          | true    | true |
| endpoint min_replicas           | 0 where the endpoint can scale to zero there (scale_to_zero.py), else 1 | 1 | 1 |
| vector_search replicas / tier   | 1 / small      | 2 / medium | 2 / medium |
| endpoint monitoring (no block)  | off            | health alerts | health alerts |
| rag.content_filter              | false          | true    | true |
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import NAME_PATTERN, Cloud, Environment, FieldError, FieldErrors, SpecModel
from .endpoints import EndpointSpec
from .features import FeatureStoreSpec
from .finops import BudgetSpec, FinOps, UseCaseSpec
from .monitoring import AlertsSpec, apply_monitoring
from .posture import Audit, Encryption, Network
from .promotion import PromotedFromSpec, check_promoted_from
from .rag import RagSpec
from .registry import RegistrySpec
from .regions import availability_errors, region_error, residency_error
from .retraining import BatchInferenceSpec, PromotionSpec, RetrainingSpec, check_loop
from .scale_to_zero import scale_to_zero_blockers
from .tenancy import check_use_cases
from .training import GpuClass, TrainingSpec
from .vector_search import VectorSearchSpec
from .usage import Usage

GPU_CLASSES: tuple[str, ...] = GpuClass.__args__  # type: ignore[attr-defined]


class PlatformSpec(SpecModel):
    name: str = Field(pattern=NAME_PATTERN, description="Platform name, part of every resource name.")
    environment: Environment
    cloud: Cloud
    region: str
    residency: Literal["eu"] | None = Field(
        default=None,
        description="Data residency: 'eu' keeps the region (and its equivalent on another cloud) in the EU/EEA.",
    )
    protect: bool | None = Field(default=None, description="Protect stateful resources; default true in prod.")
    finops: FinOps
    budget: BudgetSpec | None = None
    use_cases: list[UseCaseSpec] = Field(default_factory=list)
    network: Network = Field(default_factory=Network)
    encryption: Encryption = Field(default_factory=Encryption)
    audit: Audit = Field(default_factory=Audit)
    feature_store: FeatureStoreSpec | None = None
    training: TrainingSpec | None = None
    registry: RegistrySpec | None = None
    endpoints: list[EndpointSpec] = Field(default_factory=list)
    vector_search: VectorSearchSpec | None = None
    rag: RagSpec | None = None
    usage: Usage | None = None
    alerts: AlertsSpec | None = Field(default=None, description="Who monitoring alerts notify (docs/monitoring.md).")
    retraining: list[RetrainingSpec] = Field(default_factory=list)
    batch_inference: list[BatchInferenceSpec] = Field(default_factory=list)
    promotion: PromotionSpec | None = None
    promoted_from: PromotedFromSpec | None = Field(
        default=None, description="The previous environment whose approved models this stack deploys (docs/retraining.md).")

    @model_validator(mode="after")
    def _checks_and_defaults(self) -> "PlatformSpec":
        problem = region_error(self.cloud, self.region)
        if problem:
            raise ValueError(f"region: {problem}")
        self._check_references()
        check_use_cases(self)  # budgets, GPU shares and replica caps of the use cases (tenancy.py)
        self._check_endpoints()
        self._check_gpu_offerings()
        self._check_region_offers()
        self._check_counts()
        FeatureStoreSpec.check_cloud(self.feature_store, self.cloud.value)  # feature types the cloud can store
        self._apply_environment_defaults()
        VectorSearchSpec.check_platform(self)  # dimensions/replicas the cloud supports, after defaults
        apply_monitoring(self)  # monitoring defaults, capture and recipients (spec/monitoring.py)
        check_loop(self)  # retraining, batch inference, promotion; after monitoring (on_drift reads it)
        check_promoted_from(self)
        RagSpec.check_platform(self)  # models offered in the region, embedding dimensions, capacity
        return self

    # -- validation that spans sections -------------------------------------------------------------
    def _check_references(self) -> None:
        known = [use_case.name for use_case in self.use_cases]
        if len(set(known)) != len(known):
            raise ValueError("use_cases: names must be unique")
        referenced: list[tuple[str, str | None]] = [("training.use_case", self.training and self.training.use_case)]
        referenced += [(f"endpoints.{i}.use_case", e.use_case) for i, e in enumerate(self.endpoints)]
        if self.vector_search:
            referenced.append(("vector_search.use_case", self.vector_search.use_case))
        if self.rag:
            referenced.append(("rag.use_case", self.rag.use_case))
        if self.usage:
            endpoints = [endpoint.name for endpoint in self.endpoints]
            for name in self.usage.endpoint_requests_per_second:
                if name not in endpoints:
                    raise FieldError(
                        ("usage", "endpoint_requests_per_second", name),
                        f"no endpoint named {name!r} (endpoints: {', '.join(endpoints) or 'none'})",
                    )
        if self.feature_store:
            referenced += [
                (f"feature_store.feature_groups.{i}.use_case", g.use_case)
                for i, g in enumerate(self.feature_store.feature_groups)
            ]
        for where, name in referenced:
            if name and name not in known:
                raise ValueError(f"{where}: use case {name!r} is not declared in use_cases (declared: {known})")

    def _check_endpoints(self) -> None:
        names = [endpoint.name for endpoint in self.endpoints]
        if len(set(names)) != len(names):
            raise ValueError("endpoints: names must be unique")
        for i, endpoint in enumerate(self.endpoints):
            if endpoint.compute != "cpu" and endpoint.compute not in GPU_CLASSES:
                raise ValueError(
                    f"endpoints.{i}.compute: {endpoint.compute!r} is neither 'cpu' nor a GPU class "
                    f"({', '.join(GPU_CLASSES)})"
                )
            private = self.network.private if self.network.private is not None else self.environment != Environment.dev
            blockers = scale_to_zero_blockers(self.cloud, endpoint, private)
            if endpoint.min_replicas == 0 and blockers:
                raise ValueError(
                    f"endpoints.{i}.min_replicas: {self.cloud.value} cannot scale this endpoint to zero: "
                    f"{'; '.join(blockers)}; set min_replicas: 1 (or leave it out to get the environment default)"
                )

    def _serving_image_errors(self, index: int, endpoint: EndpointSpec) -> list[FieldError]:
        """An endpoint without `model.image` needs a prebuilt container the catalogue knows in the region."""
        from ..catalog.serving_images import default_image_problem

        errors = []
        for where, version in (("model", endpoint.model), ("canary.model", endpoint.canary and endpoint.canary.model)):
            if version is None or version.image is not None:
                continue
            if where == "canary.model" and version.framework is None:
                continue  # the canary serves the stable version's image
            problem = default_image_problem(self.cloud.value, self.region, endpoint.compute, version.framework)
            if problem:
                errors.append(FieldError(("endpoints", index, *where.split("."), "image"), problem))
        return errors

    def _check_gpu_offerings(self) -> None:
        """GPU class x count must be a shape the chosen cloud offers (data: components/catalog/)."""
        # gpu-offering-check: the GPU catalog (components/catalog/gpus.yaml) decides
        from ..catalog.gpus import offered, offering_error

        cloud = self.cloud.value
        if self.training is not None:
            problem = offering_error(cloud, self.training.gpu, self.training.gpus_per_node)
            if problem:
                # A class the cloud has no shape for at all is the class's fault, not the count's.
                field = "training.gpus_per_node" if offered(cloud, self.training.gpu) else "training.gpu"
                raise ValueError(f"{field}: {problem}")
        for i, endpoint in enumerate(self.endpoints):
            if endpoint.compute == "cpu":
                continue
            problem = offering_error(cloud, endpoint.compute, 1)
            if problem:
                raise ValueError(f"endpoints.{i}.compute: endpoints serve from a single-GPU node and {problem}")

    def _check_region_offers(self) -> None:
        """The region must offer each capability, GPU class and serving image the spec uses
        (components/catalog/regions/): every problem at once, each naming its field."""
        problems = [p for p in [residency_error(self.residency, self.cloud, self.region)] if p]
        problems += availability_errors(self, self.cloud, self.region)
        errors = [FieldError(field.split("."), message) for field, _, message in (p.partition(": ") for p in problems)]
        from ..catalog.monitor_images import monitor_image_problem

        monitor_problem = monitor_image_problem(self.cloud.value, self.region)
        for i, endpoint in enumerate(self.endpoints):
            errors += self._serving_image_errors(i, endpoint)
            if monitor_problem and endpoint.monitoring is not None and endpoint.monitoring.baseline is not None:
                errors.append(FieldError(("endpoints", i, "monitoring", "baseline"), monitor_problem))
        if errors:
            raise FieldErrors(errors)

    def _check_counts(self) -> None:
        """Counts the cloud caps (components/catalog/naming_rules.py), refused before anything is planned."""
        from ..catalog.naming_rules import BUDGET_NOTIFICATION_CHANNELS, FEATURES_PER_GROUP

        cloud = self.cloud.value
        channels = BUDGET_NOTIFICATION_CHANNELS.get(cloud)
        if self.budget and channels and len(self.budget.notify) > channels.limit:
            raise FieldError(("budget", "notify"), f"{len(self.budget.notify)} addresses; {cloud} allows at most "
                             f"{channels.limit} {channels.what}")
        features = FEATURES_PER_GROUP.get(cloud)
        for i, group in enumerate(self.feature_store.feature_groups if self.feature_store else []):
            # The entity and event time columns are feature definitions too.
            if features and len(group.features) + 2 > features.limit:
                raise FieldError(("feature_store", "feature_groups", i, "features"),
                                 f"{len(group.features)} features; {cloud} allows at most {features.limit} "
                                 f"{features.what}, the entity and event time columns included")

    # -- environment defaults -------------------------------------------------------------------------
    def _apply_environment_defaults(self) -> None:
        env = self.environment
        if self.protect is None:
            self.protect = env == Environment.prod
        if self.network.private is None:
            self.network.private = env != Environment.dev
        if self.encryption.customer_managed_keys is None:
            self.encryption.customer_managed_keys = env == Environment.prod
        if self.audit.access_logging is None:
            self.audit.access_logging = env != Environment.dev
        if self.registry is not None and self.registry.approval_required is None:
            self.registry.approval_required = env != Environment.dev
        for endpoint in self.endpoints:
            if endpoint.min_replicas is None:
                can = not scale_to_zero_blockers(self.cloud, endpoint, bool(self.network.private))
                endpoint.min_replicas = 0 if env == Environment.dev and can else 1
        RagSpec.apply_defaults(self)
        if self.vector_search is not None:
            if self.vector_search.replicas is None:
                self.vector_search.replicas = 1 if env == Environment.dev else 2
            if self.vector_search.tier is None:
                self.vector_search.tier = "small" if env == Environment.dev else "medium"

    # -- derived names --------------------------------------------------------------------------------
    @property
    def prefix(self) -> str:
        """`<name>-<environment>`: the stem of every physical resource name."""
        return f"{self.name}-{self.environment.value}"

    def use_case(self, name: str | None) -> UseCaseSpec | None:
        return next((u for u in self.use_cases if u.name == name), None) if name else None
