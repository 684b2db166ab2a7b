"""FinOps section: who pays (cost center, owner, team, free-form tags), the budget and use cases."""

from __future__ import annotations

from pydantic import Field, field_validator

from .base import EMAIL_PATTERN, NAME_PATTERN, SpecModel
from .tenancy import GpuShare


class FinOps(SpecModel):
    cost_center: str = Field(min_length=1, max_length=63)
    owner: str = Field(min_length=1, max_length=63, description="Owner e-mail or team alias.")
    team: str = Field(min_length=1, max_length=63)
    tags: dict[str, str] = Field(default_factory=dict, description="Extra tags carried by every resource.")


class BudgetSpec(SpecModel):
    # GCP budgets carry the amount as int64 units; a billion dollars a month is far above any platform.
    monthly_usd: float = Field(gt=0, le=1e9, allow_inf_nan=False)
    alert_thresholds_percent: list[int] = Field(default_factory=lambda: [50, 80, 100], min_length=1)
    notify: list[str] = Field(default_factory=list)

    @field_validator("alert_thresholds_percent")
    @classmethod
    def _thresholds(cls, value: list[int]) -> list[int]:
        for threshold in value:
            if not 1 <= threshold <= 1000:
                raise ValueError(f"threshold {threshold} must be between 1 and 1000 percent")
        if len(set(value)) != len(value):
            raise ValueError("thresholds must be unique")
        return sorted(value)

    @field_validator("notify")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        import re

        for address in value:
            if not re.match(EMAIL_PATTERN, address):
                raise ValueError(f"{address!r} is not an e-mail address")
        return value


class UseCaseSpec(SpecModel):
    """A use case sharing the platform; its resources carry a `use-case` tag for chargeback."""

    name: str = Field(pattern=NAME_PATTERN)
    cost_center: str | None = Field(default=None, min_length=1, max_length=63)
    owner: str | None = Field(default=None, min_length=1, max_length=63)
    budget: BudgetSpec | None = Field(default=None, description="Its own monthly budget, filtered on its use-case tag.")
    gpu_share: GpuShare | None = Field(default=None, description="Its share of the training GPUs.")
    max_endpoint_replicas: int | None = Field(
        default=None, ge=1, le=100, description="Cap on max_replicas of each of its endpoints."
    )
