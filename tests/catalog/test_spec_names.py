"""`validate` checks the physical names the components build, from the functions they build them with
(`components/<cloud>/names.py`): every name it checks is a name of the plan (so the two cannot drift), and
a name a cloud refuses is a validate error naming the file and the spec field it came from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components.registry import cloud_of
from components.spec import PlatformSpec, SpecError, load_spec_file
from mlplat.offline_plan.names import physical_name
from tests.catalog.test_naming_rules import _all_plans
from tests.support.plans import ROOT, write_spec

FRAUD = ROOT / "examples" / "fraud-ml.yaml"


def _subscription(plan) -> str | None:
    """The subscription the plan's Azure names were hashed with: its stack file's, if it has one."""
    path = Path(plan.source)
    document = yaml.safe_load(path.read_text()) if path.is_file() else None
    config = document.get("config") if isinstance(document, dict) else None
    return config.get("azure-native:subscriptionId") if isinstance(config, dict) else None


def test_every_name_validate_checks_is_a_name_of_the_plan():
    checked, missing = 0, []
    for plan in _all_plans():
        spec = PlatformSpec.model_validate(plan.spec)
        planned = {(r.type, found[1]) for r in plan.custom_resources() if (found := physical_name(r))}
        names = cloud_of(plan.cloud).spec_names(spec, _subscription(plan))
        missing += [f"{plan.source} on {plan.cloud}: {n.type_token} {n.name!r}" for n in names
                    if (n.type_token, n.name) not in planned]
        checked += len(names)
    assert not missing, "names validate checks but the plan does not build:\n" + "\n".join(missing)
    assert checked > 300


@pytest.mark.parametrize("cloud, types", [
    ("aws", {"aws:sagemaker/endpoint:Endpoint", "aws:sagemaker/featureGroup:FeatureGroup",
             "aws:sagemaker/monitoringSchedule:MonitoringSchedule", "aws:budgets/budget:Budget"}),
    ("azure", {"azure-native:machinelearningservices:OnlineEndpoint", "azure-native:machinelearningservices:Compute",
               "azure-native:keyvault:Vault", "azure-native:machinelearningservices:FeaturesetContainerEntity"}),
    ("gcp", {"gcp:container/cluster:Cluster", "gcp:vertex/aiFeatureGroup:AiFeatureGroup",
             "gcp:serviceaccount/account:Account", "gcp:bigquery/dataset:Dataset"}),
])
def test_each_cloud_checks_the_names_of_its_main_resources(cloud, types):
    spec = load_spec_file(FRAUD, cloud).spec
    assert types <= {n.type_token for n in cloud_of(cloud).spec_names(spec)}


def _validate_errors(tmp_path, cloud: str, edit) -> list[str]:
    platform = yaml.safe_load(FRAUD.read_text())
    edit(platform)
    path = write_spec(tmp_path, platform)
    with pytest.raises(SpecError) as caught:
        load_spec_file(path, cloud)
    lines = caught.value.lines
    assert lines and all(line.startswith(f"{path}: ") for line in lines), lines
    return lines


def _long(platform: dict) -> None:
    """Names at the spec's limits (24 characters, the longest environment) that a cloud cannot take."""
    platform.update(name="fraud-detection-platfrm", environment="staging")
    old, new = "fraud-scorer", "fraud-scorer-long-name-x"
    for endpoint in platform["endpoints"]:
        endpoint["name"] = endpoint["name"].replace(old, new)
    usage = platform.get("usage", {}).get("endpoint_requests_per_second", {})
    for key in [k for k in usage if k == old]:
        usage[new] = usage.pop(key)


def test_an_aws_monitor_name_too_long_names_the_endpoint_field(tmp_path):
    lines = _validate_errors(tmp_path, "aws", _long)
    assert any(line.split(": ", 2)[1] == "endpoints.0.name"
               and "'fraud-scorer-long-name-x' gives the aws:sagemaker/monitoringSchedule:MonitoringSchedule name "
                   "'fraud-detection-platfrm-staging-fraud-scorer-long-name-x-monitor' (64 characters; the limit is 1-63"
               in line for line in lines), lines


