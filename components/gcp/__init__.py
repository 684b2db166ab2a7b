"""GCP implementation of every capability, one module each; the same names as aws/ and azure/."""

from .base import Base
from .endpoint import Endpoint  # noqa: F401  (endpoints)
from .feature_store import FeatureStore  # noqa: F401  (feature store)
from .rag import RagGeneration  # noqa: F401  (RAG generation)
from .registry import ModelRegistry  # noqa: F401  (model registry)
from .training import TrainingCluster  # noqa: F401  (training)
from .vector_search import VectorSearch  # noqa: F401  (vector search)
from .budget import Budget  # noqa: F401  (finops)

__all__ = ["Base"]
