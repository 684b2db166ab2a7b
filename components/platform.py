"""`Platform`: the root component. It builds the chosen cloud's base layer, then one component per
capability the spec asks for, each the class the registered cloud names for it
(`components/registry.py`, `CloudProvider.capability_components`)."""

from __future__ import annotations

import pulumi

from .capabilities import CAPABILITIES
from .context import CloudSettings, PlatformContext
from .registry import cloud_of
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
        cloud = cloud_of(spec.cloud)
        child = pulumi.ResourceOptions(parent=self)

        self.base = cloud.base_component()("base", self.ctx, opts=child)
        self.capability_outputs: dict[str, dict] = {"base": self.base.outputs}
        self.ctx.built = self.capability_outputs  # later capabilities read earlier ones' outputs
        self.unbuilt: dict[str, str] = {}  # capability key -> why this cloud does not build it
        components = cloud.capability_components()
        declared = cloud.unsupported_capabilities()
        for capability in CAPABILITIES:
            items = capability.items(spec)
            component_class = components.get(capability.key)
            if items and component_class is None:
                # Never silent: the plan lists this, and `pulumi up` warns.
                reason = declared.get(capability.key, "not built by this version of mlplat")
                self.unbuilt[capability.key] = reason
                where = f"{reason} on {spec.cloud.value}" if capability.key in declared else (
                    f"not built on {spec.cloud.value} by this version of mlplat")
                pulumi.log.warn(f"{capability.key}: {where}", self)
                continue
            built = {}
            for logical_name, item in items:
                component = component_class(logical_name, self.ctx, self.base, item, opts=child)
                built[logical_name] = component.outputs
            if built:
                self.capability_outputs[capability.key] = built
        self.register_outputs(self.capability_outputs)
