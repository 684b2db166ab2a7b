"""Shared building blocks of the platform spec: enums and the strict base model."""

from __future__ import annotations

import json
import re
from enum import Enum

from pydantic import BaseModel, ConfigDict
from pydantic_core import PydanticCustomError, core_schema

# Names that end up in resource names on every cloud: lowercase, digits and hyphens, starting with a
# letter. Short enough that "<platform>-<env>-<resource>" fits the tightest cloud limits.
NAME_PATTERN = r"^[a-z][a-z0-9-]{0,22}[a-z0-9]$"
# Column-like identifiers (entities, features, event time): valid as SageMaker feature names,
# BigQuery column names and Azure feature names alike.
IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class Cloud(str):
    """The name of a registered cloud (`components/registry.py`): the spec's `cloud:` value.

    A plain string (`Cloud("aws") == "aws"`) with `.value` like an enum member, so that a cloud
    registered at run time is as valid as the built-in ones. Unknown names fail validation with the
    message an enum gives ("Input should be 'aws', 'azure' or 'gcp'")."""

    @property
    def value(self) -> str:
        return str(self)

    @classmethod
    def __get_pydantic_core_schema__(cls, source, handler):
        return core_schema.no_info_plain_validator_function(
            cls._validate, serialization=core_schema.plain_serializer_function_ser_schema(str),
            json_schema_input_schema=core_schema.str_schema(),
        )

    @classmethod
    def _validate(cls, value) -> "Cloud":
        from ..registry import CLOUDS

        if isinstance(value, str) and value in CLOUDS:
            return cls(value)
        names = [repr(name) for name in CLOUDS.names()]
        expected = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        raise PydanticCustomError("enum", "Input should be {expected}", {"expected": expected})


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
