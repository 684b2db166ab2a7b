"""GCP implementation of every capability, one module each; the same names as aws/ and azure/."""

from .base import Base

__all__ = ["Base"]
