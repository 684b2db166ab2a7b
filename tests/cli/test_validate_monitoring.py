"""`mlplat validate` on bad monitoring input: exit 1 with one line naming the file and the field."""

from __future__ import annotations

import yaml
from typer.testing import CliRunner

from cli.app import app
from tests.support.plans import ROOT

EXAMPLE = yaml.safe_load((ROOT / "examples" / "fraud-ml.yaml").read_text())


def validate(tmp_path, edit):
    raw = yaml.safe_load(yaml.safe_dump(EXAMPLE))
    edit(raw)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(raw))
    return CliRunner().invoke(app, ["validate", str(path)]), str(path)


def test_threshold_out_of_range_exits_1_naming_file_and_field(tmp_path):
    result, path = validate(tmp_path, lambda raw: raw["endpoints"][0]["monitoring"].update(data_drift={"threshold": 1.5}))
    assert result.exit_code == 1
    assert f"{path}: endpoints.0.monitoring.data_drift.threshold:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_monitoring_without_capture_exits_1_and_says_so(tmp_path):
    result, path = validate(tmp_path, lambda raw: raw["endpoints"][0].update(logging=False))
    assert result.exit_code == 1
    assert f"{path}: endpoints.0.monitoring.baseline:" in result.stderr and "captures no traffic" in result.stderr


def test_prod_alerts_without_recipient_exit_1(tmp_path):
    result, path = validate(tmp_path, lambda raw: raw.pop("alerts"))
    assert result.exit_code == 1
    assert f"{path}: alerts: monitoring in prod (fraud-scorer) must notify someone" in result.stderr
