"""A CLI app holding only the ops commands, and a runner for it."""

from __future__ import annotations

import typer
from typer.testing import CliRunner


def ops_app() -> typer.Typer:
    from cli.commands import ops

    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:  # keeps typer from collapsing a one-command app
        pass

    ops.register(app)
    return app


def run(args: list[str], env: dict[str, str] | None = None, input: str | None = None):
    runner = CliRunner()
    return runner.invoke(ops_app(), args, env=env, input=input, catch_exceptions=False)


def by_check(checks) -> dict:
    """Preflight results by the name of their check ("credentials", "region", "quota training"...)."""
    return {c.check: c for c in checks}
