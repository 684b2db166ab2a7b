"""Azure implementation of every capability, one module each; the same names as aws/ and gcp/."""

from .base import Base
from .budget import Budget  # noqa: F401  (finops)
from .endpoint import Endpoint  # noqa: F401  (endpoints)
from .vector_search import VectorSearch  # noqa: F401  (vector search)

__all__ = ["Base"]
