"""`mlplat preflight`: credentials, region and GPU quota checks (`mlplat.ops.preflight`)."""

from __future__ import annotations

import typer

from cli.commands.ops.options import FORMAT_OPTION, STACK_OPTION, OutputFormat, fail_before_run
from cli.console import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, emit_json, info, json_errors, quiet_cloud_sdks, table
from mlplat.project import stacks_dir

STATUS_MARK = {"pass": "PASS", "fail": "FAIL", "warn": "WARN", "skip": "SKIP"}


def preflight_command(stack: str = STACK_OPTION, output: OutputFormat = FORMAT_OPTION) -> None:
    """Check credentials, region and GPU quota for the stack's training and endpoint shapes."""
    json_errors(output == OutputFormat.json)
    from components.spec import SpecError, load_stack

    from mlplat.ops.preflight import passed, run_preflight

    try:
        loaded = load_stack(stack, stacks_dir())
    except SpecError as error:  # missing or malformed stack file: a usage error
        fail_before_run(output, error.lines, EXIT_USAGE, stack=stack, passed=False, checks=[])
    progress = info if output == OutputFormat.text else (lambda _m: None)
    with quiet_cloud_sdks():
        checks = run_preflight(loaded.spec, loaded.config, progress)
    ok = passed(checks)
    if output == OutputFormat.json:
        emit_json({"stack": stack, "cloud": loaded.spec.cloud.value, "region": loaded.spec.region,
                   "passed": ok, "result": "succeeded" if ok else "failed", "error": [],
                   "checks": [c.to_dict() for c in checks]})
    else:
        typer.echo(table(["check", "result", "detail"], [[c.check, STATUS_MARK[c.status], c.detail] for c in checks]))
        failed = sum(c.status == "fail" for c in checks)
        typer.echo(f"preflight {stack}: " + ("all checks passed" if ok else f"{failed} check(s) failed"))
    raise typer.Exit(EXIT_OK if ok else EXIT_FINDINGS)



def register(app: typer.Typer) -> None:
    app.command("preflight")(preflight_command)
