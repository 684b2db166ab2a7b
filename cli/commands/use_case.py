"""`mlplat use-case add|list|remove`: onboard and offboard a platform's use cases by editing the stack
file in place (comments and layout kept), validated before writing, with the plan diff of the edit."""

from __future__ import annotations

import tempfile
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from cli.console import EXIT_FINDINGS, EXIT_USAGE, emit_json, fail, info, table
from cli.group import Group


class ListFormat(str, Enum):
    table = "table"
    json = "json"


def _stack_path(stack: Optional[str], file: Optional[Path]) -> Path:
    from mlplat.project import stacks_dir

    if (stack is None) == (file is None):
        fail("give exactly one of --stack NAME or --file FILE", EXIT_USAGE)
    return file if file is not None else stacks_dir() / f"Pulumi.{stack}.yaml"


def _open(path: Path):
    from mlplat.tenancy.stackfile import StackFile, UseCaseEditError

    try:
        return StackFile.open(path)
    except UseCaseEditError as error:
        fail(error.lines, EXIT_USAGE)


def _validated(stack_file) -> None:
    """Validate the edited spec; nothing is written when it is invalid (exit 1, file and field named)."""
    from components.spec import SpecError

    try:
        stack_file.validate()
    except SpecError as error:
        fail(error.lines + ["nothing written"], EXIT_FINDINGS)


def _edit(path: Path, edit, done: str, diff: bool, refuse_protected: bool = False) -> None:
    """Apply `edit` to the stack file, validate, write, and show the plan diff; refusals exit 1.

    With `refuse_protected` (offboarding), an edit whose next `pulumi up` would delete a protected resource is
    refused before anything is written: the engine would refuse that update anyway."""
    from mlplat.diff.render import render_text
    from mlplat.diff.report import FAIL_PROTECTED
    from mlplat.tenancy.stackfile import UseCaseEditError

    stack_file = _open(path)
    before = stack_file.text
    try:
        edit(stack_file)
    except UseCaseEditError as error:
        fail(error.lines, EXIT_FINDINGS)
    _validated(stack_file)
    report = _plan_diff(path, before, stack_file.dump()) if diff or refuse_protected else None
    blocked = report.failures((FAIL_PROTECTED,)) if report is not None and refuse_protected else []
    if blocked:
        fail([f"{path}: {line}" for line in blocked]
             + ["nothing written: `pulumi up` refuses to delete protected resources; unprotect them first "
                "(`pulumi state unprotect`) or keep the use case (docs/tenancy.md, Offboarding)"], EXIT_FINDINGS)
    stack_file.write()
    info(f"{path}: {done}")
    if diff:
        typer.echo(render_text(report))


def _plan_diff(path: Path, before: str, after: str):
    """The offline plan diff of the edit: what the next `pulumi up` adds or removes (a DiffReport)."""
    from mlplat.diff import diff_plans
    from mlplat.diff.render import render_text
    from mlplat.offline_plan import plan_file

    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml") if path.name.startswith("Pulumi.") else None
    with tempfile.TemporaryDirectory() as folder:
        plans = []
        for label, text in (("before", before), ("after", after)):
            copy = Path(folder) / label / path.name
            copy.parent.mkdir()
            copy.write_text(text)
            plans.append(plan_file(copy, stack=stack))
    return diff_plans(plans[0], plans[1], f"{path} (before)", f"{path} (after)", policies=False)


