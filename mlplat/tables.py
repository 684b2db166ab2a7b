"""Text tables for terminal output, logs and pull-request comments, rendered with rich.

Plain text (no colour codes, so tables survive logs and pull-request comments), at most `width`
columns (the terminal's, at most 100): long cells wrap inside their column between words, never inside
one; a word wider than any column the table can give it is cut with an ellipsis, never folded onto the
next line. Columns whose cells are all figures (`$1,234.50`, `12`, `3.5 h`) are right-aligned.
"""

from __future__ import annotations

import re
import shutil
from typing import Any

WIDTH = 100
MIN_WIDTH = 60
_TERMINAL = -1  # `width` default: the terminal's width, at most WIDTH
_FIGURE = re.compile(r"^[-+]?\$?[\d,]+(\.\d+)?( ?[%a-zA-Z/-]+)?$")


def terminal_width() -> int:
    """The output width: the terminal's (COLUMNS when set), between MIN_WIDTH and WIDTH; WIDTH when
    stdout is no terminal (logs, pipes, comments)."""
    import os
    import sys

    if not os.environ.get("COLUMNS") and not sys.stdout.isatty():
        return WIDTH
    return max(MIN_WIDTH, min(WIDTH, shutil.get_terminal_size((WIDTH, 24)).columns))


def _longest_word(texts) -> int:
    return max((len(word) for text in texts for word in str(text).split()), default=1)


def table(headers: list[str], rows: list[list[Any]], width: int | None = _TERMINAL, indent: int = 0) -> str:
    """A table at most `width` characters wide (the terminal's by default; `indent` columns less). The
    last column (the prose one: note, basis, detail, message) wraps first, so the key columns before it
    stay whole and greppable. None: one line per row, however wide (for tools reading line by line)."""
    import io

    from rich import box
    from rich.console import Console
    from rich.table import Table

    if width == _TERMINAL:
        width = terminal_width() - indent
    cells = [["" if c is None else str(c) for c in row] for row in rows]
    grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False, collapse_padding=True)
    natural = [max([len(str(h)), *(len(r[i]) for r in cells if i < len(r))]) for i, h in enumerate(headers)]
    # Key columns stay whole when they fit beside a readable last column; otherwise they wrap too.
    # Every column is at least as wide as its longest word where the width allows, so lines break between
    # words; a word still too wide is cut with an ellipsis (visible) rather than folded mid-word.
    keep_whole = width is None or sum(natural[:-1]) + 2 * len(headers) + 20 <= width
    columns = [[row[i] for row in cells if i < len(row) and row[i]] for i in range(len(headers))]
    longest = [_longest_word([h, *columns[i]]) for i, h in enumerate(headers)]
    words_fit = width is None or sum(longest) + 2 * len(headers) <= width
    for index, header in enumerate(headers):
        column = columns[index]
        figures = bool(column) and all(_FIGURE.match(value) for value in column)
        last = index == len(headers) - 1
        grid.add_column(str(header), justify="right" if figures else "left", overflow="ellipsis",
                        no_wrap=keep_whole and not last,
                        min_width=longest[index] if words_fit else min(longest[index], len(str(header)) + 8))
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
