"""Text tables for terminal output, logs and pull-request comments, rendered with rich.

Plain text (no colour codes, so tables survive logs and pull-request comments), at most `width`
columns (the terminal's, at most 100): long cells wrap inside their column between words. The key columns
(every column but the last, prose one) get their longest word, left to right, while the last keeps a
readable width; a word still wider than its column (a type token beside a policy name in 80 columns) is
folded across lines at the column's edge, every character kept: identifiers are never cut with an
ellipsis. Columns whose cells are all figures (`$1,234.50`, `12`, `3.5 h`) are right-aligned.
"""

from __future__ import annotations

import re
import shutil
from typing import Any

WIDTH = 100
MIN_WIDTH = 60
MIN_LAST = 20  # the prose column's narrowest readable width while key columns claim their longest word
MIN_LAST_TIGHT = 12  # ... and its narrowest when that lets every key column keep its longest word whole
MIN_KEY = 8  # a key column that cannot have its longest word folds at no fewer characters than this
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


def _widths(natural: list[int], longest: list[int], room: int) -> list[int] | None:
    """Each column's width within `room` (padding excluded), or None when every column fits whole. Key
    columns whole while the last keeps MIN_LAST; else each key column its longest word (the last at least
    MIN_LAST_TIGHT); else `_fold_widths`, beside the wider last column unless the narrower one lets more
    key columns keep their longest word. The last takes the rest; what it does not need goes back to the
    key columns, left to right."""
    if sum(natural) <= room:
        return None
    *keys, last = natural
    if sum(keys) + min(last, MIN_LAST) <= room:
        widths = list(keys)
    elif sum(longest[:-1]) + min(last, MIN_LAST_TIGHT) <= room:
        widths = list(longest[:-1])  # key columns wrap between words, none folds
    else:
        layouts = [_fold_widths(longest[:-1], room - min(last, floor)) for floor in (MIN_LAST, MIN_LAST_TIGHT)]
        widths = min(layouts, key=lambda ws: sum(w < want for w, want in zip(ws, longest)))
    spare = room - sum(widths) - last
    for index in range(len(widths)):
        extra = max(0, min(spare, keys[index] - widths[index]))
        widths[index] += extra
        spare -= extra
    return [*widths, max(1, room - sum(widths))]


def _fold_widths(longest: list[int], left: int) -> list[int]:
    """Key columns' widths within `left`: each its longest word, left to right, while the columns after it
    keep MIN_KEY (or their longest word, if shorter); a column that cannot have it folds."""
    widths = []
    for index, want in enumerate(longest):
        later = sum(min(w, MIN_KEY) for w in longest[index + 1:])
        give = max(min(want, MIN_KEY), min(want, left - later))
        widths.append(give)
        left -= give
    return widths


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
    natural = [max([len(str(h)), *(len(line) for r in cells if i < len(r) for line in r[i].splitlines())])
               for i, h in enumerate(headers)]
    columns = [[row[i] for row in cells if i < len(row) and row[i]] for i in range(len(headers))]
    longest = [_longest_word([h, *columns[i]]) for i, h in enumerate(headers)]
    widths = None if width is None else _widths(natural, longest, width - 2 * (len(headers) - 1))
    for index, header in enumerate(headers):
        column = columns[index]
        figures = bool(column) and all(_FIGURE.match(value) for value in column)
        grid.add_column(str(header), justify="right" if figures else "left", overflow="fold",
                        width=widths[index] if widths else None)
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
