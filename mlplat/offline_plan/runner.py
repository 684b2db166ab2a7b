"""Run the real Pulumi program in-process under Pulumi's mock runtime and record what it registers.

No Pulumi CLI, no credentials, no network: `pulumi.runtime.set_mocks` replaces the engine. The program
is `components.program.run`, the very function `__main__.py` runs under `pulumi up`.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from components.spec import CONFIG_KEY, SpecError, load_spec_file, load_stack
from components.spec.gaps import capability_gaps
from components.spec.regions import mapping_gaps

from .model import Plan, PlannedResource

_LOCK = threading.Lock()  # the Pulumi runtime settings are process-global: one plan at a time


class PlanError(Exception):
    """The program itself failed (a bug in mlplat, not in the spec)."""


class _CollectingLogger:
    """Engine log messages of the program (warnings) collected instead of printed."""

    def __init__(self):
        import logging

        self.messages: list[str] = []
        collector = self

        class _Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                collector.messages.append(record.getMessage())

        self.logger = logging.getLogger("mlplat.offline_plan.engine")
        self.logger.propagate = False
        self.logger.handlers = [_Handler()]
        self.logger.setLevel(logging.WARNING)


def plan_stack(stack: str, stacks_dir: Path, cloud: str | None = None, region: str | None = None) -> Plan:
    """The plan of `stacks/Pulumi.<stack>.yaml`, optionally rendered on another cloud."""
    loaded = load_stack(stack, stacks_dir, cloud, region)
    return _run(stack, loaded)


def plan_file(path: Path, cloud: str | None = None, region: str | None = None, stack: str | None = None) -> Plan:
    """The plan of a YAML file holding just the spec."""
    loaded = load_spec_file(path, cloud, region)
    name = stack or f"{loaded.spec.cloud.value}-{loaded.spec.environment.value}"
    return _run(name, loaded)


def _stack_config(loaded) -> dict[str, str]:
    """Config as the engine hands it to the program: `ns:key` -> string (objects as JSON)."""
    spec = loaded.spec
    config: dict[str, str] = {}
    for key, value in loaded.config.items():
        if key == CONFIG_KEY or (isinstance(value, dict) and "secure" in value):
            continue
        config[key] = value if isinstance(value, str) else json.dumps(value)
    raw = dict(loaded.raw)
    raw["cloud"], raw["region"] = spec.cloud.value, spec.region
    config[CONFIG_KEY] = json.dumps(raw)
    from .mocks import offline_of

    offline = offline_of(spec.cloud.value)
    if offline is not None:
        offline.stack_config(config, spec)
    return config


def _run(stack: str, loaded) -> Plan:
    import pulumi
    from pulumi.runtime import settings as runtime_settings

    from components.capabilities import CAPABILITIES, CAPABILITY_OF_COMPONENT
    from components.program import run as run_program

    from .aliases import alias_urns_deferred
    from .mocks import PlanMocks, offline_of
    from .recorder import RecordingMonitor

    spec = loaded.spec
    config = _stack_config(loaded)
    with _LOCK:
        _ensure_event_loop()
        mocks = PlanMocks(region=spec.region, config=config)
        monitor = RecordingMonitor(mocks)
        pulumi.runtime.set_all_config(config)
        _ensure_event_loop()
        warnings = _CollectingLogger()
        pulumi.runtime.set_mocks(
            mocks, project="mlplat", stack=stack, preview=False, monitor=monitor, logger=warnings.logger
        )
        holder: dict = {}

        def program():
            holder["platform"] = run_program()
            # The stack outputs (what `pulumi stack output` would show), resolved under the mocks.
            outputs = pulumi.Output.from_input(holder["platform"].capability_outputs)
            return outputs.apply(lambda values: holder.__setitem__("outputs", values))

        try:
            with alias_urns_deferred():
                pulumi.runtime.mocks.test(program)()
        except pulumi.RunError as error:
            raise SpecError(str(error).splitlines()[1:] or [str(error)]) from None
        except Exception as error:  # noqa: BLE001 - a program bug must still read as one clear line
            raise PlanError(f"{loaded.source}: the Pulumi program failed: {type(error).__name__}: {error}") from error
        finally:
            pulumi.runtime.set_all_config({})
            runtime_settings.SETTINGS.rpc_manager.clear()

    platform = holder["platform"]
    capability_of_urn: dict[str, str] = {}
    resources = []
    for reg in monitor.registrations:
        capability = capability_of_urn.get(reg.parent or "", "platform")
        if reg.type.startswith("mlplat:") and reg.type.count(":") == 2:
            capability = CAPABILITY_OF_COMPONENT.get(reg.type.split(":")[2], capability)
        capability_of_urn[reg.urn] = capability
        resources.append(
            PlannedResource(
                urn=reg.urn,
                type=reg.type,
                name=reg.name,
                parent=reg.parent if reg.parent and "pulumi:pulumi:Stack" not in reg.parent else None,
                capability=capability,
                inputs=reg.inputs,
                protect=reg.protect,
                custom=reg.custom,
                dependencies=reg.dependencies,
                options=reg.options,
            )
        )
    order = {key: i for i, key in enumerate(["platform", "base", *[c.key for c in CAPABILITIES]])}
    resources.sort(key=lambda r: (order.get(r.capability, 99), r.urn))
    gaps = mapping_gaps(loaded.raw, spec) + capability_gaps(spec) + [
        {"capability": key, "cloud": spec.cloud.value, "gap": reason} for key, reason in platform.unbuilt.items()
    ]
    offline = offline_of(spec.cloud.value)
    gaps += offline.gaps(config) if offline is not None else []
    return Plan(
        stack=stack,
        cloud=spec.cloud.value,
        environment=spec.environment.value,
        source=loaded.source,
        resources=resources,
        gaps=gaps,
        outputs=_plain_outputs(holder.get("outputs") or {}),
        warnings=list(dict.fromkeys(warnings.messages)),
        spec=spec.model_dump(mode="json"),
    )


def _ensure_event_loop() -> None:
    """set_mocks creates the stack resource, which needs a current event loop; after `asyncio.run()` (in the
    caller, or a library it used) the thread has none, and asyncio no longer creates one on demand."""
    import asyncio

    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())


def _plain_outputs(value):
    """Stack outputs as JSON-able values (tuples as lists, non-JSON scalars as text)."""
    if isinstance(value, dict):
        return {str(k): _plain_outputs(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_outputs(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
