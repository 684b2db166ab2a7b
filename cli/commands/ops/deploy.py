"""`mlplat preview`, `up` and `destroy`: the Pulumi Automation API with the policy pack (`mlplat.ops.deploy`)."""

from __future__ import annotations

from typing import Optional

import click
import typer

from cli.commands.ops.options import FORMAT_OPTION, STACK_OPTION, OutputFormat, fail_before_run
from cli.console import EXIT_FINDINGS, EXIT_USAGE, FLAG, emit_json, info, is_interactive
from mlplat.project import project_dir, stacks_dir

def _deploy(operation: str, stack: str, backend: Optional[str], yes: bool, output: OutputFormat) -> None:
    from components.spec import SpecError, load_stack
    from components.spec.loading import stack_file

    from mlplat.ops import deploy
    from mlplat.ops.results import OpsError

    before = {"operation": operation, "stack": stack}
    try:
        loaded = load_stack(stack, stacks_dir())
    except SpecError as error:  # missing or malformed stack file: a usage error
        fail_before_run(output, error.lines, EXIT_USAGE, **before)
    prod = loaded.spec.environment.value == "prod"
    confirm = None
    if operation == "destroy" and prod and not yes:
        if not is_interactive():
            fail_before_run(output, f"stack {stack} is a prod stack: pass --yes to destroy it without a terminal to confirm in",
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
        fail_before_run(output, error.lines, EXIT_USAGE, **before)
    except OpsError as error:
        fail_before_run(output, error.lines, EXIT_FINDINGS, **before)
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
    app.command("preview")(preview_command)
    app.command("up")(up_command)
    app.command("destroy")(destroy_command)
