"""`mlplat preview|up|destroy`: the Automation API wrapper.

The missing-CLI path runs for real (PATH without `pulumi`). The options passed to the Automation API
are checked by replacing `mlplat.ops.deploy._automation` (the only place `pulumi.automation` is imported)
with a recording fake, with a dummy `pulumi` executable on PATH so that the CLI check passes; this covers the
event handling and error paths. tests/ops/test_deploy_through_pulumi_cli.py runs the real Automation API against a recording
fake `pulumi` executable and asserts what reaches the Pulumi CLI.
"""

from __future__ import annotations

import json
import os
from types import SimpleNamespace

import pytest
from pulumi.automation import errors as auto_errors
from pulumi.automation._cmd import CommandResult
from pulumi.automation.events import EngineEvent

from tests.support.ops import run

from mlplat.ops import deploy

BUCKET_URN = "urn:pulumi:dev::mlplat::aws:s3/bucketV2:BucketV2::data"


def _event(**data) -> EngineEvent:
    return EngineEvent.from_json({"sequence": 1, "timestamp": 0, **data})


UP_EVENTS = [
    _event(resourcePreEvent={"metadata": {"op": "create", "urn": BUCKET_URN, "type": "aws:s3/bucketV2:BucketV2", "provider": ""}}),
    _event(resourcePreEvent={"metadata": {"op": "same", "urn": "urn:pulumi:dev::mlplat::pulumi:pulumi:Stack::mlplat-dev", "type": "pulumi:pulumi:Stack", "provider": ""}}),
    _event(policyEvent={"message": "bucket logging is off", "color": "never", "policyName": "s3-logging",
                        "policyPackName": "mlplat", "policyPackVersion": "1", "policyPackVersionTag": "1",
                        "enforcementLevel": "advisory", "resourceUrn": BUCKET_URN}),
    _event(summaryEvent={"maybeCorrupt": False, "durationSeconds": 3, "resourceChanges": {"create": 1, "same": 1}, "policyPacks": {}}),
]


class FakeStack:
    def __init__(self, automation, name):
        self.automation, self.name = automation, name

    def _call(self, operation, **kwargs):
        self.automation.calls.append((operation, kwargs))
        if self.automation.fail_with:
            raise self.automation.fail_with
        for event in self.automation.events:
            kwargs["on_event"](event)
        return SimpleNamespace(outputs={"bucket": SimpleNamespace(value="data-123", secret=False),
                                        "token": SimpleNamespace(value="s3cr3t", secret=True)})

    def preview(self, **kwargs):
        return self._call("preview", **kwargs)

    def up(self, **kwargs):
        return self._call("up", **kwargs)

    def destroy(self, **kwargs):
        return self._call("destroy", **kwargs)

    def export_stack(self):
        self.automation.calls.append(("export_stack", {}))
        return SimpleNamespace(version=3, deployment={"resources": self.automation.resources})


class FakeAutomation:
    """Stands in for the `pulumi.automation` module: records what the wrapper passes."""

    StackNotFoundError = auto_errors.StackNotFoundError
    CommandError = auto_errors.CommandError
    ConcurrentUpdateError = auto_errors.ConcurrentUpdateError

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.events = list(UP_EVENTS)
        self.resources: list[dict] = []
        self.fail_with: Exception | None = None
        self.stack_missing = False

    def LocalWorkspaceOptions(self, **kwargs):  # noqa: N802 - mirrors the real class name
        self.calls.append(("LocalWorkspaceOptions", kwargs))
        return SimpleNamespace(**kwargs)

    def create_or_select_stack(self, stack_name, work_dir=None, opts=None):
        self.calls.append(("create_or_select_stack", {"stack_name": stack_name, "work_dir": work_dir, "opts": opts}))
        return FakeStack(self, stack_name)

    def select_stack(self, stack_name, work_dir=None, opts=None):
        self.calls.append(("select_stack", {"stack_name": stack_name, "work_dir": work_dir, "opts": opts}))
        if self.stack_missing:
            raise auto_errors.StackNotFoundError(CommandResult("", "error: no stack named 'x' found", 255))
        return FakeStack(self, stack_name)

    def names(self):
        return [name for name, _ in self.calls]

    def call(self, name):
        return next(kwargs for n, kwargs in self.calls if n == name)


