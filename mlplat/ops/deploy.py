"""`mlplat preview|up|destroy`: the Pulumi Automation API on this project.

- The Pulumi CLI must be installed (the Automation API drives it); its absence is reported with how to
  install it, never a traceback.
- State goes to a local file backend (`file://<project>/.pulumi-state`) unless the user set
  PULUMI_BACKEND_URL or passes --backend-url: no Pulumi account is needed.
- The project's policy pack (`policies/`, a directory with PulumiPolicy.yaml) is attached to preview and
  up with `policy_packs=[...]`.
- Engine events are turned into progress lines and a summary (changes, policy violations, errors).

`pulumi.automation` is imported lazily through `_automation()`.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from .results import OpsError, Progress, no_progress

INSTALL_HINT = (
    "Pulumi CLI not found: install it with `curl -fsSL https://get.pulumi.com | sh` "
    "(or see https://www.pulumi.com/docs/install/)"
)
STATE_DIR = ".pulumi-state"
OPERATIONS = ("preview", "up", "destroy")
# Operations that change something, shown as progress; "same" and "read" are not.
_SHOWN_OPS = {"create": "+", "update": "~", "delete": "-", "replace": "+-", "create-replacement": "++",
              "delete-replaced": "--", "import": "=", "import-replacement": "=>"}


class PulumiCliMissing(OpsError):
    """The `pulumi` binary is not on PATH (exit 2: a missing tool)."""


class DeployUsageError(OpsError):
    """Missing passphrase, refused confirmation, and the like (exit 2)."""


class ProtectedResources(OpsError):
    """destroy refused: the stack holds protected resources (exit 1)."""

    def __init__(self, urns: list[str]):
        lines = [f"refusing to destroy: {len(urns)} protected resource(s) in the stack:"]
        lines += [f"  {urn}" for urn in urns]
        lines += [
            "  protection is on because the spec has `protect: true` (the prod default); to really destroy,",
            "  set `protect: false` in the stack's spec and run `mlplat up` first, or unprotect single",
            "  resources with `pulumi state unprotect <urn>`",
        ]
        super().__init__(lines)
        self.urns = urns


def _automation():
    import pulumi.automation as auto

    return auto


def require_pulumi_cli() -> str:
    found = shutil.which("pulumi")
    if not found:
        raise PulumiCliMissing(INSTALL_HINT)
    return found


def backend_url(project_dir: Path, explicit: str | None = None, environ: dict | None = None) -> str:
    """--backend-url, else $PULUMI_BACKEND_URL, else the project's local file backend."""
    environ = os.environ if environ is None else environ
    return explicit or environ.get("PULUMI_BACKEND_URL") or f"file://{(project_dir / STATE_DIR).resolve()}"


def policy_packs(project_dir: Path) -> list[str]:
    """The project's policy pack directory, when it is one (has PulumiPolicy.yaml)."""
    pack = project_dir / "policies"
    return [str(pack.resolve())] if (pack / "PulumiPolicy.yaml").exists() else []


def needs_passphrase(stack_file: Path, url: str) -> bool:
    """The passphrase secrets provider is used unless the stack names another one (awskms://,
    azurekeyvault://, gcpkms://, hashivault://) or the backend is Pulumi Cloud (its own provider)."""
    if url.startswith(("https://", "http://")) or url == "":
        return False
    try:
        document = yaml.safe_load(stack_file.read_text()) or {}
    except (OSError, yaml.YAMLError):
        document = {}
    provider = document.get("secretsprovider") if isinstance(document, dict) else None
    return not provider or str(provider).startswith("passphrase")


def workspace_env(
    project_dir: Path, stack_file: Path, explicit_backend: str | None = None, passphrase: str | None = None,
    environ: dict | None = None,
) -> dict[str, str]:
    """Environment for the Pulumi CLI: backend URL, passphrase (checked), no update nagging."""
    environ = os.environ if environ is None else environ
    url = backend_url(project_dir, explicit_backend, environ)
    env = {"PULUMI_BACKEND_URL": url, "PULUMI_SKIP_UPDATE_CHECK": "true"}
    if url.startswith("file://"):
        Path(url.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
    if passphrase is not None:
        env["PULUMI_CONFIG_PASSPHRASE"] = passphrase
    elif (
        needs_passphrase(stack_file, url)
        and "PULUMI_CONFIG_PASSPHRASE" not in environ
        and "PULUMI_CONFIG_PASSPHRASE_FILE" not in environ
    ):
        raise DeployUsageError(
            [
                f"the stack's secrets are encrypted with a passphrase (backend {url}), and none is set",
                "  export PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE); an empty passphrase is",
                "  allowed for throw-away dev stacks: export PULUMI_CONFIG_PASSPHRASE=''",
            ]
        )
    return env


@dataclass
class EventLog:
    """Collects engine events into progress lines and a summary."""

    progress: Progress = no_progress
    steps: list[dict] = field(default_factory=list)
    policy_violations: list[dict] = field(default_factory=list)
    diagnostics: list[dict] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)

    def __call__(self, event: Any) -> None:
        pre = getattr(event, "resource_pre_event", None)
        if pre is not None:
            meta = pre.metadata
            op = getattr(meta.op, "value", str(meta.op))
            if op in _SHOWN_OPS:
                self.steps.append({"op": op, "urn": meta.urn, "type": meta.type})
                self.progress(f"  {_SHOWN_OPS[op]} {meta.type} {meta.urn.rsplit('::', 1)[-1]} ({op})")
        failed = getattr(event, "res_op_failed_event", None)
        if failed is not None:
            self.failed.append(failed.metadata.urn)
            self.progress(f"  ! failed: {failed.metadata.urn}")
        policy = getattr(event, "policy_event", None)
        if policy is not None:
            record = {
                "policy": policy.policy_name,
                "pack": policy.policy_pack_name,
                "enforcement": policy.enforcement_level,
                "resource": policy.resource_urn,
                "message": policy.message.strip(),
            }
            self.policy_violations.append(record)
            self.progress(f"  policy {record['enforcement']}: {record['pack']}/{record['policy']}: {record['message']}")
        diagnostic = getattr(event, "diagnostic_event", None)
        if diagnostic is not None and diagnostic.severity in ("error", "warning"):
            record = {"severity": diagnostic.severity, "urn": diagnostic.urn, "message": diagnostic.message.strip()}
            self.diagnostics.append(record)
            self.progress(f"  {diagnostic.severity}: {record['message']}")
        summary = getattr(event, "summary_event", None)
        if summary is not None:
            self.summary = {getattr(k, "value", str(k)): v for k, v in (summary.resource_changes or {}).items()}

    def to_dict(self) -> dict:
        return {
            "changes": self.summary,
            "steps": self.steps,
            "policy_violations": self.policy_violations,
            "diagnostics": self.diagnostics,
            "failed_resources": self.failed,
        }


