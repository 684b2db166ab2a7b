"""`mlplat cost`, `mlplat compare` and `mlplat prices refresh`: FinOps from the offline plan."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from cli.choices import CloudChoice
from cli.console import EXIT_FINDINGS, EXIT_USAGE, FLAG, emit_json, fail, info, json_errors, table
from cli.group import Group


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


class CostFormat(str, Enum):
    table = "table"
    json = "json"
    html = "html"  # a self-contained page (table + chart)
    csv = "csv"  # with --by use-case: FOCUS-named columns


class CostBy(str, Enum):
    resource = "resource"
    use_case = "use-case"  # chargeback: shared cost allocated to the use cases (mlplat/tenancy/chargeback.py)


class CompareFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"  # a table and a Mermaid bar chart


def register(app: typer.Typer) -> None:
    @app.command()
    def cost(
        stack: Optional[str] = typer.Option(None, "--stack", "-s", help="Estimate stacks/Pulumi.NAME.yaml."),
        config: Optional[Path] = typer.Option(None, "--config", "-c", help="Estimate a YAML file holding the spec."),
        cloud: Optional[CloudChoice] = typer.Option(None, help="Render the same spec on this cloud."),
        region: Optional[str] = typer.Option(None, help="Region on the target cloud."),
        format: CostFormat = typer.Option(CostFormat.table, "--format", "-f"),
        by: CostBy = typer.Option(CostBy.resource, "--by", help="use-case: chargeback with the shared cost allocated."),
    ) -> None:
        """Monthly cost estimate per resource, capability and use case: idle vs usage, spot savings.

        Exit 1 when a resource is not priced (unknown type or missing catalog row)."""
        from cli.commands.spec import build_plan
        from mlplat.finops.charts import cost_html
        from mlplat.finops.estimate import EstimateError, estimate_plan
        from mlplat.finops.render import render_estimate
        from components.catalog.prices import CatalogError

        json_errors(format == OutputFormat.json)
        plan = build_plan(stack, config, cloud, region)
        try:
            estimate = estimate_plan(plan)
        except (EstimateError, CatalogError) as error:
            fail(f"{plan.source}: {error}", EXIT_USAGE)
        if by == CostBy.use_case:
            from cli.commands.use_case import emit_chargeback

            emit_chargeback(estimate, plan, format.value)
        elif format == CostFormat.csv:
            fail("--format csv is the chargeback report: add --by use-case", EXIT_USAGE)
        elif format == CostFormat.html:
            typer.echo(cost_html(estimate, plan), nl=False)
        elif format == CostFormat.json:
            document = estimate.to_dict()
            document["stack"], document["source"] = plan.stack, plan.source
            document["budget"] = (plan.spec or {}).get("budget")
            document["usage_section"] = bool((plan.spec or {}).get("usage"))
            emit_json(document)
        else:
            typer.echo(render_estimate(estimate, plan))
        if not estimate.complete:
            raise typer.Exit(EXIT_FINDINGS)

    @app.command()
    def compare(
        config: Optional[Path] = typer.Option(None, "--config", "-c", help="A YAML file holding the spec."),
        stack: Optional[str] = typer.Option(None, "--stack", "-s", help="Or stacks/Pulumi.NAME.yaml."),
        format: CompareFormat = typer.Option(CompareFormat.table, "--format", "-f"),
        processes: Optional[int] = typer.Option(
            None, "--processes", min=1, envvar="MLPLAT_COMPARE_PROCESSES",
            help="Plan the clouds in up to this many processes at once (default: the CPUs this process may use)."),
    ) -> None:
        """The same spec on AWS, Azure and GCP: resources, idle and loaded monthly cost, gaps."""
        from mlplat.finops.charts import compare_markdown
        from mlplat.finops.compare import compare as run_compare
        from mlplat.finops.compare import compare_rows
        from mlplat.finops.compare import notes as compare_notes
        from mlplat.finops.estimate import EstimateError
        from mlplat.finops.render import problems as _problems
        from mlplat.offline_plan import plan_file, plan_stack
        from mlplat.project import stacks_dir

        json_errors(format == OutputFormat.json)
        if (stack is None) == (config is None):
            fail("give exactly one of --config FILE or --stack NAME", EXIT_USAGE)
        from components.spec import SpecError, load_spec_file, load_stack

        try:  # once, on the spec's own cloud: an invalid spec is one error, not one per cloud
            load_stack(stack, stacks_dir()) if stack is not None else load_spec_file(config)
        except SpecError as error:
            fail(error.lines, EXIT_USAGE)

        from functools import partial

        from mlplat.finops.compare import usable_cpus

        plan_for = partial(plan_stack, stack, stacks_dir()) if stack is not None else partial(plan_file, config)
        try:
            columns = run_compare(plan_for, processes=processes or usable_cpus())
        except EstimateError as error:
            fail(f"{config or stack}: {error}", EXIT_USAGE)
        if all(c.error for c in columns):
            fail(list(dict.fromkeys(line for c in columns for line in c.error)), EXIT_USAGE)
        if format == CompareFormat.markdown:
            typer.echo(compare_markdown(columns, str(config or stack)), nl=False)
        elif format == CompareFormat.json:
            emit_json({"source": str(config or stack), "clouds": [c.to_dict() for c in columns]})
        else:
            headers, rows = compare_rows(columns)
            typer.echo(table(headers, rows))
            for note in compare_notes(columns):
                typer.echo(note)
            for column in columns:
                for gap in column.gaps:
                    typer.echo(f"gap on {column.cloud}: {gap['capability']}: {gap['gap']}")
                if column.estimate:
                    for problem in _problems(column.estimate):
                        typer.echo(f"not priced on {column.cloud}: {problem}")

    prices = typer.Typer(cls=Group, help="The price catalog (components/catalog/prices.csv).", no_args_is_help=True)
    app.add_typer(prices, name="prices")

    @prices.command("refresh")
    def prices_refresh(
        cloud: Optional[CloudChoice] = typer.Option(None, "--cloud", help="Refresh one cloud's rows only."),
        dry_run: bool = typer.Option(False, "--dry-run", metavar=FLAG, help="Report old -> new, write nothing."),
        format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
        catalog: Optional[Path] = typer.Option(None, "--catalog", help="The catalog to refresh (default: the shipped prices.csv)."),
        gcp_api_key: Optional[str] = typer.Option(
            None, "--gcp-api-key", envvar="GOOGLE_API_KEY", show_envvar=True,
            help="API key for the Cloud Billing Catalog API (without one, GCP is skipped)."),
    ) -> None:
        """Update catalog prices from the public price sources (Azure, AWS, GCP price APIs).

        AWS needs credentials, GCP an API key. An unreachable source is skipped with its reason, its rows untouched.

        The catalog is written once, atomically. Exit 1 when a source answered without a row's SKU."""
        from mlplat.finops.refresh import refresh, render
        from components.catalog.prices import CatalogError

        json_errors(format == OutputFormat.json)
        try:
            report = refresh(catalog, [cloud.value] if cloud else None, dry_run,
                             options={"gcp": {"api_key": gcp_api_key}})
        except CatalogError as error:
            fail(str(error), EXIT_USAGE)
        if format == OutputFormat.json:
            emit_json(report.to_dict())
        else:
            typer.echo(render(report))
        if report.not_found:
            json_errors(False)  # the report above is the JSON document; the reason goes to stderr
            fail(["SKU not found at the source (row kept):"]
                 + [f"  {'/'.join(r.key)}" for r in report.not_found], EXIT_FINDINGS)
