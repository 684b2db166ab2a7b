"""`mlplat diff`: what a change to a stack file does (resources, data-loss risk, cost, policies), offline."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from cli.console import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, emit_json, fail, info, json_errors


class DiffFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class FailOn(str, Enum):
    protected = "protected"
    mandatory = "mandatory"
    data_loss = "data-loss"
    never = "never"


def _plan(load, label: str, temp: Path | None = None):
    """Run `load()` (a plan function); spec and program errors exit 2 naming `label`, not a temp file."""
    from components.spec import SpecError

    from mlplat.offline_plan import PlanError

    def named(line: str) -> str:
        return line.replace(str(temp), label) if temp else line

    try:
        return load()
    except SpecError as error:
        fail([named(line) for line in error.lines], EXIT_USAGE)
    except PlanError as error:
        fail([named(str(error)), "this is a bug in mlplat; please report it with the spec"], EXIT_USAGE)


def _head(stack: Optional[str], config: Optional[Path]):
    from cli.commands.policy import stack_name_of
    from mlplat.offline_plan import plan_file, plan_stack
    from mlplat.project import stacks_dir

    if stack is not None:
        return _plan(lambda: plan_stack(stack, stacks_dir()), f"stack {stack}"), stacks_dir() / f"Pulumi.{stack}.yaml"
    return _plan(lambda: plan_file(config, stack=stack_name_of(config)), str(config)), config


def _base(head, head_file: Path, ref: Optional[str], base_config: Optional[Path], stack: Optional[str]):
    """(plan or None when the file is new at REF, label)."""
    from mlplat.diff import RevisionError, file_at_revision
    from mlplat.offline_plan import plan_file, plan_stack

    if base_config is not None:
        if not base_config.is_file():
            fail(f"--base-config {base_config}: no such file", EXIT_USAGE)
        return _plan(lambda: plan_file(base_config, stack=head.stack), str(base_config)), str(base_config)
    label = f"{ref}:{head_file}"
    try:
        with file_at_revision(head_file, ref) as copy:
            if copy is None:
                return None, label
            if stack is not None:
                return _plan(lambda: plan_stack(stack, copy.parent), label, copy), label
            return _plan(lambda: plan_file(copy, stack=head.stack), label, copy), label
    except RevisionError as error:
        fail(str(error), EXIT_USAGE)


def diff_command(
    stack: Optional[str] = typer.Option(None, "--stack", "-s", help="Diff stacks/Pulumi.NAME.yaml."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="Or diff a YAML file holding the spec."),
    base: Optional[str] = typer.Option(None, "--base", "-b", help="The git revision to compare with (branch, tag, SHA)."),
    base_config: Optional[Path] = typer.Option(None, "--base-config", help="Or compare with this file (no git)."),
    format: DiffFormat = typer.Option(DiffFormat.text, "--format", "-f", help="text, json or markdown (a PR comment)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE."),
    fail_on: Optional[List[FailOn]] = typer.Option(
        None, "--fail-on", help="Exit 1 on: protected (delete/replace of a protected resource), mandatory (a new "
        "mandatory policy violation), data-loss (any data-loss risk), never. Repeatable; default protected + mandatory."),
    policy: bool = typer.Option(True, "--policy/--no-policy", help="Run the policy pack over both plans."),
    policy_config: Optional[Path] = typer.Option(None, "--policy-config", help="Policy settings (as `policy check`)."),
) -> None:
    """Plan the stack as of a git revision and as in the work tree; report per capability the resources
    created, updated, replaced and deleted (data-loss risks first), the monthly cost difference and the
    policy results new and resolved. Exit 1 per --fail-on, 0 otherwise, 2 on usage or spec errors."""
    import json

    from mlplat.diff import DEFAULT_FAIL_ON, diff_plans
    from mlplat.diff.render import render_markdown, render_text
    from mlplat.policy_run import PolicyRunError
    from mlplat.policy_run.results import load_policy_config

    json_errors(format == DiffFormat.json)
    if (stack is None) == (config is None):
        fail("give exactly one of --stack NAME or --config FILE", EXIT_USAGE)
    if (base is None) == (base_config is None):
        fail("give exactly one of --base REF or --base-config FILE", EXIT_USAGE)
    rules = tuple(f.value for f in fail_on) if fail_on else DEFAULT_FAIL_ON
    try:
        settings = load_policy_config(policy_config)
    except PolicyRunError as error:
        fail(error.lines, EXIT_USAGE)
    head, head_file = _head(stack, config)
    base_plan, base_label = _base(head, head_file, base, base_config, stack)
    try:
        report = diff_plans(base_plan, head, base_label, "work tree", policy, settings,
                            str(policy_config) if policy_config else "policy config")
    except PolicyRunError as error:
        fail(error.lines, EXIT_USAGE)
    if format == DiffFormat.json:
        text = json.dumps(report.to_dict(rules), indent=2, allow_nan=False)
    elif format == DiffFormat.markdown:
        text = render_markdown(report, rules)
    else:
        text = render_text(report, rules)
    if output:
        try:
            output.write_text(text.rstrip("\n") + "\n")
        except OSError as error:
            fail(f"{output}: cannot write: {error.strerror or error}", EXIT_USAGE)
        info(f"wrote {output}")
    elif format == DiffFormat.json:
        emit_json(report.to_dict(rules))
    else:
        typer.echo(text.rstrip("\n"))
    raise typer.Exit(EXIT_FINDINGS if report.failures(rules) else EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("diff")(diff_command)
