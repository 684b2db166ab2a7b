"""Model registry section."""

from __future__ import annotations

from pydantic import Field

from .base import SpecModel


class RegistrySpec(SpecModel):
    approval_required: bool | None = Field(
        default=None, description="New model versions wait for approval; default true in staging and prod."
    )
