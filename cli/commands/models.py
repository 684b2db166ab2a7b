"""`mlplat models refresh`: the model catalogue against the clouds' model-listing APIs (credentials needed)."""

from __future__ import annotations

from typing import Optional

import typer

from cli.commands.finops import CloudChoice, OutputFormat
from cli.commands.regions import _azure_token, _gcp_token
from cli.console import emit_json
from cli.group import Group


def _offered(cloud: str, region: str, subscription: str | None) -> tuple[set[str] | None, str | None]:
    from mlplat.finops import models_refresh as m

    try:
        if cloud == "aws":
            import boto3

            if boto3.session.Session().get_credentials() is None:
                return None, "no AWS credentials"
            return m.offered_aws(region), None
        if cloud == "azure":
            token = _azure_token() if subscription else None
            if token is None:
                return None, "no Azure credentials or --azure-subscription"
            return m.offered_azure(region, subscription, token), None
        token = _gcp_token("https://www.googleapis.com/auth/cloud-platform")
        return (m.offered_gcp(region, token), None) if token else (None, "no Google credentials")
    except Exception as error:  # noqa: BLE001 - an API refusal is reported, not raised
        return None, f"{type(error).__name__}: {error}"


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
        from mlplat.finops.models_refresh import refresh, render

        reports = [refresh(cloud.value, name, write, *_offered(cloud.value, name, azure_subscription)) for name in region]
        if format == OutputFormat.json:
            emit_json({"regions": [r.to_dict() for r in reports]})
        else:
            typer.echo("\n".join(render(r) for r in reports))
