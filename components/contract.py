"""The capability contract: what every cloud's components are, independent of the cloud.

- `BaseLayer`: the neutral face of a cloud's base layer (storage, keys, network, workload identity).
  Capability components receive their own cloud's `Base` (which has more); neutral code (the
  `Platform`, tests, a new capability's shared helpers) may rely only on this.
- Typed outputs (`components/outputs.py`): each contract names its `OUTPUTS` dataclass, whose keys are
  the same on every cloud; a component ends with `self.finish(<its OUTPUTS>(...))`.
- One abstract component per capability (`TrainingComponent`, `FeatureStoreComponent`, ...), with the
  typed spec item it is built from (`SPEC`) and the constructor every cloud implements:
  `Cls(name: str, ctx: PlatformContext, base: <its cloud's Base>, item: SPEC, opts)` (checked for every
  registered cloud by tests/components/test_cloud_registry.py; an abstract `__init__` here would sit in
  the `super().__init__` chain of every component). A cloud's component class subclasses its
  capability's contract and keeps its own class name, which is part of its type token
  `mlplat:<cloud>:<COMPONENT>` and therefore of every child's URN.

`components/capabilities.py` lists the capabilities with their contract; a registered cloud names the
class it builds each capability with (`CloudProvider.capability_components`) or declares the gap.
"""

from __future__ import annotations

from abc import abstractmethod

import pulumi

from .component import PlatformComponent
from .outputs import (
    BaseOutputs,
    BatchInferenceOutputs,
    BudgetOutputs,
    EndpointOutputs,
    FeatureStoreOutputs,
    MonitoringOutputs,
    PromotionOutputs,
    RagOutputs,
    RegistryOutputs,
    RetrainingOutputs,
    TrainingOutputs,
    UseCaseOutputs,
    VectorSearchOutputs,
)
from .spec.endpoints import EndpointSpec
from .spec.features import FeatureStoreSpec
from .spec.finops import BudgetSpec, UseCaseSpec
from .spec.monitoring import PlatformMonitoringSpec
from .spec.rag import RagSpec
from .spec.registry import RegistrySpec
from .spec.retraining import BatchInferenceSpec, PromotionSpec, RetrainingSpec
from .spec.training import TrainingSpec
from .spec.vector_search import VectorSearchSpec


class BaseLayer(PlatformComponent):
    """The base layer every capability builds on. Each property is a provider output (or None when the
    spec does not ask for it), in the cloud's own notation."""

    COMPONENT = "Base"
    OUTPUTS = BaseOutputs

    @property
    @abstractmethod
    def artifacts_store(self) -> pulumi.Output:
        """Where models, checkpoints and endpoint logs go (S3 bucket name, blob container, gs:// URL)."""

    @property
    @abstractmethod
    def data_store(self) -> pulumi.Output:
        """Where training and feature data go."""

    @property
    @abstractmethod
    def encryption_key(self) -> pulumi.Output | None:
        """The platform's customer-managed key (ARN, Key Vault key URI, KMS key id); None without CMK."""

    @property
    @abstractmethod
    def workload_identity(self) -> pulumi.Output:
        """The identity the platform's workloads run as (role ARN, identity client id, service account)."""

    @property
    @abstractmethod
    def private_network(self) -> pulumi.Output | None:
        """The platform's private network (VPC, VNet, VPC network id); None when not private."""

    def layer_outputs(self, extras: dict | None = None) -> BaseOutputs:
        """The stack output `base`: the properties above, plus this cloud's `extras`."""
        return BaseOutputs(
            artifacts_store=self.artifacts_store,
            data_store=self.data_store,
            encryption_key=self.encryption_key,
            workload_identity=self.workload_identity,
            private_network=self.private_network,
            extras=extras,
        )


class TrainingComponent(PlatformComponent):
    """Spot GPU training: a cluster that scales from zero to `max_nodes` and checkpoints to the base."""

    COMPONENT = "TrainingCluster"
    OUTPUTS = TrainingOutputs
    SPEC = TrainingSpec


