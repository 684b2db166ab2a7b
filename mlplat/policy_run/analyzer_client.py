"""Start a policy pack as a plugin process and speak Pulumi's Analyzer gRPC protocol to it.

This is what the Pulumi CLI does for `pulumi preview --policy-pack DIR` with a Python pack: its Python plugin
host runs `python -u -m pulumi.policy <engine-address> DIR`; the pack's PolicyPack(...) serves the Analyzer
service on 127.0.0.1 and prints the port on its first stdout line. The engine then calls GetAnalyzerInfo,
Configure (per-policy enforcement level and settings, schema defaults filled in), ConfigureStack, Analyze per
resource and AnalyzeStack with every resource.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

PACK_DIR = Path(__file__).resolve().parent.parent.parent / "policies"
START_TIMEOUT_S = 60.0
RPC_TIMEOUT_S = 120.0
_MAX_MESSAGE = 1024 * 1024 * 400

ENFORCEMENT_NAMES = {0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate"}
ENFORCEMENT_VALUES = {v: k for k, v in ENFORCEMENT_NAMES.items()}
SEVERITY_NAMES = {0: "", 1: "low", 2: "medium", 3: "high", 4: "critical"}


class PolicyRunError(Exception):
    """The pack could not be started or spoken to, or its configuration is invalid (a usage error)."""

    def __init__(self, lines: list[str] | str):
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        super().__init__("; ".join(self.lines))


@dataclass
class PolicyInfo:
    name: str
    description: str
    enforcement_level: str
    policy_type: str  # "resource" | "stack"
    config_schema: dict = field(default_factory=dict)
    required: list = field(default_factory=list)
    display_name: str = ""
    severity: str = ""


@dataclass
class AnalyzerResource:
    """One resource as the engine describes it to an analyzer."""

    urn: str
    type: str
    name: str
    properties: dict
    protect: bool = False
    parent: Optional[str] = None
    dependencies: list = field(default_factory=list)
    property_dependencies: dict = field(default_factory=dict)
    provider: Optional[dict] = None  # {"urn", "type", "name", "properties"}


@dataclass
class Diagnostic:
    policy_name: str
    policy_pack_name: str
    policy_pack_version: str
    description: str
    message: str
    urn: str
    enforcement_level: str
    severity: str


def _to_struct(values: dict):
    from google.protobuf import struct_pb2

    struct = struct_pb2.Struct()
    struct.update(_jsonable(values))
    return struct


def _jsonable(value: Any) -> Any:
    """Plain JSON values, the way the engine marshals inputs without secrets/unknowns (secrets as plain)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


