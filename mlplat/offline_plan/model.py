"""The offline plan: what `pulumi up` would create, resource by resource."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class PlannedResource:
    urn: str
    type: str
    name: str
    parent: str | None
    capability: str
    inputs: dict
    protect: bool
    custom: bool = True
    dependencies: list[str] = field(default_factory=list)  # URNs the engine waits for (depends_on + inputs)
    options: dict = field(default_factory=dict)  # the rest of the engine request: aliases, provider, ignoreChanges...

    def to_dict(self) -> dict:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "capability": self.capability,
            "inputs": self.inputs,
            "protect": self.protect,
        }


@dataclass
class Plan:
    stack: str
    cloud: str
    environment: str
    source: str
    resources: list[PlannedResource] = field(default_factory=list)
    gaps: list[dict] = field(default_factory=list)
    outputs: dict = field(default_factory=dict)
    spec: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # what `pulumi up` would warn about

    def to_dict(self) -> dict:
        return {
            "stack": self.stack,
            "cloud": self.cloud,
            "environment": self.environment,
            "source": self.source,
            "resources": [r.to_dict() for r in self.resources],
            "gaps": self.gaps,
            "warnings": self.warnings,
            "outputs": self.outputs,
        }

    def by_type(self, type_token: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == type_token]

    def by_capability(self, capability: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.capability == capability]

    def custom_resources(self) -> list[PlannedResource]:
        return [r for r in self.resources if r.custom and not r.type.startswith("pulumi:providers:")]


__all__ = ["Plan", "PlannedResource", "asdict"]