@pytest.fixture
def fake_pulumi(tmp_path, monkeypatch):
    """A `pulumi` executable on PATH (never run: the automation layer is faked) and the fake layer."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    binary = bin_dir / "pulumi"
    binary.write_text("#!/bin/sh\necho v3.200.0\n")
    binary.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    automation = FakeAutomation()
    monkeypatch.setattr(deploy, "_automation", lambda: automation)
    return automation


@pytest.mark.parametrize("operation", ["preview", "up", "destroy"])
def test_missing_pulumi_cli_is_a_clear_usage_error(project, tmp_path, monkeypatch, operation):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = run([operation, "--stack", "app-dev", "--yes"] if operation == "destroy" else [operation, "--stack", "app-dev"])
    assert result.exit_code == 2
    assert "Pulumi CLI not found: install it with `curl -fsSL https://get.pulumi.com | sh`" in result.stderr
    assert "https://www.pulumi.com/docs/install/" in result.stderr
    assert "Traceback" not in result.output


def test_preview_passes_local_backend_policy_pack_and_streams_events(project, fake_pulumi):
    result = run(["preview", "--stack", "app-dev"])
    assert result.exit_code == 0, result.output
    options = fake_pulumi.call("LocalWorkspaceOptions")
    assert options["work_dir"] == str(project)
    assert options["env_vars"]["PULUMI_BACKEND_URL"] == f"file://{project.resolve()}/.pulumi-state"
    assert (project / ".pulumi-state").is_dir()
    selected = fake_pulumi.call("create_or_select_stack")
    assert selected["stack_name"] == "app-dev" and selected["work_dir"] == str(project)
    preview = fake_pulumi.call("preview")
    assert preview["policy_packs"] == [str((project / "policies").resolve())]
    assert callable(preview["on_event"])
    assert "up" not in fake_pulumi.names()
    # progress from engine events, summary on stdout
    assert "+ aws:s3/bucketV2:BucketV2 data (create)" in result.stderr
    assert "policy advisory: mlplat/s3-logging: bucket logging is off" in result.stderr
    assert "pulumi:pulumi:Stack" not in result.stderr  # unchanged resources are not listed
    assert "preview app-dev: succeeded (create 1, same 1)" in result.stdout


def test_up_json_report(project, fake_pulumi):
    result = run(["up", "--stack", "app-dev", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["operation"] == "up" and report["result"] == "succeeded"
    assert report["changes"] == {"create": 1, "same": 1}
    assert report["steps"] == [{"op": "create", "urn": BUCKET_URN, "type": "aws:s3/bucketV2:BucketV2"}]
    assert report["policy_violations"][0]["policy"] == "s3-logging"
    assert report["outputs"] == {"bucket": "data-123", "token": "[secret]"}
    assert report["policy_packs"] == [str((project / "policies").resolve())]
    assert fake_pulumi.call("up")["policy_packs"] == report["policy_packs"]


def test_backend_url_from_environment_and_flag(project, fake_pulumi, monkeypatch):
    monkeypatch.setenv("PULUMI_BACKEND_URL", "s3://team-state?region=eu-west-1")
    assert run(["preview", "--stack", "app-dev"]).exit_code == 0
    assert fake_pulumi.call("LocalWorkspaceOptions")["env_vars"]["PULUMI_BACKEND_URL"] == "s3://team-state?region=eu-west-1"
    fake_pulumi.calls.clear()
    assert run(["preview", "--stack", "app-dev", "--backend-url", "gs://other-state"]).exit_code == 0
    assert fake_pulumi.call("LocalWorkspaceOptions")["env_vars"]["PULUMI_BACKEND_URL"] == "gs://other-state"
    assert not (project / ".pulumi-state").exists()


def test_no_policy_pack_directory_means_no_policy_packs(project, fake_pulumi):
    (project / "policies" / "PulumiPolicy.yaml").unlink()
    result = run(["preview", "--stack", "app-dev"])
    assert result.exit_code == 0, result.output
    assert fake_pulumi.call("preview")["policy_packs"] == []
    assert "no policy pack found" in result.stderr


def test_missing_passphrase_is_explained(project, fake_pulumi, monkeypatch):
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    result = run(["up", "--stack", "app-dev"])
    assert result.exit_code == 2
    assert "PULUMI_CONFIG_PASSPHRASE" in result.stderr
    assert fake_pulumi.calls == []
    # a stack with a KMS secrets provider needs no passphrase
    path = project / "stacks" / "Pulumi.app-dev.yaml"
    path.write_text("secretsprovider: awskms://alias/pulumi?region=us-east-1\n" + path.read_text())
    assert run(["up", "--stack", "app-dev"]).exit_code == 0


def test_failed_update_and_mandatory_violation_exit_1(project, fake_pulumi):
    fake_pulumi.events = [
        _event(policyEvent={"message": "bucket must not be public", "color": "never", "policyName": "no-public",
                            "policyPackName": "mlplat", "policyPackVersion": "1", "policyPackVersionTag": "1",
                            "enforcementLevel": "mandatory", "resourceUrn": BUCKET_URN}),
    ]

    class FailingStack(FakeStack):
        def up(self, **kwargs):
            for event in self.automation.events:
                kwargs["on_event"](event)
            raise auto_errors.CommandError(CommandResult("", "error: preview failed: 1 mandatory policy violation", 255))

    fake_pulumi.create_or_select_stack = lambda stack_name, work_dir=None, opts=None: FailingStack(fake_pulumi, stack_name)
    result = run(["up", "--stack", "app-dev"])
    assert result.exit_code == 1
    assert "mlplat/no-public: bucket must not be public" in result.stdout
    assert "preview failed: 1 mandatory policy violation" in result.stderr
    assert "Traceback" not in result.output


def test_destroy_prod_needs_yes_without_a_terminal(project, fake_pulumi):
    result = run(["destroy", "--stack", "app-prod"])
    assert result.exit_code == 2
    assert "--yes" in result.stderr
    assert fake_pulumi.calls == []


def test_destroy_refuses_protected_resources(project, fake_pulumi):
    fake_pulumi.resources = [
        {"urn": BUCKET_URN, "type": "aws:s3/bucketV2:BucketV2", "protect": True},
        {"urn": "urn:pulumi:prod::mlplat::aws:iam/role:Role::r", "type": "aws:iam/role:Role"},
    ]
    result = run(["destroy", "--stack", "app-prod", "--yes"])
    assert result.exit_code == 1
    assert "refusing to destroy: 1 protected resource(s)" in result.stderr
    assert BUCKET_URN in result.stderr
    assert "iam/role" not in result.stderr
    assert "destroy" not in fake_pulumi.names()
    assert fake_pulumi.call("select_stack")["stack_name"] == "app-prod"


def test_destroy_unprotected_with_yes_runs_without_policy_packs(project, fake_pulumi):
    fake_pulumi.resources = [{"urn": BUCKET_URN, "type": "aws:s3/bucketV2:BucketV2", "protect": False}]
    result = run(["destroy", "--stack", "app-prod", "--yes", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "destroy" in fake_pulumi.names()
    assert "create_or_select_stack" not in fake_pulumi.names()  # destroy never creates a stack
    assert json.loads(result.stdout)["result"] == "succeeded"


def test_destroy_prod_interactive_confirmation(project, fake_pulumi, monkeypatch):
    monkeypatch.setattr("cli.commands.ops.deploy.is_interactive", lambda: True)
    declined = run(["destroy", "--stack", "app-prod"], input="app-dev\n")
    assert declined.exit_code == 2
    assert "not confirmed" in declined.stderr
    assert "destroy" not in fake_pulumi.names()
    confirmed = run(["destroy", "--stack", "app-prod"], input="app-prod\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert "destroy" in fake_pulumi.names()


def test_destroy_dev_needs_no_confirmation_and_unknown_stack_is_reported(project, fake_pulumi):
    assert run(["destroy", "--stack", "app-dev"]).exit_code == 0
    fake_pulumi.stack_missing = True
    result = run(["destroy", "--stack", "app-dev"])
    assert result.exit_code == 1
    assert "does not exist in backend" in result.stderr


@pytest.mark.parametrize("command", ["preflight", "preview", "up", "destroy"])
def test_unknown_or_malformed_stack_file_is_a_usage_error(project, fake_pulumi, command):
    result = run([command, "--stack", "nope"])
    assert result.exit_code == 2
    assert "no such stack file" in result.stderr
    (project / "stacks" / "Pulumi.broken.yaml").write_text("config: [not, a, mapping\n")
    result = run([command, "--stack", "broken", "--format", "json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)  # -f json: a JSON document even when nothing ran
    assert document["result"] == "failed" and document["stack"] == "broken"
    assert any("not valid YAML" in line for line in document["error"])
    assert "destroy" not in fake_pulumi.names() and "preview" not in fake_pulumi.names()


def test_failure_before_pulumi_is_json_with_format_json(project, fake_pulumi):
    result = run(["destroy", "--stack", "app-prod", "--format", "json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document == {"operation": "destroy", "stack": "app-prod", "result": "failed",
                        "error": [document["error"][0]]} and "--yes" in document["error"][0]