@dataclass
class DeployResult:
    operation: str
    stack: str
    backend_url: str
    policy_packs: list[str]
    succeeded: bool
    events: EventLog
    error: list[str] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "operation": self.operation,
            "stack": self.stack,
            "backend_url": self.backend_url,
            "policy_packs": self.policy_packs,
            "result": "succeeded" if self.succeeded else "failed",
            "error": self.error,
            "outputs": self.outputs,
            **self.events.to_dict(),
        }


def open_stack(stack: str, project_dir: Path, env: dict[str, str], create: bool):
    """The Automation API stack for `stack` of the project in `project_dir` (CLI-driven, local program)."""
    require_pulumi_cli()
    auto = _automation()
    opts = auto.LocalWorkspaceOptions(work_dir=str(project_dir), env_vars=env)
    try:
        if create:
            return auto.create_or_select_stack(stack, work_dir=str(project_dir), opts=opts)
        return auto.select_stack(stack, work_dir=str(project_dir), opts=opts)
    except FileNotFoundError:  # the binary vanished between the check and the call
        raise PulumiCliMissing(INSTALL_HINT) from None
    except auto.StackNotFoundError:
        raise OpsError(f"stack {stack!r} does not exist in backend {env['PULUMI_BACKEND_URL']} (never deployed?)") from None
    except auto.CommandError as error:
        raise OpsError(_command_error_lines(error)) from None


def protected_resources(stack_handle) -> list[str]:
    deployment = stack_handle.export_stack().deployment or {}
    return [r["urn"] for r in deployment.get("resources") or [] if r.get("protect")]


def _command_error_lines(error: Exception) -> list[str]:
    # CommandError's text is "\n code: N\n stdout: ...\n stderr: ..." (pulumi.automation._cmd.CommandResult)
    text = str(error)
    stderr = text.split(" stderr: ", 1)[1] if " stderr: " in text else text
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return ["pulumi failed" + (":" if lines else f": {error}")] + [f"  {line}" for line in lines[-20:]]


def run(
    operation: str,
    stack: str,
    project_dir: Path,
    stack_file: Path,
    explicit_backend: str | None = None,
    passphrase: str | None = None,
    progress: Progress = no_progress,
    confirm_destroy: Callable[[], None] | None = None,
) -> DeployResult:
    """Run preview/up/destroy; raises OpsError subclasses for problems found before Pulumi runs."""
    if operation not in OPERATIONS:
        raise ValueError(operation)
    require_pulumi_cli()
    env = workspace_env(project_dir, stack_file, explicit_backend, passphrase)
    packs = policy_packs(project_dir) if operation != "destroy" else []
    progress(f"{operation} stack {stack} (backend {env['PULUMI_BACKEND_URL']}"
             + (f", policy pack {packs[0]})" if packs else ", no policy pack found in policies/)"))
    handle = open_stack(stack, project_dir, env, create=operation != "destroy")
    auto = _automation()
    events = EventLog(progress=progress)
    result = DeployResult(operation, stack, env["PULUMI_BACKEND_URL"], packs, succeeded=False, events=events)
    if operation == "destroy":
        urns = protected_resources(handle)
        if urns:
            raise ProtectedResources(urns)
        if confirm_destroy is not None:
            confirm_destroy()  # raises DeployUsageError when the user declines
    try:
        if operation == "preview":
            handle.preview(policy_packs=packs, on_event=events, color="never")
        elif operation == "up":
            outcome = handle.up(policy_packs=packs, on_event=events, color="never")
            result.outputs = {k: getattr(v, "value", v) if not getattr(v, "secret", False) else "[secret]"
                              for k, v in (outcome.outputs or {}).items()}
        else:
            handle.destroy(on_event=events, color="never")
        result.succeeded = True
    except auto.ConcurrentUpdateError:
        result.error = [f"another update is running on stack {stack}; wait for it (or `pulumi cancel`)"]
    except auto.CommandError as error:
        result.error = _command_error_lines(error)
    except RuntimeError as error:  # the Automation API's own: e.g. "summary event never found" (CLI ended early)
        result.error = [f"pulumi {operation} ended without a result: {error}"]
    return result
