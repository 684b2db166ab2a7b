"""Where the Pulumi project is: the directory holding Pulumi.yaml (stacks/ sits beside it)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def project_dir() -> Path:
    """The project directory: $MLPLAT_PROJECT_DIR, else the nearest parent of the working directory
    with a Pulumi.yaml, else the directory this package was installed from."""
    override = os.environ.get("MLPLAT_PROJECT_DIR")
    if override:
        return Path(override).resolve()
    here = Path.cwd().resolve()
    for candidate in [here, *here.parents]:
        if (candidate / "Pulumi.yaml").exists():
            return candidate
    return PACKAGE_ROOT


def stacks_dir() -> Path:
    """stacks/ of the project; relative to the working directory when inside it (shorter messages)."""
    path = project_dir() / "stacks"
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return path
