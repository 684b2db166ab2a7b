"""`mlplat init`: write a new, valid stack file from the spec template (`mlplat.ops.stack_template`)."""

from __future__ import annotations

from enum import Enum
from typing import Optional

import click
import typer

from cli.choices import CloudChoice as CloudOption
from cli.commands.ops.options import FORMAT_OPTION, OutputFormat
from cli.console import EXIT_USAGE, FLAG, emit_json, fail, is_interactive, json_errors
from mlplat.project import stacks_dir


class EnvironmentOption(str, Enum):
    dev = "dev"
    staging = "staging"
    prod = "prod"


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



def register(app: typer.Typer) -> None:
    app.command("init")(init_command)
