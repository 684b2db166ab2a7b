"""Which stack files a pull request adds, changes or deletes: the matrix of the workflow's diff-comment job.

The workflow runs this module before anything is installed (`python3 -m mlplat.stack_changes --base SHA
--github-output "$GITHUB_OUTPUT"`), so it uses the standard library and git only. Every
`stacks/Pulumi.<name>.yaml` that differs between the base revision and HEAD gets one entry
`{"stack": name, "status": "added" | "modified" | "deleted"}`; a renamed file is the old stack deleted and
the new one added (`--no-renames`), since the stack name is the file name. An added stack is diffed against
nothing (everything created, `mlplat diff` handles it); a deleted one gets a note instead of a diff
(`deleted_note`): there is no work-tree file to plan.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

# The first line of every pull-request comment for a stack: how the workflow finds its earlier comment.
MARKER = "<!-- mlplat-diff stack={stack} -->"

STACK_FILE = re.compile(r"^stacks/Pulumi\.(?P<stack>[^/]+)\.yaml$")
# Pulumi's stack name characters. A file whose name has others is no stack Pulumi could select, and its name
# would reach the workflow's shell steps: it is left out of the matrix with a warning.
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+")
STATUS = {"A": "added", "M": "modified", "D": "deleted", "T": "modified"}


class StackChangesError(Exception):
    """git could not compare the revisions."""


@dataclass(frozen=True)
class StackChange:
    stack: str
    status: str  # added, modified or deleted


def parse_name_status(text: str) -> list[StackChange]:
    """Changed stack files in `git diff --name-status --no-renames` output, sorted by stack name (files whose
    stack name Pulumi would reject are left out, with a warning on stderr)."""
    found: dict[str, StackChange] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        code, _, path = line.partition("\t")
        match = STACK_FILE.match(path.strip())
        if not match or code[:1] not in STATUS:
            continue
        if not STACK_NAME.fullmatch(match["stack"]):
            print(f"warning: ignoring {path.strip()!r}: a stack name has only letters, digits, '_', '.' and '-'",
                  file=sys.stderr)
            continue
        found[match["stack"]] = StackChange(match["stack"], STATUS[code[:1]])
    return [found[name] for name in sorted(found)]


def changed_stacks(base: str, head: str = "HEAD", repo: Path = Path(".")) -> list[StackChange]:
    """The stack files that differ between the trees of `base` and `head` in the repository at `repo`."""
    done = subprocess.run(["git", "-C", str(repo), "diff", "--name-status", "--no-renames", base, head, "--", "stacks"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StackChangesError(f"git diff {base} {head} failed: {done.stderr.strip() or done.returncode}")
    return parse_name_status(done.stdout)


def matrix(changes: list[StackChange]) -> dict:
    """The job matrix (`strategy.matrix: ${{ fromJSON(...) }}`): one `include` entry per changed stack."""
    return {"include": [asdict(change) for change in changes]}


def deleted_note(stack: str, base: str) -> str:
    """The comment for a stack file the pull request deletes (Markdown, starting with the stack's marker)."""
    return "\n".join([
        MARKER.format(stack=stack),
        f"### mlplat diff: `{stack}`: stack file deleted",
        "",
        f"This pull request deletes `stacks/Pulumi.{stack}.yaml` (present at `{base[:12]}`). Nothing is planned "
        "for it any more, and deleting the file does not destroy a deployed stack: its resources stay, "
        f"unmanaged from this repository, until `mlplat destroy --stack {stack}` is run deliberately.",
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlplat.stack_changes", description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the base revision (the pull request's base SHA)")
    parser.add_argument("--head", default="HEAD")
    parser.add_argument("--github-output", type=Path, help="append matrix=<json> and any=true|false to this file")
    parser.add_argument("--deleted-note", metavar="STACK", help="print the comment for this deleted stack file")
    args = parser.parse_args(argv)
    if args.deleted_note:
        print(deleted_note(args.deleted_note, args.base))
        return 0
    try:
        changes = changed_stacks(args.base, args.head)
    except StackChangesError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for change in changes:
        print(f"{change.status}: stacks/Pulumi.{change.stack}.yaml")
    if not changes:
        print("no stack file changed")
    if args.github_output:
        with args.github_output.open("a") as out:
            out.write(f"matrix={json.dumps(matrix(changes), separators=(',', ':'))}\n")
            out.write(f"any={'true' if changes else 'false'}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
