"""GCP implementation of every capability, one module each; the same names as aws/ and azure/."""

from .base import Base
from .vector_search import VectorSearch  # noqa: F401  (vector search)
from .budget import Budget  # noqa: F401  (finops)

__all__ = ["Base"]
