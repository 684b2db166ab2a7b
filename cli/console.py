"""Output helpers shared by the commands: errors without tracebacks, JSON, tables, progress."""

from __future__ import annotations

import contextlib
import json
import logging
import math
import sys
import warnings
from typing import Any, NoReturn

import typer

try:  # typer 0.2x runs commands on its own copy of click, with its own context stack
    from typer._click.globals import get_current_context
except ImportError:  # pragma: no cover - typer on the click package
    from click import get_current_context

from mlplat.tables import table  # noqa: F401  (commands import it from here)

# Exit codes used by every command.
EXIT_OK = 0
EXIT_FINDINGS = 1  # the command ran and found problems (invalid spec, mandatory policy violated, failed check)
EXIT_USAGE = 2  # bad usage, unreadable input, missing tool

_JSON_ERRORS = "mlplat_json_errors"
# Metavar of on/off flags: they take no value, so help shows none (typer would print `<bool>`).
FLAG = ""


def json_errors(enabled: bool = True) -> None:
    """From here on in this command, `fail` also prints a JSON error document on stdout, so a script
    that asked for `-f json` always gets one (success or failure)."""
    context = get_current_context(silent=True)
    if context is not None:
        context.find_root().meta[_JSON_ERRORS] = enabled


def _json_mode() -> bool:
    context = get_current_context(silent=True)
    return bool(context and context.find_root().meta.get(_JSON_ERRORS))


def fail(lines: list[str] | str, code: int = EXIT_USAGE, **document: Any) -> NoReturn:
    """Print error lines to stderr (and, after `json_errors()`, a JSON document on stdout) and exit with
    `code` (no traceback). `document` adds keys to the JSON document."""
    lines = [lines] if isinstance(lines, str) else list(lines)
    for line in lines:
        typer.echo(f"error: {line}" if not line.startswith(("error:", "  ")) else line, err=True)
    if _json_mode():
        emit_json({**document, "result": "failed", "error": [line.removeprefix("error: ") for line in lines]})
    raise typer.Exit(code)


def _finite(value: Any) -> Any:
    """JSON has no NaN or Infinity: such a float becomes null rather than invalid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def emit_json(document: Any) -> None:
    typer.echo(json.dumps(_finite(document), indent=2, sort_keys=False, default=str, allow_nan=False))


@contextlib.contextmanager
def quiet_cloud_sdks():
    """Cloud SDK chatter is not for the user: azure-identity logs its whole credential chain at WARNING
    when no credential works, google.api_core warns about Python versions. The checks report the
    outcome themselves."""
    loggers = [logging.getLogger(name) for name in ("azure.identity", "azure.core", "google.auth", "google.api_core")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.filterwarnings("ignore", module=r"google\..*")
            yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def info(message: str) -> None:
    """Progress and notes go to stderr so stdout stays machine-readable."""
    typer.echo(message, err=True)


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
