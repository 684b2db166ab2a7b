"""Text tables for terminal output, logs and pull-request comments, rendered with rich.

Plain text (no colour codes, so tables survive logs and pull-request comments), at most `width`
columns: long cells wrap inside their column instead of widening the table. Columns whose cells are
all figures (`$1,234.50`, `12`, `3.5 h`) are right-aligned.
"""

from __future__ import annotations

import re
from typing import Any

WIDTH = 100
_FIGURE = re.compile(r"^[-+]?\$?[\d,]+(\.\d+)?( ?[%a-zA-Z/-]+)?$")


def table(headers: list[str], rows: list[list[Any]], width: int | None = WIDTH) -> str:
    """A table at most `width` characters wide. The last column (the prose one: note, basis,
    detail, message) wraps first, so the key columns before it stay whole and greppable."""
    import io

    from rich import box
    from rich.console import Console
    from rich.table import Table

    cells = [["" if c is None else str(c) for c in row] for row in rows]
    grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False, collapse_padding=True)
    natural = [max([len(str(h)), *(len(r[i]) for r in cells if i < len(r))]) for i, h in enumerate(headers)]
    # Key columns stay whole when they fit beside a readable last column; otherwise every column folds
    # (nothing is ever cropped).
    keep_whole = width is None or sum(natural[:-1]) + 2 * len(headers) + 20 <= width
    for index, header in enumerate(headers):
        column = [row[index] for row in cells if index < len(row) and row[index]]
        figures = bool(column) and all(_FIGURE.match(value) for value in column)
        last = index == len(headers) - 1
        grid.add_column(str(header), justify="right" if figures else "left", overflow="fold",
                        no_wrap=keep_whole and not last, min_width=len(str(header)))
    for row in cells:
        grid.add_row(*row)
    if width is None:  # one line per row, however wide: for output read by tools line by line
        width = max(sum(max([len(h), *(len(r[i]) for r in cells if i < len(r))]) + 2 for i, h in enumerate(headers)), 20)
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False, highlight=False,
                      emoji=False, markup=False, soft_wrap=False)
    console.print(grid)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines() if line.strip())


def markdown_table(headers: list[Any], rows: list[list[Any]]) -> list[str]:
    """A GitHub-flavoured Markdown table as lines (pipes in cells escaped, newlines flattened)."""
    def cell(value: Any) -> str:
        return ("" if value is None else str(value)).replace("|", "\\|").replace("\n", " ") or " "

    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    return lines + ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
