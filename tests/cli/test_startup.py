"""`mlplat --help` must stay fast: no cloud SDK or Pulumi provider is imported to show help."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = [
    "pulumi_aws",
    "pulumi_azure_native",
    "pulumi_gcp",
    "pulumi_policy",
    "azure.ai.ml",
    "google.cloud.aiplatform",
    "boto3",
    "pulumi",
]

PROBE = """
import json, sys
from typer.testing import CliRunner
from cli.app import app
names = [[]] + [[c] for c in sorted(app.registered_commands and [c.name or c.callback.__name__ for c in app.registered_commands])]
names += [[g.name] for g in app.registered_groups]
for args in names:
    result = CliRunner().invoke(app, args + ["--help"])
    assert result.exit_code == 0, (args, result.output)
print(json.dumps(sorted(m for m in HEAVY if m in sys.modules)))
"""


def test_help_of_every_command_imports_no_heavy_sdk():
    code = f"HEAVY = {HEAVY!r}\n" + PROBE
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_console_script_help_runs():
    out = subprocess.run([sys.executable, "-m", "cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "plan" in out.stdout and "validate" in out.stdout
