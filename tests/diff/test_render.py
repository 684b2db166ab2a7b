"""The diff report as text and as a pull-request comment (Markdown)."""

from __future__ import annotations

from mlplat.diff.render import render_markdown
from mlplat.diff.report import DiffReport


def test_markdown_notes_and_the_verdict_are_separate_paragraphs():
    report = DiffReport("aws-dev", "aws", "dev", "HEAD:stacks/Pulumi.aws-dev.yaml", "work tree",
                        notes=["the base is approximate", "the cost estimate is incomplete"])
    lines = render_markdown(report).splitlines()
    for index, line in enumerate(lines):
        if line.startswith(("_note:", "**passes the check", "**fails the check")):
            assert lines[index - 1] == "", lines[index - 1:index + 1]
    assert lines[-1].startswith("**passes the check**")
