"""Skip the alias URNs the SDK computes eagerly and then never reads, while the offline plan runs.

`pulumi.Resource.__init__` turns every alias in `opts.aliases` into an `Output[str]` URN
(`collapse_alias_to_urn`: an output chain per alias, each with its own asyncio tasks) and keeps them in
`resource._aliases`. Those URNs are read in one place only: `all_aliases`, the path for engines WITHOUT
alias specs. When the monitor supports alias specs (ours does, as does every current engine), the
registration sends `opts.aliases` as specs instead (`prepare_aliases`), so the URNs are built for nothing.
azure-native resources carry 17 to 60 version aliases each; building them was about two thirds of a warm
Azure plan.

The aliases the engine receives are unchanged (tests/golden holds them per resource); only the unused
`_aliases` list holds deferred placeholders instead of outputs, and only when alias specs are supported.
"""

from __future__ import annotations

from contextlib import contextmanager


class DeferredAliasUrn:
    """What `collapse_alias_to_urn` would have built, kept as its arguments (never resolved: see above)."""

    __slots__ = ("alias", "name", "type", "parent")

    def __init__(self, alias, name, type_, parent):
        self.alias, self.name, self.type, self.parent = alias, name, type_, parent


def monitor_takes_alias_specs() -> bool:
    from pulumi.runtime.proto import resource_pb2
    from pulumi.runtime.settings import monitor_supports_feature

    return monitor_supports_feature(resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS)


@contextmanager
def alias_urns_deferred():
    """Within the block, resources keep deferred alias URNs, if the current monitor takes alias specs."""
    import pulumi.resource as resource_module

    if not monitor_takes_alias_specs():
        yield
        return
    original = resource_module.collapse_alias_to_urn
    resource_module.collapse_alias_to_urn = DeferredAliasUrn
    try:
        yield
    finally:
        resource_module.collapse_alias_to_urn = original
