"""The capabilities a platform is made of. Every cloud package (`components/aws`, `components/azure`,
`components/gcp`) exports one component class per capability under the same name, with the same
constructor shape: `Cls(name, ctx, base, [item,] opts)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Capability:
    key: str  # the spec section and the plan's "capability" column
    component: str  # the class each cloud package exports, and the last part of its type token
    items: Callable  # spec -> list of (logical name, item) to build; [] when the section is absent


CAPABILITIES: list[Capability] = [
    Capability("training", "TrainingCluster", lambda s: [("training", s.training)] if s.training else []),
    Capability(
        "feature_store",
        "FeatureStore",
        lambda s: [("features", s.feature_store)] if s.feature_store else [],
    ),
    Capability("registry", "ModelRegistry", lambda s: [("registry", s.registry)] if s.registry else []),
    Capability("endpoints", "Endpoint", lambda s: [(e.name, e) for e in s.endpoints]),
    Capability("vector_search", "VectorSearch", lambda s: [("vectors", s.vector_search)] if s.vector_search else []),
    Capability("rag", "RagGeneration", lambda s: [("rag", s.rag)] if s.rag else []),
    Capability("budget", "Budget", lambda s: [("budget", s.budget)] if s.budget else []),
]
BASE = Capability("base", "Base", lambda s: [("base", None)])

# Component type token `mlplat:<cloud>:<Component>` -> capability key (used by the offline plan).
CAPABILITY_OF_COMPONENT = {c.component: c.key for c in [BASE, *CAPABILITIES]}


def component_type(cloud: str, component: str) -> str:
    return f"mlplat:{cloud}:{component}"
