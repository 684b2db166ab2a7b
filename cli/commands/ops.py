"""Operations commands: `init`, `bootstrap backend`, `preflight`, `preview`, `up`, `destroy`.

Thin wrappers over `mlplat.ops.*`. Cloud SDKs and `pulumi.automation` are imported inside the library
functions these commands call, never at module import, so `mlplat --help` stays fast.
"""

from __future__ import annotations

from enum import Enum
from typing import Optional

import click
import typer

from cli.choices import CloudChoice as CloudOption
from cli.console import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, FLAG, emit_json, fail, info, is_interactive, json_errors, quiet_cloud_sdks, table
from mlplat.project import project_dir, stacks_dir


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


class EnvironmentOption(str, Enum):
    dev = "dev"
    staging = "staging"
    prod = "prod"


FORMAT_OPTION = typer.Option(OutputFormat.text, "--format", "-f", help="Output format: text or json.")
STACK_OPTION = typer.Option(..., "--stack", "-s", help="Stack name: stacks/Pulumi.<stack>.yaml.")


# ---------------------------------------------------------------------------------------------- init
def init_command(
    name: str = typer.Argument(..., help="Stack name; the file is stacks/Pulumi.<NAME>.yaml."),
    cloud: Optional[CloudOption] = typer.Option(None, "--cloud", help="aws, azure or gcp (prompted in a terminal)."),
    environment: Optional[EnvironmentOption] = typer.Option(
        None, "--environment", "-e", help="dev, staging or prod (prompted in a terminal)."
    ),
    region: Optional[str] = typer.Option(None, "--region", help="Cloud region (default: the cloud's example region)."),
    platform_name: Optional[str] = typer.Option(None, "--name", help="Platform name (default: the stack name)."),
    cost_center: Optional[str] = typer.Option(None, "--cost-center", help="FinOps cost center."),
    owner: Optional[str] = typer.Option(None, "--owner", help="FinOps owner (e-mail or alias)."),
    team: Optional[str] = typer.Option(None, "--team", help="FinOps team."),
    budget_usd: Optional[float] = typer.Option(
        None, "--budget-usd", min=0.01,
        help="Monthly budget in USD (prompted in a terminal; default: a per-environment placeholder to edit)."),
    notify: Optional[list[str]] = typer.Option(
        None, "--notify", help="E-mail for budget alerts (repeatable; default: the owner when it is an e-mail)."),
    force: bool = typer.Option(False, "--force", metavar=FLAG, help="Overwrite an existing stack file."),
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Write a new, valid stack file stacks/Pulumi.NAME.yaml from the spec template."""
    from components.spec import Cloud, Environment, SpecError
    from components.spec.regions import region_example

    from mlplat.ops.stack_template import BUDGET_PLACEHOLDER_USD, FINOPS_PLACEHOLDERS, InitError, write_stack

    json_errors(output == OutputFormat.json)
    interactive = is_interactive() and output == OutputFormat.text
    if cloud is None:
        if not interactive:
            fail("--cloud is required when not running in a terminal (aws, azure or gcp)")
        cloud = CloudOption(click.prompt("Cloud", type=click.Choice([c.value for c in CloudOption]), default="aws", err=True))
    if environment is None:
        if not interactive:
            fail("--environment is required when not running in a terminal (dev, staging or prod)")
        environment = EnvironmentOption(
            click.prompt("Environment", type=click.Choice([e.value for e in EnvironmentOption]), default="dev", err=True)
        )
    if interactive:
        region = region or click.prompt("Region", default=region_example(cloud.value), err=True)
        cost_center = cost_center or click.prompt("Cost center", default=FINOPS_PLACEHOLDERS["cost_center"], err=True)
        owner = owner or click.prompt("Owner (e-mail or alias)", default=FINOPS_PLACEHOLDERS["owner"], err=True)
        team = team or click.prompt("Team", default=FINOPS_PLACEHOLDERS["team"], err=True)
        if budget_usd is None:
            budget_usd = click.prompt("Monthly budget (USD)", type=click.FloatRange(min=0.01, min_open=False),
                                      default=float(BUDGET_PLACEHOLDER_USD[environment.value]), err=True)
        if notify is None:
            answer = click.prompt("Budget alert e-mails (comma-separated, empty for none)",
                                  default=owner if "@" in owner else "", show_default=True, err=True)
            notify = [a.strip() for a in answer.split(",") if a.strip()]
    try:
        result = write_stack(
            name,
            stacks_dir(),
            Cloud(cloud.value),
            Environment(environment.value),
            region=region,
            name=platform_name,
            cost_center=cost_center,
            owner=owner,
            team=team,
            force=force,
            budget_usd=budget_usd,
            notify=notify,
        )
    except InitError as error:
        fail(error.lines, EXIT_USAGE)
    except SpecError as error:
        fail(error.lines + ["  nothing was written"], EXIT_USAGE)
    except OSError as error:
        fail(f"cannot write the stack file: {error}", EXIT_USAGE)
    if output == OutputFormat.json:
        emit_json(
            {
                "stack": result.stack,
                "path": str(result.path),
                "cloud": result.cloud,
                "environment": result.environment,
                "region": result.region,
                "overwritten": result.overwritten,
                "placeholders": result.placeholders,
            }
        )
        return
    typer.echo(f"{'overwrote' if result.overwritten else 'wrote'} {result.path}")
    if result.placeholders:
        typer.echo("edit these placeholders before `mlplat up`:")
        for key in result.placeholders:
            typer.echo(f"  {key}")
    typer.echo(f"next: mlplat preflight --stack {result.stack}")


# ----------------------------------------------------------------------------------------- bootstrap
def _stack_config(stack: Optional[str]) -> dict:
    """Provider settings and spec of `--stack`, used as defaults for bootstrap flags."""
    if not stack:
        return {}
    from components.spec import SpecError, load_stack

    try:
        loaded = load_stack(stack, stacks_dir())
    except SpecError as error:
        fail(error.lines, EXIT_USAGE)
    return {**loaded.config, "_cloud": loaded.spec.cloud.value, "_region": loaded.spec.region}


def bootstrap_backend(
    cloud: Optional[CloudOption] = typer.Option(None, "--cloud", help="aws, azure or gcp (default: the --stack's cloud)."),
    stack: Optional[str] = typer.Option(None, "--stack", "-s", help="Take cloud, region, subscription/project from this stack."),
    region: Optional[str] = typer.Option(None, "--region", help="AWS region, Azure location or GCS location."),
    bucket: Optional[str] = typer.Option(None, "--bucket", help="S3/GCS bucket name (default: derived, unique per account/project)."),
    kms_key: Optional[str] = typer.Option(None, "--kms-key", help="AWS: KMS key id/ARN for default encryption (default SSE-S3)."),
    subscription: Optional[str] = typer.Option(None, "--subscription", help="Azure subscription id (default: $AZURE_SUBSCRIPTION_ID)."),
    resource_group: str = typer.Option("mlplat-state", "--resource-group", help="Azure resource group (created if missing)."),
    storage_account: Optional[str] = typer.Option(None, "--storage-account", help="Azure storage account (default: derived)."),
    container: str = typer.Option("pulumi-state", "--container", help="Azure blob container."),
    project: Optional[str] = typer.Option(None, "--project", help="GCP project id (default: the --stack's gcp:project)."),
    fix_existing: bool = typer.Option(
        False, "--fix-existing", metavar=FLAG,
        help="GCP: apply irreversible changes to an existing bucket (uniform bucket-level access)."),
    fix_existing_alias: bool = typer.Option(False, "--yes", hidden=True, help="Alias of --fix-existing."),
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Create the Pulumi state backend (S3 / Azure Blob / GCS) with safe settings. Idempotent, never deletes."""
    from mlplat.ops.results import OpsError

    json_errors(output == OutputFormat.json)
    fix_existing = fix_existing or fix_existing_alias
    config = _stack_config(stack)
    cloud_name = cloud.value if cloud else config.get("_cloud")
    if cloud_name is None:
        fail("--cloud is required (aws, azure or gcp), or pass --stack")
    if stack and config.get("_cloud") != cloud_name:
        fail(f"--cloud {cloud_name} does not match stack {stack!r}, which is on {config.get('_cloud')}")
    region = region or config.get("_region")
    progress = info if output == OutputFormat.text else (lambda _m: None)
    try:
        if cloud_name == "aws":
            from mlplat.ops import backend_aws

            if not region:
                fail("--region is required for --cloud aws (or pass --stack)")
            bucket = bucket or backend_aws.default_bucket_name(backend_aws.account_id(region), region)
            result = backend_aws.ensure_backend(bucket, region, kms_key_id=kms_key, progress=progress)
        elif cloud_name == "azure":
            import os

            from mlplat.ops import backend_azure

            subscription = subscription or config.get("azure-native:subscriptionId") or os.environ.get("AZURE_SUBSCRIPTION_ID")
            if not subscription:
                fail("--subscription is required for --cloud azure (or set AZURE_SUBSCRIPTION_ID, or pass --stack)")
            if not region:
                fail("--region (the Azure location, e.g. westeurope) is required for --cloud azure (or pass --stack)")
            result = backend_azure.ensure_backend(
                subscription,
                resource_group,
                storage_account or backend_azure.default_account_name(subscription, resource_group),
                container,
                region,
                progress=progress,
            )
        else:
            from mlplat.ops import backend_gcp

            project = project or config.get("gcp:project")
            if not project:
                fail("--project is required for --cloud gcp (or pass --stack)")
            if not region:
                fail("--region (the GCS bucket location, e.g. us-central1 or EU) is required for --cloud gcp")
            result = backend_gcp.ensure_backend(
                project, bucket or backend_gcp.default_bucket_name(project), region, progress=progress,
                fix_existing=fix_existing,
            )
    except OpsError as error:
        fail(error.lines, EXIT_FINDINGS)
    login = f"pulumi login '{result.url}'"
    if output == OutputFormat.json:
        emit_json({"cloud": cloud_name, **result.to_dict(), "login": login})
        return
    for change in result.changes:
        typer.echo(f"  + {change}")
    if not result.changes:
        typer.echo("no changes: the state backend already exists with the required settings")
    typer.echo(f"state backend: {result.url}")
    typer.echo(f"use it with: {login}   (or: export PULUMI_BACKEND_URL='{result.url}')")


# ------------------------------------------------------------------------------------------ failures
def _failed(output: OutputFormat, lines: list[str] | str, code: int, **document) -> None:
    """Fail before Pulumi (or the checks) ran: with -f json a JSON document on stdout too, so scripts
    parsing stdout always get one. Raises typer.Exit(code)."""
    json_errors(output == OutputFormat.json)
    fail(lines, code, **document)


# ----------------------------------------------------------------------------------------- preflight
STATUS_MARK = {"pass": "PASS", "fail": "FAIL", "warn": "WARN", "skip": "SKIP"}


def preflight_command(stack: str = STACK_OPTION, output: OutputFormat = FORMAT_OPTION) -> None:
    """Check credentials, region and GPU quota for the stack's training and endpoint shapes."""
    json_errors(output == OutputFormat.json)
    from components.spec import SpecError, load_stack

    from mlplat.ops.preflight import passed, run_preflight

    try:
        loaded = load_stack(stack, stacks_dir())
    except SpecError as error:  # missing or malformed stack file: a usage error
        _failed(output, error.lines, EXIT_USAGE, stack=stack, passed=False, checks=[])
    progress = info if output == OutputFormat.text else (lambda _m: None)
    with quiet_cloud_sdks():
        checks = run_preflight(loaded.spec, loaded.config, progress)
    ok = passed(checks)
    if output == OutputFormat.json:
        emit_json({"stack": stack, "cloud": loaded.spec.cloud.value, "region": loaded.spec.region,
                   "passed": ok, "result": "succeeded" if ok else "failed", "error": [],
                   "checks": [c.to_dict() for c in checks]})
    else:
        typer.echo(table(["check", "result", "detail"], [[c.check, STATUS_MARK[c.status], c.detail] for c in checks]))
        failed = sum(c.status == "fail" for c in checks)
        typer.echo(f"preflight {stack}: " + ("all checks passed" if ok else f"{failed} check(s) failed"))
    raise typer.Exit(EXIT_OK if ok else EXIT_FINDINGS)


# --------------------------------------------------------------------------------- preview/up/destroy
def _deploy(operation: str, stack: str, backend: Optional[str], yes: bool, output: OutputFormat) -> None:
    from components.spec import SpecError, load_stack
    from components.spec.loading import stack_file

    from mlplat.ops import deploy
    from mlplat.ops.results import OpsError

    before = {"operation": operation, "stack": stack}
    try:
        loaded = load_stack(stack, stacks_dir())
    except SpecError as error:  # missing or malformed stack file: a usage error
        _failed(output, error.lines, EXIT_USAGE, **before)
    prod = loaded.spec.environment.value == "prod"
    confirm = None
    if operation == "destroy" and prod and not yes:
        if not is_interactive():
            _failed(output, f"stack {stack} is a prod stack: pass --yes to destroy it without a terminal to confirm in",
                    EXIT_USAGE, **before)

        def confirm() -> None:
            answer = click.prompt(f"Destroy prod stack {stack}? Type the stack name to confirm", default="",
                                  show_default=False, err=True)
            if answer != stack:
                raise deploy.DeployUsageError(f"not confirmed: nothing was destroyed")

    progress = info if output == OutputFormat.text else (lambda _m: None)
    try:
        result = deploy.run(
            operation,
            stack,
            project_dir(),
            stack_file(stack, stacks_dir()),
            explicit_backend=backend,
            progress=progress,
            confirm_destroy=confirm,
        )
    except (deploy.PulumiCliMissing, deploy.DeployUsageError) as error:
        _failed(output, error.lines, EXIT_USAGE, **before)
    except OpsError as error:
        _failed(output, error.lines, EXIT_FINDINGS, **before)
    if output == OutputFormat.json:
        emit_json(result.to_dict())
    else:
        changes = ", ".join(f"{op} {n}" for op, n in result.events.summary.items()) or "no changes reported"
        typer.echo(f"{operation} {stack}: {'succeeded' if result.succeeded else 'failed'} ({changes})")
        mandatory = [v for v in result.events.policy_violations if v["enforcement"] == "mandatory"]
        if mandatory:
            typer.echo(f"{len(mandatory)} mandatory policy violation(s):")
            for violation in mandatory:
                typer.echo(f"  {violation['pack']}/{violation['policy']}: {violation['message']}")
        for key, value in result.outputs.items():
            typer.echo(f"  output {key}: {value}")
        for line in result.error:
            typer.echo(line if line.startswith("  ") else f"error: {line}", err=True)
    if not result.succeeded:
        raise typer.Exit(EXIT_FINDINGS)


BACKEND_OPTION = typer.Option(
    None, "--backend-url", help="Pulumi state backend (default: $PULUMI_BACKEND_URL, else file://<project>/.pulumi-state)."
)


def preview_command(stack: str = STACK_OPTION, backend: Optional[str] = BACKEND_OPTION, output: OutputFormat = FORMAT_OPTION) -> None:
    """Show what `up` would change, with the policy pack attached."""
    _deploy("preview", stack, backend, False, output)


def up_command(stack: str = STACK_OPTION, backend: Optional[str] = BACKEND_OPTION, output: OutputFormat = FORMAT_OPTION) -> None:
    """Deploy the stack, with the policy pack attached (mandatory violations stop the deployment)."""
    _deploy("up", stack, backend, False, output)


def destroy_command(
    stack: str = STACK_OPTION,
    backend: Optional[str] = BACKEND_OPTION,
    yes: bool = typer.Option(False, "--yes", "-y", metavar=FLAG, help="Do not ask for confirmation (prod stacks ask)."),
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Destroy the stack's resources; refused while protected resources remain."""
    _deploy("destroy", stack, backend, yes, output)


def register(app: typer.Typer) -> None:
    app.command("init")(init_command)
    bootstrap = typer.Typer(help="Create what the platform needs before its first deployment.", no_args_is_help=True)
    bootstrap.command("backend")(bootstrap_backend)
    app.add_typer(bootstrap, name="bootstrap")
    app.command("preflight")(preflight_command)
    app.command("preview")(preview_command)
    app.command("up")(up_command)
    app.command("destroy")(destroy_command)
