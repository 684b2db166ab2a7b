"""`mlplat regions refresh`: the region catalogue against the clouds' region APIs (credentials needed)."""

from __future__ import annotations

from typing import Optional

import typer

from cli.console import emit_json
from cli.group import Group
from cli.commands.finops import CloudChoice, OutputFormat


def register(app: typer.Typer) -> None:
    regions = typer.Typer(cls=Group, help="The region catalogue (components/catalog/regions/).", no_args_is_help=True)
    app.add_typer(regions, name="regions")

    @regions.command("refresh")
    def regions_refresh(
        cloud: Optional[CloudChoice] = typer.Option(None, "--cloud", help="One cloud only (default: all three)."),
        write: bool = typer.Option(False, "--write", help="Rewrite AWS availability lists from SSM (others: report only)."),
        azure_subscription: Optional[str] = typer.Option(None, "--azure-subscription", envvar="AZURE_SUBSCRIPTION_ID"),
        gcp_project: Optional[str] = typer.Option(None, "--gcp-project", envvar="GOOGLE_CLOUD_PROJECT"),
        format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
    ) -> None:
        """Compare the catalogue with AWS SSM public parameters, Azure List Locations and GCP regions.list.

        New regions and regions no longer listed are reported (country, coordinates and services are
        curated by hand, docs/regions.md); a cloud without credentials is skipped with the reason."""
        from mlplat.regions_refresh import credential_token, refresh, render, source_clouds

        reports = []
        for name in [cloud.value] if cloud else source_clouds():
            token = credential_token(name, azure_subscription, gcp_project)
            reports.append(refresh(name, write, subscription=azure_subscription, project=gcp_project, token=token))
        if format == OutputFormat.json:
            emit_json({"clouds": [r.to_dict() for r in reports]})
        else:
            typer.echo("\n".join(render(r) for r in reports))
