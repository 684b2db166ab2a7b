"""Reading .github/workflows/policy.yml against the real CLI: matrix expansion and option parsing."""

from __future__ import annotations

import re

from typer.main import get_command

from cli.app import app
from tests.support.plans import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "policy.yml"


def expand(text: str, matrix: dict) -> list[str]:
    """`text` once per matrix value it uses (only single-key matrices are used in this workflow)."""
    keys = set(re.findall(r"\$\{\{\s*matrix\.(\w+)\s*\}\}", text))
    if not keys:
        return [text]
    assert len(keys) == 1, text
    key = keys.pop()
    return [re.sub(r"\$\{\{\s*matrix\.%s\s*\}\}" % key, value, text) for value in matrix[key]]


def parse(args: list[str]):
    """Resolve `args` through the CLI's command tree and parse the leaf's options (no callback runs); an
    unknown command or option raises the CLI's UsageError."""
    command = get_command(app)
    ctx = command.make_context("mlplat", list(args), resilient_parsing=False)
    while hasattr(command, "resolve_command"):  # a group (typer vendors its own click: no isinstance)
        name, command, rest = command.resolve_command(ctx, ctx._protected_args + ctx.args)
        ctx = command.make_context(name, rest, parent=ctx)
    return ctx
