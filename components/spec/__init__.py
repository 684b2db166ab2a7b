"""The cloud-neutral platform spec. No cloud SDK is imported here."""

from .base import Cloud, Environment
from .loading import CONFIG_KEY, LoadedStack, SpecError, load_spec_file, load_stack, parse_spec, spec_from_config_value
from .platform import PlatformSpec
from .tags import cloud_tags

__all__ = [
    "CONFIG_KEY",
    "Cloud",
    "Environment",
    "LoadedStack",
    "PlatformSpec",
    "SpecError",
    "cloud_tags",
    "load_spec_file",
    "load_stack",
    "parse_spec",
    "spec_from_config_value",
]
