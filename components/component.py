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

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__(component_type(self.CLOUD, self.COMPONENT), name, None, opts)
        self.outputs: dict = {}

    def finish(self, outputs: dict) -> None:
        self.outputs = outputs
        self.register_outputs(outputs)
