"""Units small enough to hold in one's head: no module under components/ over 400 lines, no component
constructor over 80 lines (from `def __init__` to its last line). A larger constructor is split into named
steps (methods or module functions), a larger module into modules with one job each."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPONENTS = ROOT / "components"
MAX_MODULE_LINES = 400
MAX_CONSTRUCTOR_LINES = 80


def _modules() -> list[Path]:
    return sorted(COMPONENTS.rglob("*.py"))


def test_the_walk_finds_the_component_modules():
    found = {p.relative_to(COMPONENTS).as_posix() for p in _modules()}
    assert {"platform.py", "aws/endpoint.py", "azure/base.py", "gcp/training.py"} <= found


def test_no_module_under_components_exceeds_the_line_limit():
    over = []
    for path in _modules():
        lines = len(path.read_text().splitlines())
        if lines > MAX_MODULE_LINES:
            over.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not over, f"modules over {MAX_MODULE_LINES} lines (split them by job):\n" + "\n".join(over)


def test_no_constructor_under_components_exceeds_the_line_limit():
    over = []
    for path in _modules():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for member in node.body:
                if isinstance(member, ast.FunctionDef) and member.name == "__init__":
                    size = member.end_lineno - member.lineno + 1
                    if size > MAX_CONSTRUCTOR_LINES:
                        over.append(f"{path.relative_to(ROOT)}:{member.lineno}: {node.name}.__init__ is {size} lines")
    assert not over, (
        f"constructors over {MAX_CONSTRUCTOR_LINES} lines (split them into named steps):\n" + "\n".join(over)
    )
