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
    return project_dir() / "stacks"