def register(app: typer.Typer) -> None:
    group = typer.Typer(cls=Group, help="Onboard, list and offboard use cases (the stack file is edited in place).",
                        no_args_is_help=True)
    app.add_typer(group, name="use-case")

    stack_option = typer.Option(None, "--stack", "-s", help="Edit stacks/Pulumi.NAME.yaml.")
    file_option = typer.Option(None, "--file", help="Or edit this stack file (or spec file).")

    @group.command("add")
    def add(
        name: str = typer.Argument(..., help="The use case name (lower-case letters, digits, hyphens)."),
        owner: Optional[str] = typer.Option(None, "--owner", help="Owner e-mail or team alias."),
        cost_center: Optional[str] = typer.Option(None, "--cost-center", help="Its cost center (chargeback)."),
        budget_usd: Optional[float] = typer.Option(None, "--budget-usd", help="Its own monthly budget in USD."),
        notify: List[str] = typer.Option([], "--notify", help="Budget alert recipient (repeatable; default: the owner)."),
        stack: Optional[str] = stack_option,
        file: Optional[Path] = file_option,
        diff: bool = typer.Option(True, "--diff/--no-diff", help="Show the plan diff of the edit."),
    ) -> None:
        """Add a use case: validated before the file is written; exit 1 (nothing written) when refused."""
        from mlplat.tenancy.stackfile import add_use_case

        _edit(_stack_path(stack, file), lambda f: add_use_case(f, name, owner, cost_center, budget_usd, list(notify)),
              f"added use case {name!r}", diff)

    @group.command("remove")
    def remove(
        name: str = typer.Argument(..., help="The use case to remove."),
        stack: Optional[str] = stack_option,
        file: Optional[Path] = file_option,
        diff: bool = typer.Option(True, "--diff/--no-diff", help="Show the plan diff of the edit."),
    ) -> None:
        """Remove a use case that no resource names any more (exit 1 listing the fields that still do)."""
        from mlplat.tenancy.stackfile import remove_use_case

        _edit(_stack_path(stack, file), lambda f: remove_use_case(f, name), f"removed use case {name!r}", diff,
              refuse_protected=True)

    @group.command("list")
    def list_(
        stack: Optional[str] = stack_option,
        file: Optional[Path] = file_option,
        format: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
    ) -> None:
        """The use cases with their owner, cost center, budget, GPU share, replica cap and what names them."""
        from components.spec import SpecError

        from mlplat.tenancy.stackfile import references

        stack_file = _open(_stack_path(stack, file))
        try:
            spec = stack_file.validate()
        except SpecError as error:
            fail(error.lines, EXIT_FINDINGS)
        raw = stack_file.plain_spec()
        rows = []
        for use_case in spec.use_cases:
            share = use_case.gpu_share
            rows.append({
                "name": use_case.name,
                "owner": use_case.owner or spec.finops.owner,
                "cost_center": use_case.cost_center or spec.finops.cost_center,
                "budget_usd": use_case.budget.monthly_usd if use_case.budget else None,
                "gpu_share": None if share is None else (
                    {"max_gpus": share.max_gpus} if share.max_gpus is not None else {"weight": share.weight}),
                "max_endpoint_replicas": use_case.max_endpoint_replicas,
                "named_by": references(raw, use_case.name),
            })
        if format == ListFormat.json:
            emit_json({"source": str(stack_file.path), "use_cases": rows})
            return
        typer.echo(table(
            ["use case", "owner", "cost center", "budget USD/month", "GPU share", "replica cap", "named by"],
            [[r["name"], r["owner"], r["cost_center"], "-" if r["budget_usd"] is None else f"{r['budget_usd']:,.2f}",
              "-" if r["gpu_share"] is None else ", ".join(f"{k} {v}" for k, v in r["gpu_share"].items()),
              "-" if r["max_endpoint_replicas"] is None else str(r["max_endpoint_replicas"]),
              ", ".join(r["named_by"]) or "-"] for r in rows]))


def emit_chargeback(estimate, plan, format: str) -> None:
    """`mlplat cost --by use-case`: the estimate allocated to the use cases (table, json or csv)."""
    from components.spec import parse_spec

    from mlplat.tenancy.chargeback import chargeback, render_table

    spec = parse_spec(plan.spec, plan.source)  # the plan's spec is the validated one, rendered on its cloud
    report = chargeback(estimate, spec, plan.stack)
    if format == "json":
        typer.echo(report.to_json())
    elif format == "csv":
        typer.echo(report.to_csv(), nl=False)
    elif format == "table":
        typer.echo(render_table(report))
    else:
        fail(f"--by use-case has no {format} format (table, json, csv)", EXIT_USAGE)
