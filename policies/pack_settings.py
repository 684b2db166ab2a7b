"""Policy settings shared by the pack's modules: configured values with schema defaults, and what counts as prod."""

from __future__ import annotations

PROD_ENVIRONMENTS = ["prod", "production"]

PROD_SCHEMA = {"prodEnvironments": {"type": "array", "items": {"type": "string"}, "default": PROD_ENVIRONMENTS,
                                    "description": "Environment tag values treated as production."}}


def setting(config, key, default):
    """A policy setting: the configured value, else the schema default (the Pulumi CLI merges defaults, but a
    pack run without config must behave the same)."""
    if config and key in config and config[key] is not None:
        return config[key]
    return default


def prod_environments(config) -> list[str]:
    return [e.lower() for e in setting(config, "prodEnvironments", PROD_ENVIRONMENTS)]
