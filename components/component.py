"""Base class of every mlplat component resource: type token `mlplat:<cloud>:<Component>`."""

from __future__ import annotations

from abc import ABCMeta

import pulumi


def component_type(cloud: str, component: str) -> str:
    return f"mlplat:{cloud}:{component}"


class PlatformComponent(pulumi.ComponentResource, metaclass=ABCMeta):
    """Subclasses set CLOUD and COMPONENT, build their children, then call `self.finish(outputs)`."""

    CLOUD = ""
    COMPONENT = ""
    # The capability's typed outputs (components/outputs.py), set by its contract (components/contract.py).
    OUTPUTS: type | None = None

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__(component_type(self.CLOUD, self.COMPONENT), name, None, opts)
        self.outputs: dict = {}

    def finish(self, outputs) -> None:
        """Register the component's outputs: an instance of its contract's `OUTPUTS` (exported as its
        `to_dict()`); a dict only for a component whose contract declares no typed outputs."""
        if self.OUTPUTS is not None:
            if not isinstance(outputs, self.OUTPUTS):
                raise TypeError(f"{type(self).__name__} outputs must be {self.OUTPUTS.__name__}, not {type(outputs).__name__}")
            outputs = outputs.to_dict()
        self.outputs = outputs
        self.register_outputs(outputs)
