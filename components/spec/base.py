"""Shared building blocks of the platform spec: enums and the strict base model."""

from __future__ import annotations

import json
import re
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

    # inf and NaN are never a valid amount, rate or count: refusing them here keeps cost figures and
    # JSON output finite everywhere.
    model_config = ConfigDict(extra="forbid", validate_assignment=False, use_enum_values=False, allow_inf_nan=False)


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_:-]+$")


def field_path(*parts: object, prefix: str = "") -> str:
    """`prefix.a.b.0`; keys that are not plain words are quoted (`finops.tags["cost center"]`), so a key
    holding a dot, space or control character stays one key in the printed path."""
    path = prefix
    for part in parts:
        part = str(part)
        if _PLAIN_KEY.match(part):
            path = f"{path}.{part}" if path else part
        else:
            path = f"{path}[{json.dumps(part)}]"
    return path


class FieldError(ValueError):
    """A validation error about a field below the validated model; `parts` is its path from there."""

    def __init__(self, parts: tuple | list, message: str):
        super().__init__(message)
        self.parts = tuple(parts)
