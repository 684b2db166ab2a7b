"""Output helpers shared by the commands: errors without tracebacks, JSON, tables, progress."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer

from mlplat.tables import table  # noqa: F401  (commands import it from here)

# Exit codes used by every command.
EXIT_OK = 0
EXIT_FINDINGS = 1  # the command ran and found problems (invalid spec, mandatory policy violated, failed check)
EXIT_USAGE = 2  # bad usage, unreadable input, missing tool


def fail(lines: list[str] | str, code: int = EXIT_USAGE) -> NoReturn:
    """Print error lines to stderr and exit with `code` (no traceback)."""
    for line in [lines] if isinstance(lines, str) else lines:
        typer.echo(f"error: {line}" if not line.startswith(("error:", "  ")) else line, err=True)
    raise typer.Exit(code)


def emit_json(document: Any) -> None:
    typer.echo(json.dumps(document, indent=2, sort_keys=False, default=str))


def info(message: str) -> None:
    """Progress and notes go to stderr so stdout stays machine-readable."""
    typer.echo(message, err=True)


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
