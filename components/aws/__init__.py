"""AWS implementation of every capability, one module each; the same names as azure/ and gcp/."""

from .base import Base

__all__ = ["Base"]
