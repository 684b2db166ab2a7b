"""`mlplat scan`: the policy pack and checkov over the offline plan, one merged text/JSON/SARIF report."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from cli.commands.policy import PolicyFormat, _plan, _text, _write
from cli.commands.spec import CloudChoice
from cli.console import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, emit_json, fail, info, json_errors


def scan_command(
    stack: Optional[str] = typer.Option(None, "--stack", "-s", help="Scan stacks/Pulumi.NAME.yaml."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="Scan a YAML file holding just the spec."),
    cloud: Optional[CloudChoice] = typer.Option(None, help="Render the same spec on this cloud."),
    region: Optional[str] = typer.Option(None, help="Region on the target cloud."),
    format: PolicyFormat = typer.Option(PolicyFormat.text, "--format", "-f", help="text, json or sarif."),
    policy_config: Optional[Path] = typer.Option(
        None, "--policy-config", help="Policy pack settings, as for `mlplat policy check`."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the json/sarif document to FILE."),
    pack: bool = typer.Option(True, "--pack/--no-pack", help="Also run the policy pack (--no-pack: checkov only, "
                              "e.g. for a SARIF upload beside the pack's own)."),
) -> None:
    """Run the policy pack AND checkov (pinned, in its own cached tool environment, installed on first use)
    over the offline plan: the plan is translated to Terraform (AWS, GCP) or ARM (Azure). Exit 0 when no
    mandatory policy is violated and no checkov check failed outside the documented skip list, 1 otherwise,
    2 on usage errors or when checkov cannot be installed."""
    import json

    from mlplat.policy_run import PolicyPackProcess, PolicyRunError, run_policies
    from mlplat.policy_run.results import load_policy_config
    from mlplat.policy_run.sarif import to_sarif
    from mlplat.project import project_dir
    from mlplat.scan import ScanToolError, scan_plans
    from mlplat.scan.tool import ensure_checkov
    from mlplat.scan.report import empty_report, merge, sarif_with_scan, text_summary

    json_errors(format == PolicyFormat.json)
    if (stack is None) == (config is None):
        fail("give exactly one of --stack NAME or --config FILE", EXIT_USAGE)
    try:  # before the plan: a missing scanner is reported at once
        ensure_checkov(echo=info)
    except ScanToolError as error:
        fail(error.lines, EXIT_USAGE)
    try:
        settings = load_policy_config(policy_config)
    except PolicyRunError as error:
        fail(error.lines, EXIT_USAGE)
    plan = _plan(stack, config, cloud, region)
    if pack:
        try:
            with PolicyPackProcess() as process:
                report = run_policies(plan, process, settings, str(policy_config) if policy_config else "policy config")
        except PolicyRunError as error:
            fail(error.lines, EXIT_USAGE)
    else:
        report = empty_report(plan)
    try:
        (scan,) = scan_plans([plan], echo=info)
    except ScanToolError as error:
        fail(error.lines, EXIT_USAGE)
    merge(report, scan)

    if format == PolicyFormat.text:
        text = _text(report, plan) + "\n" + text_summary(scan)
        if output:
            _write(output, text + "\n")
        typer.echo(text)
    else:
        if format == PolicyFormat.json:
            document = {**report.to_dict(), "checkov": scan.to_dict()}
        else:
            document = sarif_with_scan(to_sarif(report, project_dir()), report, scan, project_dir(), pack=pack)
        if output:
            _write(output, json.dumps(document, indent=2) + "\n")
            info(f"wrote {output}")
        else:
            emit_json(document)
    raise typer.Exit(EXIT_OK if report.passed else EXIT_FINDINGS)


def register(app: typer.Typer) -> None:
    app.command("scan")(scan_command)
