"""Operations commands: `init`, `bootstrap backend`, `preflight`, `preview`, `up`, `destroy`.

Thin wrappers over `cli.ops.*`. Cloud SDKs and `pulumi.automation` are imported inside the library
functions these commands call, never at module import, so `mlplat --help` stays fast.
"""

from __future__ import annotations

from enum import Enum
from typing import Optional

import click
import typer

from cli.console import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, emit_json, fail, info, is_interactive, table
from cli.project import project_dir, stacks_dir


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


class CloudOption(str, Enum):
    aws = "aws"
    azure = "azure"
    gcp = "gcp"


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
    force: bool = typer.Option(False, "--force", help="Overwrite an existing stack file."),
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Write a new, valid stack file stacks/Pulumi.NAME.yaml from the spec template."""
    from components.spec import Cloud, Environment, SpecError
    from components.spec.regions import REGION_EXAMPLE

    from cli.ops.stack_template import FINOPS_PLACEHOLDERS, InitError, write_stack

    interactive = is_interactive() and output == OutputFormat.text
    if cloud is None:
        if not interactive:
            fail("--cloud is required when not running in a terminal (aws, azure or gcp)")
        cloud = CloudOption(click.prompt("Cloud", type=click.Choice([c.value for c in CloudOption]), default="aws"))
    if environment is None:
        if not interactive:
            fail("--environment is required when not running in a terminal (dev, staging or prod)")
        environment = EnvironmentOption(
            click.prompt("Environment", type=click.Choice([e.value for e in EnvironmentOption]), default="dev")
        )
    if interactive:
        region = region or click.prompt("Region", default=REGION_EXAMPLE[Cloud(cloud.value)])
        cost_center = cost_center or click.prompt("Cost center", default=FINOPS_PLACEHOLDERS["cost_center"])
        owner = owner or click.prompt("Owner (e-mail or alias)", default=FINOPS_PLACEHOLDERS["owner"])
        team = team or click.prompt("Team", default=FINOPS_PLACEHOLDERS["team"])
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
