"""The capabilities a platform is made of, each with its contract (`components/contract.py`): the
abstract component every cloud's class for it subclasses, with the same constructor shape
`Cls(name, ctx, base, item, opts)`. Which class builds a capability on a cloud is the registered
cloud's answer (`CloudProvider.capability_components`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import contract
from .spec.monitoring import monitoring_items
from .component import component_type  # noqa: F401  (re-exported: the type token of a component)


@dataclass(frozen=True)
class Capability:
    key: str  # the spec section and the plan's "capability" column
    contract: type  # the abstract component (components/contract.py) every cloud's class subclasses
    items: Callable  # spec -> list of (logical name, item) to build; [] when the section is absent

    @property
    def component(self) -> str:
        """The class name every cloud uses, and the last part of its type token."""
        return self.contract.COMPONENT


CAPABILITIES: list[Capability] = [
    Capability("training", contract.TrainingComponent, lambda s: [("training", s.training)] if s.training else []),
    Capability(
        "feature_store",
        contract.FeatureStoreComponent,
        lambda s: [("features", s.feature_store)] if s.feature_store else [],
    ),
    Capability(
        "registry", contract.ModelRegistryComponent, lambda s: [("registry", s.registry)] if s.registry else []
    ),
    Capability("endpoints", contract.EndpointComponent, lambda s: [(e.name, e) for e in s.endpoints]),
    Capability(
        "vector_search",
        contract.VectorSearchComponent,
        lambda s: [("vectors", s.vector_search)] if s.vector_search else [],
    ),
    Capability("rag", contract.RagComponent, lambda s: [("rag", s.rag)] if s.rag else []),
    Capability("budget", contract.BudgetComponent, lambda s: [("budget", s.budget)] if s.budget else []),
    Capability("use_cases", contract.UseCaseComponent, lambda s: [(u.name, u) for u in s.use_cases]),
    Capability("monitoring", contract.MonitoringComponent, monitoring_items),
    # After training, registry, endpoints and monitoring: these read their outputs (`PlatformContext.built`).
    Capability("retraining", contract.RetrainingComponent, lambda s: [(r.name, r) for r in s.retraining]),
    Capability("batch_inference", contract.BatchInferenceComponent, lambda s: [(b.name, b) for b in s.batch_inference]),
    Capability("promotion", contract.PromotionComponent, lambda s: [("promotion", s.promotion)] if s.promotion else []),
]
BASE = Capability("base", contract.BaseLayer, lambda s: [("base", None)])

# Component type token `mlplat:<cloud>:<Component>` -> capability key (used by the offline plan).
CAPABILITY_OF_COMPONENT = {c.component: c.key for c in [BASE, *CAPABILITIES]}
