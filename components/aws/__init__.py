"""AWS implementation of every capability, one module each; the same names as azure/ and gcp/."""

from .base import Base
from .budget import Budget  # noqa: F401  (finops)
from .endpoint import Endpoint  # noqa: F401  (endpoints)
from .feature_store import FeatureStore  # noqa: F401  (feature store)
from .registry import ModelRegistry  # noqa: F401  (model registry)
from .training import TrainingCluster  # noqa: F401  (training)
from .rag import RagGeneration  # noqa: F401  (RAG generation)
from .vector_search import VectorSearch  # noqa: F401  (vector search)

__all__ = ["Base"]
