"""`mlplat init`: template, validation, no overwrite without --force, flags vs prompts."""

from __future__ import annotations

import json
import sys

import pytest
import yaml

from tests.support.ops import run

from components.spec import load_stack
from tests.support.plans import ROOT


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("MLPLAT_PROJECT_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(
    "cloud,region,providers",
    [
        ("aws", "eu-west-1", {"aws:region": "eu-west-1"}),
        ("azure", "westeurope", {"azure-native:location": "westeurope", "azure-native:subscriptionId": "00000000-0000-0000-0000-000000000000"}),
        ("gcp", "europe-west1", {"gcp:project": "change-me-gcp-project", "gcp:region": "europe-west1",
                                 "mlplat:gcpBillingAccount": "000000-000000-000000"}),
    ],
    ids=["aws", "azure", "gcp"],
)
def test_init_writes_a_valid_stack_per_cloud(project, cloud, region, providers):
    result = run(["init", "fraud-dev", "--cloud", cloud, "--environment", "dev", "--region", region])
    assert result.exit_code == 0, result.output
    path = project / "stacks" / "Pulumi.fraud-dev.yaml"
    document = yaml.safe_load(path.read_text())
    for key, value in providers.items():
        assert document["config"][key] == value
    loaded = load_stack("fraud-dev", project / "stacks")
    assert loaded.spec.cloud.value == cloud
    assert loaded.spec.region == region
    assert loaded.spec.environment.value == "dev"
    assert loaded.spec.name == "fraud"  # the stack name without its environment suffix
    assert loaded.spec.protect is False  # environment default applied
    assert "finops.cost_center" in result.output  # placeholders to edit are listed
    assert "budget.monthly_usd" in result.output
    assert loaded.spec.budget is not None and loaded.spec.budget.monthly_usd == 1000
    if cloud == "gcp":
        assert "mlplat:gcpBillingAccount" in result.output
    assert not list((project / "stacks").glob(".*.tmp"))


def test_init_default_region_and_finops_flags(project):
    result = run(
        ["init", "ml-prod", "--cloud", "gcp", "--environment", "prod", "--cost-center", "cc-1",
         "--owner", "me@example.com", "--team", "ml", "--name", "fraud", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["region"] == "us-central1"
    assert report["placeholders"] == ["gcp:project", "mlplat:gcpBillingAccount", "mlplat:platform.budget.monthly_usd"]
    loaded = load_stack("ml-prod", project / "stacks")
    assert loaded.spec.name == "fraud"
    assert loaded.spec.finops.owner == "me@example.com"
    assert loaded.spec.protect is True
    assert loaded.spec.budget.monthly_usd == 10000 and loaded.spec.budget.notify == ["me@example.com"]


def test_init_budget_flags(project):
    result = run(["init", "b-dev", "--cloud", "aws", "--environment", "dev", "--budget-usd", "750",
                  "--notify", "a@example.com", "--notify", "b@example.com", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert not any("budget" in p for p in json.loads(result.stdout)["placeholders"])
    budget = load_stack("b-dev", project / "stacks").spec.budget
    assert budget.monthly_usd == 750 and budget.notify == ["a@example.com", "b@example.com"]
    result = run(["init", "c-dev", "--cloud", "aws", "--environment", "dev", "--notify", "not-an-email"])
    assert result.exit_code == 2 and "not an e-mail address" in result.stderr


def test_init_refuses_to_overwrite_without_force(project):
    assert run(["init", "a-dev", "--cloud", "aws", "--environment", "dev"]).exit_code == 0
    path = project / "stacks" / "Pulumi.a-dev.yaml"
    path.write_text("config: {}  # user edits\n")
    result = run(["init", "a-dev", "--cloud", "aws", "--environment", "prod"])
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert path.read_text() == "config: {}  # user edits\n"
    result = run(["init", "a-dev", "--cloud", "aws", "--environment", "prod", "--force"])
    assert result.exit_code == 0, result.output
    assert "overwrote" in result.stdout
    assert load_stack("a-dev", project / "stacks").spec.environment.value == "prod"


def test_init_invalid_values_write_nothing(project):
    result = run(["init", "bad", "--cloud", "aws", "--environment", "dev", "--region", "westeurope"])
    assert result.exit_code == 2
    assert "region" in result.stderr and "not a region of aws" in result.stderr
    assert "Traceback" not in result.output
    assert not (project / "stacks" / "Pulumi.bad.yaml").exists()
    result = run(["init", "Bad_Name", "--cloud", "aws", "--environment", "dev"])
    assert result.exit_code == 2
    assert "name" in result.stderr
    assert not list((project / "stacks").glob("*"))


def test_init_without_terminal_requires_flags(project):
    result = run(["init", "x-dev", "--environment", "dev"])
    assert result.exit_code == 2
    assert "--cloud is required" in result.stderr
    result = run(["init", "x-dev", "--cloud", "aws"])
    assert result.exit_code == 2
    assert "--environment is required" in result.stderr


def test_init_prompts_in_a_terminal(project, monkeypatch):
    monkeypatch.setattr("cli.commands.ops.is_interactive", lambda: True)
    answers = "azure\nstaging\nnortheurope\ncc-9\nops@example.com\nplatform\n1500\n\n"
    result = run(["init", "team-stg"], input=answers)
    assert result.exit_code == 0, result.output
    loaded = load_stack("team-stg", project / "stacks")
    assert (loaded.spec.cloud.value, loaded.spec.environment.value, loaded.spec.region) == ("azure", "staging", "northeurope")
    assert loaded.spec.finops.cost_center == "cc-9"
    assert loaded.config["azure-native:location"] == "northeurope"
    assert loaded.spec.budget.monthly_usd == 1500 and loaded.spec.budget.notify == ["ops@example.com"]
    assert "Monthly budget" in result.stderr and "Monthly budget" not in result.stdout  # prompts on stderr


def test_ops_commands_import_no_cloud_sdk_or_pulumi():
    """`mlplat --help` stays fast: the ops command module imports no SDK at import time."""
    import subprocess

    code = ("import sys, cli.commands.ops, mlplat.ops.stack_template; "
            "print(sorted({m.split('.')[0] + '.' + m.split('.')[1] if m.count('.') else m for m in sys.modules "
            "if m.startswith(('boto3', 'botocore', 'azure', 'google.cloud.', 'google.auth', 'pulumi', 'moto'))}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]", out.stdout


@pytest.mark.parametrize("cloud", ["aws", "azure", "gcp"])
@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_init_stack_passes_the_policy_check(project, cloud, environment):
    """A stack fresh from `mlplat init` passes every mandatory policy, budget ones included."""
    from mlplat.offline_plan import plan_stack
    from mlplat.policy_run import PolicyPackProcess, run_policies

    name = f"new-{environment}"
    assert run(["init", name, "--cloud", cloud, "--environment", environment]).exit_code == 0
    with PolicyPackProcess() as pack:
        report = run_policies(plan_stack(name, project / "stacks"), pack)
    assert [(v.policy, v.resource_name, v.message) for v in report.mandatory] == []
