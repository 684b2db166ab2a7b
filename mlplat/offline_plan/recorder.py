"""A mock resource monitor that records every registration exactly as the program made it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.settings import get_project, get_stack

STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    protect: bool
    inputs: dict
    aliases: list = field(default_factory=list)
    provider: str | None = None
    dependencies: list = field(default_factory=list)
    options: dict = field(default_factory=dict)


class RecordingMonitor(MockMonitor):
    """Records registrations and builds URNs the way the Pulumi engine does (full parent type chain)."""

    def __init__(self, mocks):
        self._tap = _InputsTap(mocks)
        super().__init__(self._tap)
        self.registrations: list[Registration] = []
        self.stack_outputs: dict = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != STACK_TYPE:
                type_ = f"{parent_type}${type_}"
        return "urn:pulumi:" + "::".join([get_stack(), get_project(), type_, name])

    def RegisterResource(self, request):
        self._tap.local.inputs = None
        response = super().RegisterResource(request)
        if request.type != STACK_TYPE:
            inputs = self._tap.local.inputs
            if inputs is None:  # the mock monitor did not ask the mocks (it always does, as of this SDK)
                inputs = rpc.deserialize_properties(request.object)
            self.registrations.append(
                Registration(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent or None,
                    custom=bool(request.custom),
                    protect=bool(request.protect),
                    inputs=_plain(inputs),
                    aliases=[str(a) for a in request.aliasURNs],
                    provider=request.provider or None,
                    dependencies=list(request.dependencies),
                    options=engine_options(request),
                )
            )
        return response


# Request fields that say where the program made the call, not what it asks the engine to do.
_NOT_ENGINE_OPTIONS = {"type", "name", "parent", "custom", "object", "protect", "sourcePosition", "stackTrace",
                       "parentStackTraceHandle"}


def engine_options(request) -> dict:
    """Every other field of the RegisterResource request (aliases, dependencies, provider, ignoreChanges...),
    as protobuf's JSON mapping: what the engine would diff a deployed stack against besides the inputs."""
    from google.protobuf.json_format import MessageToDict

    # Cleared on a copy before the mapping: the inputs and the stack trace are most of the request, and
    # protobuf's JSON mapping of them (pure Python) cost more than the rest of the recording.
    options = type(request)()
    options.CopyFrom(request)
    for descriptor, _ in request.ListFields():
        if descriptor.name in _NOT_ENGINE_OPTIONS:
            options.ClearField(descriptor.name)
    return MessageToDict(options, preserving_proto_field_name=True)


class _InputsTap:
    """The mocks as the mock monitor sees them, keeping the inputs it has just deserialized for the recorder
    (per thread: the monitor serves registrations from a pool of threads), so they are not deserialized twice."""

    def __init__(self, mocks):
        self.mocks = mocks
        self.local = threading.local()

    def new_resource(self, args):
        self.local.inputs = args.inputs
        return self.mocks.new_resource(args)

    def __getattr__(self, name):
        return getattr(self.mocks, name)


def _plain(value):
    """Inputs as JSON-able values (secrets unwrapped, resource references as their URNs)."""
    if isinstance(value, dict):
        if rpc._special_sig_key in value:  # noqa: SLF001 - wire-format marker
            if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
                return _plain(value.get("value"))
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "urn") and hasattr(value, "__class__") and not isinstance(value, (str, int, float, bool)):
        return f"<resource {type(value).__name__}>"
    return value