def test_an_azure_name_with_double_hyphens_names_the_platform_name(tmp_path):
    lines = _validate_errors(tmp_path, "azure", lambda p: p.update(name="fraud--ml"))
    vault = [line for line in lines if "azure-native:keyvault:Vault vaultName 'fraud--ml-prod-kv-" in line]
    assert vault and vault[0].split(": ", 2)[1] == "name", lines
    assert "'fraud--ml' (environment 'prod') gives" in vault[0] and "no consecutive hyphens" in vault[0]


def test_an_azure_use_case_budget_name_too_long_names_the_use_case(tmp_path):
    def edit(platform):
        platform.update(name="fraud-detection-platform", environment="staging")
        platform["use_cases"] = [{"name": "card-not-present-fraud-x", "budget": {"monthly_usd": 100}}]

    lines = _validate_errors(tmp_path, "azure", edit)
    assert any(line.split(": ", 2)[1] == "use_cases.0.name" and "azure-native:consumption:Budget budgetName" in line
               and "(64 characters; the limit is 1-63" in line for line in lines), lines


def test_a_gcp_cluster_name_too_long_names_the_platform_name(tmp_path):
    def edit(platform):
        platform.update(name="fraud-detection-platform", environment="staging")

    lines = _validate_errors(tmp_path, "gcp", edit)
    assert any(line.split(": ", 2)[1] == "name" and "gcp:container/cluster:Cluster name "
               "'fraud-detection-platform-staging-training' (41 characters; the limit is 1-40" in line
               for line in lines), lines


def test_a_name_error_in_a_stack_file_names_the_config_key(tmp_path):
    document = yaml.safe_load((ROOT / "stacks" / "Pulumi.gcp-dev.yaml").read_text())
    document["config"]["mlplat:platform"].update(name="fraud-detection-platform", environment="staging")
    path = tmp_path / "Pulumi.gcp-dev.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(SpecError) as caught:
        load_spec_file(path)
    assert any(line.startswith(f"{path}: mlplat:platform.name: 'fraud-detection-platform'")
               for line in caught.value.lines), caught.value.lines


def test_the_reference_specs_give_no_name_errors():
    for cloud in ("aws", "azure", "gcp"):
        load_spec_file(FRAUD, cloud)  # raises on a name error


def test_validate_checks_names_without_pulumi_or_a_provider_sdk(tmp_path):
    """The check runs the naming functions, never the Pulumi program: validate stays fast."""
    code = (
        "import sys\nfrom typer.testing import CliRunner\nfrom cli.app import app\n"
        f"for cloud in ('aws', 'azure', 'gcp'):\n"
        f"    result = CliRunner().invoke(app, ['validate', {str(FRAUD)!r}, '--cloud', cloud])\n"
        "    assert result.exit_code == 0, result.output\n"
        "heavy = ('pulumi', 'pulumi_aws', 'pulumi_azure_native', 'pulumi_gcp', 'boto3', 'botocore')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_an_auto_named_aws_role_too_long_names_the_use_case(tmp_path):
    """IAM names a use case's role from its logical name plus 7 random characters: validate checks that
    form (as the plan does), so a spec the plan would refuse never validates."""
    def edit(platform):
        platform.update(name="fraud-detection-platfrm")
        platform["use_cases"] = [{"name": "card-not-present-fraud-x"}]

    lines = _validate_errors(tmp_path, "aws", edit)
    assert any(line.split(": ", 2)[1] == "use_cases.0.name" and "aws:iam/role:Role name "
               "'fraud-detection-platfrm-prod-card-not-present-fraud-x-identity-0000000' (70 characters; the limit "
               "is 1-64)" in line for line in lines), lines
