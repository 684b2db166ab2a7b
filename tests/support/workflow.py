"""Reading .github/workflows/policy.yml against the real CLI: matrix expansion and option parsing."""

from __future__ import annotations

import re

from typer.main import get_command

from cli.app import app
from tests.support.plans import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "policy.yml"


def expand(text: str, matrix: dict, env: dict | None = None) -> list[str]:
    """`text` once per matrix entry it uses: a single-key matrix of lists (`stack: [...]`) or an `include`
    list of entries (a matrix computed by an earlier job); text without `${{ matrix.* }}` once. With the
    step's `env`, a shell variable set from the matrix (`$STACK` for `STACK: ${{ matrix.stack }}`) is
    expanded too, as the shell would."""
    matrix_vars = {k: str(v) for k, v in (env or {}).items() if "matrix." in str(v)}
    text = re.sub(r"\$(\w+)", lambda m: matrix_vars.get(m.group(1), m.group(0)), text)
    if not re.search(r"\$\{\{\s*matrix\.\w+\s*\}\}", text):
        return [text]
    if "include" in matrix:
        entries = matrix["include"]
    else:
        assert len(matrix) == 1, matrix
        ((key, values),) = matrix.items()
        entries = [{key: value} for value in values]
    return [re.sub(r"\$\{\{\s*matrix\.(\w+)\s*\}\}", lambda m: str(entry[m.group(1)]), text) for entry in entries]


def job_matrix(job: dict) -> dict:
    """The job's matrix; a matrix computed by an earlier job (`${{ fromJSON(...) }}`) is replaced by the one
    `mlplat.stack_changes` gives for every reference stack in every status."""
    from mlplat.stack_changes import StackChange, matrix
    from tests.support.plans import REFERENCE_STACKS

    found = (job.get("strategy") or {}).get("matrix") or {}
    if isinstance(found, str):
        assert "fromJSON(needs." in found, found
        return matrix([StackChange(stack, status) for stack in REFERENCE_STACKS
                       for status in ("added", "modified", "deleted")])
    return found


def parse(args: list[str]):
    """Resolve `args` through the CLI's command tree and parse the leaf's options (no callback runs); an
    unknown command or option raises the CLI's UsageError."""
    command = get_command(app)
    ctx = command.make_context("mlplat", list(args), resilient_parsing=False)
    while hasattr(command, "resolve_command"):  # a group (typer vendors its own click: no isinstance)
        name, command, rest = command.resolve_command(ctx, ctx._protected_args + ctx.args)
        ctx = command.make_context(name, rest, parent=ctx)
    return ctx
