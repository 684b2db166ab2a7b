"""Options and failure handling shared by the ops command modules."""

from __future__ import annotations

from enum import Enum

import typer

from cli.console import fail, json_errors


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


FORMAT_OPTION = typer.Option(OutputFormat.text, "--format", "-f", help="Output format: text or json.")
STACK_OPTION = typer.Option(..., "--stack", "-s", help="Stack name: stacks/Pulumi.<stack>.yaml.")


def fail_before_run(output: OutputFormat, lines: list[str] | str, code: int, **document) -> None:
    """Fail before Pulumi (or the checks) ran: with -f json a JSON document on stdout too, so scripts
    parsing stdout always get one. Raises typer.Exit(code)."""
    json_errors(output == OutputFormat.json)
    fail(lines, code, **document)
