"""Azure implementation of every capability, one module each; the same names as aws/ and gcp/."""

from .base import Base
from .budget import Budget  # noqa: F401  (finops)
from .feature_store import FeatureStore  # noqa: F401  (feature store)
from .rag import RagGeneration  # noqa: F401  (RAG generation)
from .registry import ModelRegistry  # noqa: F401  (model registry)
from .endpoint import Endpoint  # noqa: F401  (endpoints)
from .training import TrainingCluster  # noqa: F401  (training)
from .vector_search import VectorSearch  # noqa: F401  (vector search)

__all__ = ["Base"]
