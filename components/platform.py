"""`Platform`: the root component. It builds the chosen cloud's base layer, then one component per
capability the spec asks for, all from the cloud package `components.<cloud>`."""

from __future__ import annotations

import importlib

import pulumi

from .capabilities import CAPABILITIES
from .context import CloudSettings, PlatformContext
from .spec import PlatformSpec


class Platform(pulumi.ComponentResource):
    """One ML platform on one cloud. Outputs: everything a user needs to submit jobs and call endpoints."""

    def __init__(
        self,
        name: str,
        spec: PlatformSpec,
        settings: CloudSettings | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("mlplat:index:Platform", name, None, opts)
        self.ctx = PlatformContext(spec=spec, settings=settings or CloudSettings())
        cloud = importlib.import_module(f"components.{spec.cloud.value}")
        child = pulumi.ResourceOptions(parent=self)

        self.base = cloud.Base("base", self.ctx, opts=child)
        self.capability_outputs: dict[str, dict] = {"base": self.base.outputs}
        self.unbuilt: list[str] = []
        for capability in CAPABILITIES:
            items = capability.items(spec)
            component_class = getattr(cloud, capability.component, None)
            if items and component_class is None:
                # Never silent: the plan lists this, and `pulumi up` warns.
                self.unbuilt.append(capability.key)
                pulumi.log.warn(f"{capability.key}: not built on {spec.cloud.value} by this version of mlplat", self)
                continue
            built = {}
            for logical_name, item in items:
                component = component_class(logical_name, self.ctx, self.base, item, opts=child)
                built[logical_name] = component.outputs
                self.ctx.built.setdefault(capability.key, {})[logical_name] = component
            if built:
                self.capability_outputs[capability.key] = built
        self.register_outputs(self.capability_outputs)
