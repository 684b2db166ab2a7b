"""The capability contract: what every cloud's components are, independent of the cloud.

- `BaseLayer`: the neutral face of a cloud's base layer (storage, keys, network, workload identity).
  Capability components receive their own cloud's `Base` (which has more); neutral code (the
  `Platform`, tests, a new capability's shared helpers) may rely only on this.
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
from .spec.endpoints import EndpointSpec
from .spec.features import FeatureStoreSpec
from .spec.finops import BudgetSpec
from .spec.rag import RagSpec
from .spec.registry import RegistrySpec
from .spec.training import TrainingSpec
from .spec.vector_search import VectorSearchSpec


class BaseLayer(PlatformComponent):
    """The base layer every capability builds on. Each property is a provider output (or None when the
    spec does not ask for it), in the cloud's own notation."""

    COMPONENT = "Base"

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


class TrainingComponent(PlatformComponent):
    """Spot GPU training: a cluster that scales from zero to `max_nodes` and checkpoints to the base."""

    COMPONENT = "TrainingCluster"
    SPEC = TrainingSpec



class FeatureStoreComponent(PlatformComponent):
    """Offline (and, when asked, online) feature groups."""

    COMPONENT = "FeatureStore"
    SPEC = FeatureStoreSpec



class ModelRegistryComponent(PlatformComponent):
    """Model versions with approval, and the serving container repository."""

    COMPONENT = "ModelRegistry"
    SPEC = RegistrySpec



class EndpointComponent(PlatformComponent):
    """One inference endpoint: stable (and canary) model versions split by `canary.weight_percent`,
    autoscaling between `min_replicas` and `max_replicas` (the split is computed once, cloud-neutrally,
    by `components/traffic.py`)."""

    COMPONENT = "Endpoint"
    SPEC = EndpointSpec



class VectorSearchComponent(PlatformComponent):
    """A vector index service for retrieval, with a documents store."""

    COMPONENT = "VectorSearch"
    SPEC = VectorSearchSpec



RAG_OUTPUT_KEYS = (
    "chat_model",  # what the application passes as the model (inference profile ARN, deployment, model path)
    "embedding_model",
    "retrieval",  # the managed pipeline's handle (knowledge base id, search indexer, RAG corpus); None without
    "documents_uri",  # where documents are loaded
    "content_filter",  # guardrail id, RAI policy name or safety settings; None when off
    "invocation_logging",  # where model calls are logged
    "details",  # the cloud's own identifiers
)


class RagComponent(PlatformComponent):
    """RAG generation: a chat and an embedding model wired to the platform's vector search (the component
    built for `vector_search` is in `ctx.built`), with the managed retrieval pipeline where the cloud has one.
    Outputs: the same keys on every cloud (`RAG_OUTPUT_KEYS`), the cloud's own identifiers under `details`."""

    COMPONENT = "RagGeneration"
    SPEC = RagSpec


class BudgetComponent(PlatformComponent):
    """A monthly budget on the platform's cost, with e-mail notifications."""

    COMPONENT = "Budget"
    SPEC = BudgetSpec

