"""`mlplat models refresh`: the model catalogue against the clouds' model-listing APIs (credentials needed)."""

from __future__ import annotations

from typing import Optional

import typer

from cli.commands.finops import CloudChoice, OutputFormat
from cli.console import EXIT_USAGE, emit_json, fail, json_errors
from cli.group import Group


def register(app: typer.Typer) -> None:
    models = typer.Typer(cls=Group, help="The model catalogue (components/catalog/models.yaml).", no_args_is_help=True)
    app.add_typer(models, name="models")

    @models.command("refresh")
    def models_refresh(
        region: list[str] = typer.Option(..., "--region", help="Region(s) to check, e.g. us-east-1 (repeatable)."),
        cloud: CloudChoice = typer.Option(..., "--cloud", help="The cloud of those regions."),
        write: bool = typer.Option(False, "--write", help="Rewrite models.yaml (default: report only)."),
        azure_subscription: Optional[str] = typer.Option(None, "--azure-subscription", envvar="AZURE_SUBSCRIPTION_ID"),
        format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
    ) -> None:
        """Which catalogue models each region offers, from Bedrock ListFoundationModels, Azure Cognitive
        Services models and Vertex AI publisher models; rows gain or lose the region, dated today."""
        from components.spec.base import Cloud
        from components.spec.regions import region_error
        from mlplat.finops.models_refresh import offered, refresh, render

        json_errors(format == OutputFormat.json)
        # A region of another cloud has no listing on this one: refused before any API is asked.
        problems = [f"--region: {p}" for p in (region_error(Cloud(cloud.value), name) for name in region) if p]
        if problems:
            fail(problems, EXIT_USAGE)
        reports = [refresh(cloud.value, name, write, *offered(cloud.value, name, azure_subscription)) for name in region]
        if format == OutputFormat.json:
            emit_json({"regions": [r.to_dict() for r in reports]})
        else:
            typer.echo("\n".join(render(r) for r in reports))
