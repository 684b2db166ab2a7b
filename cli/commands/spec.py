"""`mlplat validate` and `mlplat plan`: the spec and the offline plan."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from cli.choices import CloudChoice
from cli.console import EXIT_FINDINGS, EXIT_USAGE, emit_json, fail, json_errors


class PlanFormat(str, Enum):
    table = "table"
    json = "json"
    mermaid = "mermaid"
    dot = "dot"


def load(stack: Optional[str], config: Optional[Path], cloud: Optional[CloudChoice] = None, region: Optional[str] = None):
    """The LoadedStack named by --stack or --config (exactly one); exits 2 on usage errors."""
    from components.spec import SpecError, load_spec_file, load_stack

    from mlplat.project import stacks_dir

    if (stack is None) == (config is None):
        fail("give exactly one of --stack NAME or --config FILE", EXIT_USAGE)
    cloud_value = cloud.value if cloud else None
    try:
        if stack is not None:
            return load_stack(stack, stacks_dir(), cloud_value, region)
        return load_spec_file(config, cloud_value, region)
    except SpecError as error:
        fail(error.lines, EXIT_USAGE)


def build_plan(stack: Optional[str], config: Optional[Path], cloud: Optional[CloudChoice], region: Optional[str]):
    """The offline plan for the command line; spec errors exit 2 with file and field."""
    from components.spec import SpecError

    from mlplat.offline_plan import PlanError, plan_file, plan_stack
    from mlplat.project import stacks_dir

    if (stack is None) == (config is None):
        fail("give exactly one of --stack NAME or --config FILE", EXIT_USAGE)
    cloud_value = cloud.value if cloud else None
    try:
        if stack is not None:
            return plan_stack(stack, stacks_dir(), cloud_value, region)
        return plan_file(config, cloud_value, region)
    except SpecError as error:
        fail(error.lines, EXIT_USAGE)
    except PlanError as error:
        fail([str(error), "this is a bug in mlplat; please report it with the spec"], EXIT_FINDINGS)


def register(app: typer.Typer) -> None:
    @app.command()
    def validate(
        file: Optional[Path] = typer.Argument(None, help="A YAML file holding the spec (or a stack file)."),
        stack: Optional[str] = typer.Option(None, "--stack", "-s", help="Validate stacks/Pulumi.NAME.yaml."),
        cloud: Optional[CloudChoice] = typer.Option(None, help="Validate the spec rendered on this cloud."),
        region: Optional[str] = typer.Option(None, help="Region on the --cloud (default: the equivalent region)."),
    ) -> None:
        """Validate a platform spec: exit 0 when valid, 1 with one line per error, 2 when the file
        cannot be read."""
        from components.spec import SpecError, load_spec_file, load_stack

        from mlplat.project import stacks_dir

        if (stack is None) == (file is None):
            fail("give exactly one of FILE or --stack NAME", EXIT_USAGE)
        target = cloud and cloud.value
        try:
            loaded = load_stack(stack, stacks_dir(), target, region) if stack else load_spec_file(file, target, region)
        except SpecError as error:
            fail(error.lines, EXIT_USAGE if error.unreadable else EXIT_FINDINGS)
        spec = loaded.spec
        typer.echo(f"{loaded.source}: valid ({spec.name}, {spec.environment.value} on {spec.cloud.value} {spec.region})")

    @app.command()
    def plan(
        stack: Optional[str] = typer.Option(None, "--stack", "-s", help="Plan stacks/Pulumi.NAME.yaml."),
        config: Optional[Path] = typer.Option(None, "--config", "-c", help="Plan a YAML file holding just the spec."),
        cloud: Optional[CloudChoice] = typer.Option(None, help="Render the same spec on this cloud."),
        region: Optional[str] = typer.Option(None, help="Region on the target cloud (default: the equivalent region)."),
        format: PlanFormat = typer.Option(PlanFormat.table, "--format", "-f"),
    ) -> None:
        """Show what `pulumi up` would create, offline: the real program under Pulumi's mock runtime."""
        from mlplat.offline_plan import diagram
        from mlplat.offline_plan.render import plan_table

        json_errors(format == PlanFormat.json)
        result = build_plan(stack, config, cloud, region)
        if format in (PlanFormat.mermaid, PlanFormat.dot):
            typer.echo(diagram.DRAW[format.value](result), nl=False)
        elif format == PlanFormat.json:
            emit_json(result.to_dict())
        else:
            typer.echo(plan_table(result))
