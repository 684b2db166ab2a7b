"""The registry of clouds: the one list of clouds mlplat knows, used wherever a cloud is chosen (the
program, the spec's `cloud:` field, the CLI's `--cloud` choices, the offline plan, cost, price refresh,
preflight).

Registration is explicit (one `CLOUDS.register(...)` line per cloud at the bottom of this module), in the
style of SkyPilot's `sky/utils/registry.py`: no module names built from strings, no attribute lookup by
name. A test or an extension registers another cloud the same way (`CLOUDS.register(MyCloud())`) and
removes it with `CLOUDS.unregister(name)`.
"""

from __future__ import annotations

from typing import Iterator

from .cloud import CloudProvider


class UnknownCloud(KeyError):
    """A cloud name no registered cloud answers to."""

    def __str__(self) -> str:
        return str(self.args[0])


class CloudRegistry:
    def __init__(self) -> None:
        self._clouds: dict[str, CloudProvider] = {}
        self._listeners: list = []

    def register(self, cloud: CloudProvider) -> CloudProvider:
        if not isinstance(cloud, CloudProvider):
            raise TypeError(f"{cloud!r} is not a CloudProvider")
        if cloud.name in self._clouds:
            raise ValueError(f"cloud {cloud.name!r} is already registered")
        self._clouds[cloud.name] = cloud
        return cloud

    def unregister(self, name: str) -> None:
        self._clouds.pop(name, None)

    def get(self, name) -> CloudProvider:
        key = getattr(name, "value", name)
        try:
            return self._clouds[key]
        except KeyError:
            raise UnknownCloud(f"unknown cloud {key!r} (known: {', '.join(self.names())})") from None

    def names(self) -> tuple[str, ...]:
        return tuple(self._clouds)

    def __contains__(self, name) -> bool:
        return getattr(name, "value", name) in self._clouds

    def __iter__(self) -> Iterator[CloudProvider]:
        return iter(list(self._clouds.values()))


CLOUDS = CloudRegistry()


def cloud_of(name) -> CloudProvider:
    """The registered cloud called `name` (a string or a spec's `cloud` value)."""
    return CLOUDS.get(name)


def cloud_names() -> tuple[str, ...]:
    return CLOUDS.names()


def _register_builtin_clouds() -> None:
    from .aws.cloud import AwsCloud
    from .azure.cloud import AzureCloud
    from .gcp.cloud import GcpCloud

    CLOUDS.register(AwsCloud())
    CLOUDS.register(AzureCloud())
    CLOUDS.register(GcpCloud())


_register_builtin_clouds()