class FeatureStoreComponent(PlatformComponent):
    """Offline (and, when asked, online) feature groups."""

    COMPONENT = "FeatureStore"
    OUTPUTS = FeatureStoreOutputs
    SPEC = FeatureStoreSpec


class ModelRegistryComponent(PlatformComponent):
    """Model versions with approval, and the serving container repository."""

    COMPONENT = "ModelRegistry"
    OUTPUTS = RegistryOutputs
    SPEC = RegistrySpec


class EndpointComponent(PlatformComponent):
    """One inference endpoint: stable (and canary) model versions split by `canary.weight_percent`,
    autoscaling between `min_replicas` and `max_replicas` (the split is computed once, cloud-neutrally,
    by `components/traffic.py`)."""

    COMPONENT = "Endpoint"
    OUTPUTS = EndpointOutputs
    SPEC = EndpointSpec


class VectorSearchComponent(PlatformComponent):
    """A vector index service for retrieval, with a documents store."""

    COMPONENT = "VectorSearch"
    OUTPUTS = VectorSearchOutputs
    SPEC = VectorSearchSpec


class RagComponent(PlatformComponent):
    """RAG generation: a chat and an embedding model wired to the platform's vector search (whose outputs
    are in `ctx.built`), with the managed retrieval pipeline where the cloud has one."""

    COMPONENT = "RagGeneration"
    OUTPUTS = RagOutputs
    SPEC = RagSpec


class BudgetComponent(PlatformComponent):
    """A monthly budget on the platform's cost, with e-mail notifications."""

    COMPONENT = "Budget"
    OUTPUTS = BudgetOutputs
    SPEC = BudgetSpec


class MonitoringComponent(PlatformComponent):
    """Production monitoring of the monitored endpoints: a drift monitor on each endpoint's captured traffic
    (when it has a baseline), health alerts, one notification target and a dashboard per platform.

    Retraining triggers bind to the outputs' `endpoints.<name>.drift_alerts` and `notify`."""

    COMPONENT = "Monitoring"
    OUTPUTS = MonitoringOutputs
    SPEC = PlatformMonitoringSpec


class RetrainingComponent(PlatformComponent):
    """One retraining job started on a schedule (and/or by its endpoint's drift alert) on the platform's
    spot training capacity, registering the model in the platform's registry. Reads the training and
    registry components' outputs from `ctx.built`."""

    COMPONENT = "Retraining"
    OUTPUTS = RetrainingOutputs
    SPEC = RetrainingSpec


class BatchInferenceComponent(PlatformComponent):
    """One scheduled bulk scoring job from and to the platform's stores, on spot capacity where offered."""

    COMPONENT = "BatchInference"
    OUTPUTS = BatchInferenceOutputs
    SPEC = BatchInferenceSpec


class PromotionComponent(PlatformComponent):
    """Read grants on this environment's registry and images for the next environment's stack."""

    COMPONENT = "Promotion"
    OUTPUTS = PromotionOutputs
    SPEC = PromotionSpec


class UseCaseComponent(PlatformComponent):
    """One use case, a customer of the platform: its own identity reaching only its own resources, its own
    budget (filtered on its use-case tag/label) and the cloud's enforcement of its GPU share."""

    COMPONENT = "UseCase"
    OUTPUTS = UseCaseOutputs
    SPEC = UseCaseSpec

    def warn_if_budget_notifies_nobody(self, use_case: UseCaseSpec) -> None:
        """A budget with no recipient is still created (the spend is tracked) but alerts nobody: say so, as the
        platform budget does."""
        if use_case.budget is not None and not use_case.budget.notify:
            pulumi.log.warn(f"use case {use_case.name!r}: budget.notify is empty: its budget is created without "
                            "notifications (add an e-mail, or an owner that is one)", self)
