"""`mlplat --help` must stay fast: no cloud SDK, no Pulumi, no pydantic, no spec and no catalogue file is
imported to show the help of any command (the `--cloud` choices come from the cloud registry, which stays cheap to import)."""

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
    "pydantic",
    "components.spec",
    "components.catalog.models",  # the model catalogue, read from YAML
    "yaml",  # any catalogue file read at import
]

# Every command path of the click tree (groups and their subcommands), each asked for `--help` in one
# fresh interpreter; then which heavy modules got imported.
PROBE = """
import json, sys
import typer.main
from typer.testing import CliRunner
from cli.app import app

def paths(command, path):
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from paths(sub, path + [name])

seen = []
for args in paths(typer.main.get_command(app), []):
    result = CliRunner().invoke(app, args + ["--help"])
    assert result.exit_code == 0, (args, result.output)
    seen.append(" ".join(args))
print(json.dumps({"commands": seen, "heavy": sorted(m for m in HEAVY if m in sys.modules)}))
"""


def help_probe() -> dict:
    code = f"HEAVY = {HEAVY!r}\n" + PROBE
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_help_of_every_command_imports_no_heavy_module():
    probe = help_probe()
    # The probe reached the nested commands too (a group's subcommands have their own help).
    assert {"plan", "policy check", "prices refresh", "bootstrap backend"} <= set(probe["commands"])
    assert probe["heavy"] == []


def test_console_script_help_runs():
    out = subprocess.run([sys.executable, "-m", "cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "plan" in out.stdout and "validate" in out.stdout
