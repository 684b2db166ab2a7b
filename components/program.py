"""The Pulumi program: read the spec from stack config, build the platform, export its outputs.

`__main__.py` calls `run()` under `pulumi up`; the offline plan calls the very same function under
Pulumi's mock runtime.
"""

from __future__ import annotations

import pulumi

from .context import CloudSettings
from .platform import Platform
from .spec import CONFIG_KEY, SpecError, spec_from_config_value


def run() -> Platform:
    config = pulumi.Config("mlplat")
    raw = config.get_object("platform")
    source = f"stacks/Pulumi.{pulumi.get_stack()}.yaml"
    if raw is None:
        raise pulumi.RunError(f"{source}: config.{CONFIG_KEY}: missing (the platform spec lives under this key)")
    try:
        spec = spec_from_config_value(raw, source)
    except SpecError as error:
        raise pulumi.RunError("invalid platform spec:\n" + "\n".join(error.lines)) from None
    platform = Platform(spec.name, spec, CloudSettings.from_pulumi_config())
    for capability, outputs in platform.capability_outputs.items():
        pulumi.export(capability, outputs)
    return platform
