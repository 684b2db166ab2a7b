"""The two sides of a diff: the stack (or spec) file as of a git revision, and as in the work tree.

Only the file is taken from the revision; both sides are planned with the work tree's code, so the diff
shows what the configuration change does, the way a reviewer reads a pull request that edits a stack.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator


class RevisionError(Exception):
    """The revision or file cannot be read (not a git repository, unknown revision, no git)."""


def _git(directory: Path, *args: str) -> subprocess.CompletedProcess:
    git = shutil.which("git")
    if git is None:
        raise RevisionError("git is not installed: `--base REF` reads the file from git; use --base-config FILE")
    return subprocess.run([git, "-C", str(directory), *args], capture_output=True, text=True, check=False)


@contextlib.contextmanager
def file_at_revision(path: Path, ref: str) -> Iterator[Path | None]:
    """A temporary copy of `path` as it was at git revision `ref`, under the same file name (the stack
    name comes from it); None when the file did not exist at that revision (a new stack)."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise RevisionError(f"{path}: no such directory {directory}")
    verified = _git(directory, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if verified.returncode != 0:
        inside = _git(directory, "rev-parse", "--is-inside-work-tree")
        if inside.returncode != 0:
            raise RevisionError(f"{directory}: not inside a git repository (needed for --base {ref}); "
                                "use --base-config FILE")
        raise RevisionError(f"--base {ref}: not a commit in the repository of {directory}")
    shown = _git(directory, "show", f"{ref}:./{path.name}")
    with tempfile.TemporaryDirectory(prefix="mlplat-diff-") as temp:
        if shown.returncode != 0:
            yield None
            return
        copy = Path(temp) / path.name
        copy.write_text(shown.stdout)
        yield copy
