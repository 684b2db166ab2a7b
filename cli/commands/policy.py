"""`mlplat policy check`: run the cost and security policy pack over the offline plan, without credentials."""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from cli.choices import CloudChoice
from cli.console import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, emit_json, fail, info, json_errors, table


class PolicyFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"


def _plan(stack, config, cloud, region):
    from cli.commands.spec import build_plan

    named = stack_name_of(config) if config is not None else None
    try:
        if named:  # a stack file given by path keeps its stack's identity (URNs, JSON, SARIF)
            return _plan_named(config, cloud, region, named)
        return build_plan(stack, config, cloud, region)
    except (typer.Exit, SystemExit, KeyboardInterrupt):
        raise
    except Exception as error:  # noqa: BLE001 - the program failed: a clear message, no traceback
        where = f"stack {stack}" if stack else str(config)
        fail([f"{where}: the offline plan failed: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}".rstrip(": "),
              "  the policy check needs a plan; run `mlplat plan` to see the failure"], EXIT_USAGE)


def _plan_named(config: Path, cloud, region, name: str):
    from components.spec import SpecError

    from mlplat.offline_plan import PlanError, plan_file

    try:
        return plan_file(config, cloud.value if cloud else None, region, stack=name)
    except SpecError as error:
        fail(error.lines, EXIT_USAGE)
    except PlanError as error:
        fail([str(error), "this is a bug in mlplat; please report it with the spec"], EXIT_FINDINGS)


def stack_name_of(path: Path) -> str | None:
    """`NAME` for a Pulumi stack file `Pulumi.NAME.yaml` (with or without its directory), else None."""
    match = re.fullmatch(r"Pulumi\.(.+)\.ya?ml", Path(path).name)
    return match.group(1) if match else None


def check_command(
    stack: Optional[str] = typer.Option(None, "--stack", "-s", help="Check stacks/Pulumi.NAME.yaml."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="Check a YAML file holding just the spec."),
    cloud: Optional[CloudChoice] = typer.Option(None, help="Render the same spec on this cloud."),
    region: Optional[str] = typer.Option(None, help="Region on the target cloud."),
    format: PolicyFormat = typer.Option(PolicyFormat.text, "--format", "-f", help="text, json or sarif."),
    policy_config: Optional[Path] = typer.Option(
        None, "--policy-config", help="Policy settings and enforcement levels, the JSON `pulumi preview "
        "--policy-pack-config` takes: {\"policy-name\": {\"enforcementLevel\": ..., ...}}."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the json/sarif document to FILE."),
) -> None:
    """Run the policy pack (policies/) over the offline plan the way `pulumi preview --policy-pack` does:
    exit 0 when no mandatory policy is violated, 1 when one is, 2 on usage or spec errors."""
    import json

    from mlplat.policy_run import PolicyPackProcess, PolicyRunError, run_policies
    from mlplat.policy_run.results import load_policy_config
    from mlplat.policy_run.sarif import to_sarif
    from mlplat.project import project_dir

    json_errors(format != PolicyFormat.text and output is None)
    if (stack is None) == (config is None):
        fail("give exactly one of --stack NAME or --config FILE", EXIT_USAGE)
    try:
        settings = load_policy_config(policy_config)
    except PolicyRunError as error:
        fail(error.lines, EXIT_USAGE)
    pack = PolicyPackProcess()
    try:
        pack.spawn()  # the pack imports its SDKs on the other core while this process plans
        plan = _plan(stack, config, cloud, region)
        report = run_policies(plan, pack.start(), settings, str(policy_config) if policy_config else "policy config")
    except PolicyRunError as error:
        fail(error.lines, EXIT_USAGE)
    finally:
        pack.close()

    if format == PolicyFormat.text:
        text = _text(report, plan)
        if output:
            _write(output, text + "\n")
        typer.echo(text)
    else:
        document = report.to_dict() if format == PolicyFormat.json else to_sarif(report, project_dir())
        if output:
            _write(output, json.dumps(document, indent=2) + "\n")
            info(f"wrote {output}")
        else:
            emit_json(document)
    raise typer.Exit(EXIT_OK if report.passed else EXIT_FINDINGS)


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text)
    except OSError as error:
        fail(f"{path}: cannot write: {error.strerror or error}", EXIT_USAGE)


def _text(report, plan) -> str:
    from mlplat.offline_plan.render import count_phrase

    head = (f"{report.source}: {count_phrase(plan)} checked against {len(report.policies)} policies "
            f"({report.environment} on {report.cloud})")
    if not report.violations:
        return head + "\nno policy violations"
    rows = [[v.enforcement_level, v.policy, f"{v.resource_type} {v.resource_name}".strip() or "(stack)", v.message]
            for v in report.violations]
    verdict = (f"{len(report.mandatory)} mandatory violation(s): the stack must not be deployed"
               if not report.passed else "no mandatory violations (advisory findings only)")
    return "\n".join([head, table(["level", "policy", "resource", "message"], rows), verdict])


def register(app: typer.Typer) -> None:
    policy_app = typer.Typer(help="Cost and security policies (a Pulumi policy pack), run offline.", no_args_is_help=True)
    policy_app.command("check")(check_command)
    app.add_typer(policy_app, name="policy")
