"""Mermaid checks: the grammar subset mlplat writes (always available), and Mermaid's own parser run
under node with jsdom when a directory with `npm install mermaid jsdom` is at hand ($MLPLAT_MERMAID_DIR,
default ~/.cache/mlplat-mermaid)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

ID = r"[A-Za-z_][A-Za-z0-9_]*"
LABEL = r'"[^"\n]*"'
FLOWCHART_LINES = [
    rf"flowchart (LR|TB|TD|RL|BT)",
    rf"  subgraph (?P<sub>{ID})\[{LABEL}\]",
    rf"    (?P<node>{ID})\[{LABEL}\]",
    r"  end",
    rf"  (?P<a>{ID}) (-->|-\.->|-\. [a-z]+ \.->) (?P<b>{ID})",
    rf"  classDef {ID} [a-z-]+:[^\s;]+(,[a-z-]+:[^\s;,]+)*",
    rf"  class {ID}(,{ID})* {ID}",
]


def check_flowchart_subset(text: str) -> None:
    """Assert `text` is a flowchart in the subset: front matter title, subgraphs, labelled nodes, arrows
    between defined ids, class definitions; balanced subgraph/end."""
    lines = text.rstrip("\n").splitlines()
    if lines[0] == "---":
        end = lines.index("---", 1)
        assert all(re.fullmatch(r"title: [^\n\"]+", line) for line in lines[1:end]), lines[1:end]
        lines = lines[end + 1:]
    defined, used, depth = set(), set(), 0
    for line in lines:
        match = next((m for m in (re.fullmatch(p, line) for p in FLOWCHART_LINES) if m), None)
        assert match is not None, f"not in the Mermaid subset: {line!r}"
        groups = match.groupdict()
        if groups.get("sub"):
            depth += 1
            defined.add(groups["sub"])
        if line == "  end":
            depth -= 1
            assert depth >= 0, "end without subgraph"
        if groups.get("node"):
            defined.add(groups["node"])
        used |= {groups[k] for k in ("a", "b") if groups.get(k)}
    assert depth == 0, "unclosed subgraph"
    assert lines[0].startswith("flowchart ")
    assert used <= defined, f"arrows to undefined ids: {sorted(used - defined)}"


def check_xychart_subset(block: str) -> None:
    """Assert a ```mermaid xychart-beta block uses the subset: title, x-axis categories, y-axis range,
    bar series as long as the categories."""
    lines = block.strip("\n").splitlines()
    assert lines[0] == "```mermaid" and lines[-1] == "```" and lines[1] == "xychart-beta", lines[:2]
    assert re.fullmatch(rf"  title {LABEL}", lines[2]), lines[2]
    axis = re.fullmatch(rf"  x-axis \[({LABEL}(, {LABEL})*)\]", lines[3])
    assert axis, lines[3]
    categories = re.findall(LABEL, axis.group(1))
    assert re.fullmatch(rf"  y-axis {LABEL} 0 --> \d+", lines[4]), lines[4]
    top = int(lines[4].rsplit(" ", 1)[1])
    for line in lines[5:-1]:
        bars = re.fullmatch(r"  bar \[(-?\d+\.\d+(, -?\d+\.\d+)*)\]", line)
        assert bars, line
        values = [float(v) for v in bars.group(1).split(", ")]
        assert len(values) == len(categories) and max(values) <= top


def mermaid_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```mermaid\n.*?^```$", markdown, re.M | re.S)


PARSE_SCRIPT = r"""
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!DOCTYPE html><body></body>', { pretendToBeVisual: true });
global.window = dom.window; global.document = dom.window.document;
global.DOMParser = dom.window.DOMParser; global.Element = dom.window.Element;
(async () => {
  const mermaid = (await import('mermaid')).default;
  mermaid.initialize({ startOnLoad: false });
  const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const errors = [];
  for (const text of texts) {
    try { await mermaid.parse(text); errors.push(null); } catch (e) { errors.push(String(e.message || e).split('\n')[0] || 'error'); }
  }
  process.stdout.write(JSON.stringify(errors));
})().catch((e) => { process.stderr.write(String(e)); process.exit(3); });
"""


def mermaid_parser() -> Path | None:
    """The directory holding node_modules/mermaid and jsdom, or None (node or the packages missing)."""
    directory = Path(os.environ.get("MLPLAT_MERMAID_DIR", Path.home() / ".cache" / "mlplat-mermaid"))
    if shutil.which("node") is None:
        return None
    if not ((directory / "node_modules" / "mermaid").is_dir() and (directory / "node_modules" / "jsdom").is_dir()):
        return None
    return directory


def mermaid_parse_errors(directory: Path, texts: list[str]) -> list[str | None]:
    """Mermaid's parse of each text: None when it parses, else the parser's first error line."""
    script = directory / "mlplat-parse.cjs"
    script.write_text(PARSE_SCRIPT)
    done = subprocess.run(["node", str(script)], input=json.dumps(texts), capture_output=True, text=True,
                          cwd=directory, check=False)
    assert done.returncode == 0, f"the Mermaid parser did not run: {done.stderr[-2000:]}"
    return json.loads(done.stdout)