class PolicyPackProcess:
    """A running policy pack. Use as a context manager, or call start()/close()."""

    def __init__(self, pack_dir: Path | str = PACK_DIR, python: str | None = None, env: dict | None = None):
        self.pack_dir = Path(pack_dir).resolve()
        self.python = python or sys.executable
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None
        self.channel = None
        self.stub = None
        self.port: int | None = None
        self._stderr = None
        self._info = None

    # -- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> "PolicyPackProcess":
        """Spawn the pack (unless `spawn()` already did) and wait until it serves."""
        return self.connect()

    def spawn(self) -> "PolicyPackProcess":
        """Start the pack process without waiting for it: its imports run while the caller plans."""
        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise PolicyRunError(f"{self.pack_dir} is not a policy pack (no PulumiPolicy.yaml)")
        env = dict(os.environ)
        # The pack must import its own modules first, then the installed SDKs (same as the CLI's plugin host,
        # which runs the pack from its directory with the project's virtual environment).
        env.update(self.extra_env)
        env.setdefault("PYTHONUNBUFFERED", "1")
        self._stderr = tempfile.TemporaryFile()
        # Engine address: logging from the pack is not used here; the host passes it positionally.
        args = [self.python, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(self.pack_dir)]
        try:
            self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr, stdin=subprocess.DEVNULL,
                                            cwd=str(self.pack_dir), env=env)
        except OSError as error:
            raise PolicyRunError(f"cannot start the policy pack with {self.python}: {error}") from None
        return self

    def connect(self) -> "PolicyPackProcess":
        """Wait for the spawned pack to print its port and accept connections."""
        import grpc
        from pulumi.runtime.proto import analyzer_pb2_grpc

        if self.stub is not None:
            return self
        if self.process is None:
            self.spawn()
        line = self._read_port_line()
        try:
            self.port = int(line.strip())
        except ValueError:
            self.close()
            raise PolicyRunError([f"the policy pack printed {line.strip()!r} instead of its port",
                                  *self._stderr_tail()]) from None
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}", options=[
            ("grpc.max_receive_message_length", _MAX_MESSAGE), ("grpc.max_send_message_length", _MAX_MESSAGE)])
        try:
            grpc.channel_ready_future(self.channel).result(timeout=START_TIMEOUT_S)
        except grpc.FutureTimeoutError:
            self.close()
            raise PolicyRunError(f"the policy pack did not accept connections on port {self.port}") from None
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        return self

    def _read_port_line(self) -> str:
        result: list[bytes] = []

        def reader():
            result.append(self.process.stdout.readline())

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        thread.join(START_TIMEOUT_S)
        if not result or not result[0]:
            code = self.process.poll()
            tail = self._stderr_tail()
            self.close()
            state = f"exited with code {code}" if code is not None else f"printed no port within {START_TIMEOUT_S:.0f}s"
            raise PolicyRunError([f"the policy pack {self.pack_dir} {state}", *tail])
        return result[0].decode(errors="replace")

    def stderr_text(self) -> str:
        """What the pack process has written to stderr so far ("" once closed)."""
        if self._stderr is None:
            return ""
        try:
            self._stderr.seek(0)
            return self._stderr.read().decode(errors="replace")
        except (OSError, ValueError):
            return ""

    def _stderr_tail(self, lines: int = 15) -> list[str]:
        return ["  " + line for line in self.stderr_text().strip().splitlines()[-lines:]]

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process is not None and self.process.stdout:
            self.process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> "PolicyPackProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- RPCs ----------------------------------------------------------------------------------------

    def _call(self, method: str, request):
        import grpc

        if self.stub is None:
            raise PolicyRunError("the policy pack is not running")
        try:
            return getattr(self.stub, method)(request, timeout=RPC_TIMEOUT_S)
        except grpc.RpcError as error:
            detail = error.details() if hasattr(error, "details") else str(error)
            raise PolicyRunError([f"the policy pack failed in {method}: {detail}", *self._stderr_tail()]) from None

    def info(self) -> tuple[dict, list[PolicyInfo]]:
        """GetAnalyzerInfo: ({name, version, description}, policies)."""
        from google.protobuf import empty_pb2, json_format

        if self._info is None:
            reply = self._call("GetAnalyzerInfo", empty_pb2.Empty())
            policies = []
            for p in reply.policies:
                schema = json_format.MessageToDict(p.configSchema.properties) if p.HasField("configSchema") else {}
                policies.append(PolicyInfo(
                    name=p.name, description=p.description,
                    enforcement_level=ENFORCEMENT_NAMES.get(p.enforcementLevel, "advisory"),
                    policy_type="stack" if p.policy_type == 2 else "resource",
                    config_schema=schema, required=list(p.configSchema.required) if p.HasField("configSchema") else [],
                    display_name=p.displayName, severity=SEVERITY_NAMES.get(p.severity, ""),
                ))
            self._info = ({"name": reply.name, "version": reply.version, "description": reply.description}, policies)
        return self._info

    def configure(self, resolved: dict[str, tuple[str, dict]]) -> None:
        """Configure: {policy: (enforcement level, settings)} for every policy (defaults already merged)."""
        from pulumi.runtime.proto import analyzer_pb2

        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, (level, settings) in resolved.items():
            entry = request.policyConfig[name]
            entry.enforcementLevel = ENFORCEMENT_VALUES[level]
            entry.properties.update(_jsonable(settings))
        self._call("Configure", request)

    def configure_stack(self, stack: str, project: str, config: dict[str, str] | None = None,
                        tags: dict[str, str] | None = None, organization: str = "organization") -> None:
        from pulumi.runtime.proto import analyzer_pb2

        request = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=stack, project=project, organization=organization, dry_run=True,
            config=config or {}, tags=tags or {})
        self._call("ConfigureStack", request)

    def _options(self, resource: AnalyzerResource):
        from pulumi.runtime.proto import analyzer_pb2

        return analyzer_pb2.AnalyzerResourceOptions(protect=resource.protect, parent=resource.parent or "")

    def _provider(self, resource: AnalyzerResource):
        from pulumi.runtime.proto import analyzer_pb2

        if not resource.provider:
            return None
        p = resource.provider
        return analyzer_pb2.AnalyzerProviderResource(type=p.get("type", ""), urn=p.get("urn", ""),
                                                     name=p.get("name", ""), properties=_to_struct(p.get("properties", {})))

    def analyze(self, resource: AnalyzerResource) -> list[Diagnostic]:
        from pulumi.runtime.proto import analyzer_pb2

        request = analyzer_pb2.AnalyzeRequest(type=resource.type, properties=_to_struct(resource.properties),
                                              urn=resource.urn, name=resource.name, options=self._options(resource))
        provider = self._provider(resource)
        if provider is not None:
            request.provider.CopyFrom(provider)
        return self._diagnostics(self._call("Analyze", request), default_urn=resource.urn)

    def analyze_stack(self, resources: Iterable[AnalyzerResource]) -> list[Diagnostic]:
        from pulumi.runtime.proto import analyzer_pb2

        request = analyzer_pb2.AnalyzeStackRequest()
        for r in resources:
            item = request.resources.add()
            item.type, item.urn, item.name = r.type, r.urn, r.name
            item.properties.CopyFrom(_to_struct(r.properties))
            item.options.CopyFrom(self._options(r))
            item.parent = r.parent or ""
            item.dependencies.extend(r.dependencies)
            for key, urns in r.property_dependencies.items():
                item.propertyDependencies[key].urns.extend(urns)
            provider = self._provider(r)
            if provider is not None:
                item.provider.CopyFrom(provider)
        return self._diagnostics(self._call("AnalyzeStack", request), default_urn="")

    @staticmethod
    def _diagnostics(reply, default_urn: str) -> list[Diagnostic]:
        found = []
        for d in reply.diagnostics:
            message = d.message
            if d.description and message.startswith(d.description):
                message = message[len(d.description):].lstrip("\n") or d.description
            found.append(Diagnostic(
                policy_name=d.policyName, policy_pack_name=d.policyPackName, policy_pack_version=d.policyPackVersion,
                description=d.description, message=message, urn=d.urn or default_urn,
                enforcement_level=ENFORCEMENT_NAMES.get(d.enforcementLevel, "advisory"),
                severity=SEVERITY_NAMES.get(d.severity, ""),
            ))
        return found
