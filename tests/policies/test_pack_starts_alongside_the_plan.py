"""`mlplat policy check` spawns the policy pack before it plans and connects afterwards; a plan that fails
must not leave the pack process running."""

from __future__ import annotations

from mlplat.policy_run import PolicyPackProcess


def test_a_spawned_pack_serves_once_connected():
    pack = PolicyPackProcess().spawn()
    try:
        assert pack.stub is None  # spawn does not wait for the pack
        metadata, policies = pack.start().info()
        assert metadata["name"] == "mlplat-policies" and policies
    finally:
        pack.close()
    assert pack.process.poll() is not None


def test_a_spawned_pack_is_stopped_by_close_without_connecting():
    pack = PolicyPackProcess().spawn()
    pack.close()
    assert pack.process.poll() is not None


def test_policy_check_of_an_invalid_spec_stops_the_pack(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from cli.app import app
    from mlplat.policy_run import analyzer_client

    started: list[PolicyPackProcess] = []
    spawn = analyzer_client.PolicyPackProcess.spawn

    def recording_spawn(self):
        started.append(self)
        return spawn(self)

    monkeypatch.setattr(analyzer_client.PolicyPackProcess, "spawn", recording_spawn)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncloud: aws\nenvironment: nowhere\n")
    result = CliRunner().invoke(app, ["policy", "check", "--config", str(bad)])
    assert result.exit_code == 2, result.output
    assert "environment" in result.output
    assert started and all(p.process.poll() is not None for p in started)
