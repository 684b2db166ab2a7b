"""`mlplat preview|up|destroy` through the REAL `pulumi.automation` (LocalWorkspace, Stack), with a recording fake
`pulumi` executable on PATH (tests/fixtures/ops/fake_pulumi.py): what reaches the Pulumi CLI is asserted
(`--policy-pack <abs>/policies`, `--stack`, the working directory, PULUMI_BACKEND_URL, the passphrase), and the
engine events the fake writes to the event log come back through the Automation API into the report.

Not emulated: the Pulumi engine itself (no program runs, no state is written) and the gRPC event stream the
Automation API uses with Pulumi > 3.205 (the fake reports 3.200.0, so the file event log is used).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.support.ops import run
from tests.support.plans import FIXTURES_DIR


FAKE = FIXTURES_DIR / "ops" / "fake_pulumi.py"


class FakeCli:
    def __init__(self, log: Path, scenario: Path):
        self.log, self.scenario_file = log, scenario
        self.scenario({})

    def scenario(self, values: dict) -> None:
        self.scenario_file.write_text(json.dumps(values))

    def calls(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def call(self, command: str) -> dict:
        """The (last) call whose arguments start with `command` (after --non-interactive)."""
        words = command.split()
        found = [c for c in self.calls() if [a for a in c["argv"] if a != "--non-interactive"][:len(words)] == words]
        assert found, f"pulumi {command} was not run; calls: {[c['argv'] for c in self.calls()]}"
        return found[-1]


@pytest.fixture
def pulumi_cli(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    binary = bin_dir / "pulumi"
    binary.write_text(f"#!{sys.executable}\n" + FAKE.read_text())
    binary.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    fake = FakeCli(tmp_path / "pulumi-calls.jsonl", tmp_path / "scenario.json")
    monkeypatch.setenv("FAKE_PULUMI_LOG", str(fake.log))
    monkeypatch.setenv("FAKE_PULUMI_SCENARIO", str(fake.scenario_file))
    return fake


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_preview_reaches_the_cli_with_policy_pack_stack_and_backend(project, pulumi_cli):
    result = run(["preview", "--stack", "app-dev", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    preview = pulumi_cli.call("preview")
    assert option(preview["argv"], "--policy-pack") == str((project / "policies").resolve())
    assert option(preview["argv"], "--stack") == "app-dev"
    assert Path(preview["cwd"]).resolve() == project.resolve()
    backend = f"file://{(project / '.pulumi-state').resolve()}"
    assert preview["env"]["PULUMI_BACKEND_URL"] == backend and preview["env"]["PULUMI_CONFIG_PASSPHRASE"] == ""
    assert option(pulumi_cli.call("stack select")["argv"], "--stack") == "app-dev"
    assert pulumi_cli.calls()[0]["argv"] == ["version"]
    # The events the CLI wrote to the event log came back through the Automation API.
    assert report["result"] == "succeeded" and report["backend_url"] == backend
    assert report["changes"] == {"create": 1}
    assert [v["policy"] for v in report["policy_violations"]] == ["s3-logging"]
    assert report["steps"][0]["op"] == "create"


def test_up_reads_outputs_and_backend_flag_wins(project, pulumi_cli, monkeypatch):
    monkeypatch.setenv("PULUMI_BACKEND_URL", "s3://from-env")
    pulumi_cli.scenario({"outputs": {"bucket": "data-123", "token": "s3cr3t"}, "secret_outputs": ["token"]})
    result = run(["up", "--stack", "app-dev", "--backend-url", "file:///tmp/elsewhere-state", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    up = pulumi_cli.call("up")
    assert option(up["argv"], "--policy-pack") == str((project / "policies").resolve())
    assert up["env"]["PULUMI_BACKEND_URL"] == "file:///tmp/elsewhere-state"
    assert report["outputs"] == {"bucket": "data-123", "token": "[secret]"}


def test_failed_preview_exits_1_with_the_cli_error(project, pulumi_cli):
    pulumi_cli.scenario({"fail": "error: mandatory policy violation: budget-within-estimate"})
    result = run(["preview", "--stack", "app-dev"])
    assert result.exit_code == 1
    assert "budget-within-estimate" in result.stderr


def test_destroy_reads_state_and_refuses_protected_resources(project, pulumi_cli):
    urn = "urn:pulumi:app-dev::mlplat::aws:kms/key:Key::key"
    pulumi_cli.scenario({"resources": [{"urn": urn, "type": "aws:kms/key:Key", "protect": True}]})
    result = run(["destroy", "--stack", "app-dev"])
    assert result.exit_code == 1 and urn in result.stderr
    assert option(pulumi_cli.call("stack export")["argv"], "--stack") == "app-dev"
    assert not any("destroy" in c["argv"] for c in pulumi_cli.calls())
    pulumi_cli.scenario({"resources": []})
    result = run(["destroy", "--stack", "app-dev", "--format", "json"])
    assert result.exit_code == 0, result.output
    destroy = pulumi_cli.call("destroy")
    assert "--policy-pack" not in destroy["argv"] and option(destroy["argv"], "--stack") == "app-dev"


def test_destroy_of_a_stack_never_deployed(project, pulumi_cli):
    pulumi_cli.scenario({"missing_stack": True})
    result = run(["destroy", "--stack", "app-dev"])
    assert result.exit_code == 1
    assert "does not exist in backend" in result.stderr
