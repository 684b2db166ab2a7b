"""Shared building blocks of the platform spec: enums and the strict base model."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict

# Names that end up in resource names on every cloud: lowercase, digits and hyphens, starting with a
# letter. Short enough that "<platform>-<env>-<resource>" fits the tightest cloud limits.
NAME_PATTERN = r"^[a-z][a-z0-9-]{0,22}[a-z0-9]$"
# Column-like identifiers (entities, features, event time): valid as SageMaker feature names,
# BigQuery column names and Azure feature names alike.
IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class Cloud(str, Enum):
    aws = "aws"
    azure = "azure"
    gcp = "gcp"


class Environment(str, Enum):
    dev = "dev"
    staging = "staging"
    prod = "prod"


class SpecModel(BaseModel):
    """Base for every spec section: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False, use_enum_values=False)
