"""The offline plan defers the alias URNs the SDK would build and never read, only while the monitor takes
alias specs; what the engine receives is unchanged (tests/golden compares every resource's aliases)."""

from __future__ import annotations

import json

import pulumi.resource as resource_module
from pulumi.runtime import settings

from mlplat.offline_plan.aliases import DeferredAliasUrn, alias_urns_deferred
from tests.golden import capture


def test_azure_aliases_reach_the_engine_as_specs(plan_of):
    plan = plan_of("azure-prod")
    aliased = [r for r in plan.resources if r.options.get("aliases")]
    assert len(aliased) > 20
    golden = {r["urn"]: r for r in json.loads(capture.path_of("plans", "azure-prod.azure").read_text())}
    assert all(golden[r.urn]["options"]["aliases"] == r.options["aliases"] for r in aliased)
    assert all("spec" in alias for r in aliased for alias in r.options["aliases"])


def test_alias_urns_are_deferred_only_when_the_monitor_takes_alias_specs(monkeypatch):
    from pulumi.runtime.proto import resource_pb2

    original = resource_module.collapse_alias_to_urn
    monkeypatch.setattr(settings.SETTINGS, "monitor_features", {resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS})
    with alias_urns_deferred():
        assert resource_module.collapse_alias_to_urn is DeferredAliasUrn
    assert resource_module.collapse_alias_to_urn is original

    monkeypatch.setattr(settings.SETTINGS, "monitor_features", set())  # an engine that needs the URNs
    with alias_urns_deferred():
        assert resource_module.collapse_alias_to_urn is original


def test_a_plan_that_builds_every_alias_urn_registers_exactly_what_the_deferred_plan_does(monkeypatch):
    """The deferral changes what the SDK builds for itself, never the request: planned with the SDK building
    every alias URN (as under an engine without alias specs), azure-dev's
    registrations equal the golden ones, which are planned with it."""
    from contextlib import nullcontext

    from mlplat.offline_plan import aliases, plan_stack

    monkeypatch.setattr(aliases, "alias_urns_deferred", nullcontext)
    plan = plan_stack("azure-dev", capture.STACKS)
    golden = json.loads(capture.path_of("plans", "azure-dev.azure").read_text())
    assert any(r["options"].get("aliases") for r in golden)
    assert json.loads(capture.dump(capture.registrations(plan))) == golden
