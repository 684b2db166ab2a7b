"""Network and encryption posture. `None` means "use the environment default" (see PlatformSpec)."""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator

from .base import SpecModel


class Network(SpecModel):
    private: bool | None = Field(default=None, description="Private networking; default true in prod.")
    cidr: str = Field(default="10.40.0.0/16", description="Address space of the platform network.")

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        try:
            network = ipaddress.ip_network(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a CIDR block") from exc
        if network.version != 4 or not 16 <= network.prefixlen <= 20:
            raise ValueError("must be an IPv4 block between /16 and /20")
        return str(network)


class Encryption(SpecModel):
    customer_managed_keys: bool | None = Field(
        default=None, description="Encrypt with a customer-managed key; default true in prod."
    )


class Audit(SpecModel):
    access_logging: bool | None = Field(
        default=None,
        description="Storage access logs and network flow logs; default true outside dev (a cost choice in dev).",
    )
