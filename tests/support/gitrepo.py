"""A throwaway git repository holding a project with one reference stack: commit it, edit its spec."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from tests.support.plans import ROOT, STACKS_DIR

CONFIG_KEY = "mlplat:platform"


class StackRepo:
    def __init__(self, root: Path, stack: str):
        self.root = root
        self.stack = stack
        self.file = root / "stacks" / f"Pulumi.{stack}.yaml"
        (root / "stacks").mkdir(parents=True)
        shutil.copy(ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
        shutil.copy(STACKS_DIR / f"Pulumi.{stack}.yaml", self.file)
        self.git("init", "-q", "-b", "main")
        self.commit("the reference stack")

    def git(self, *args: str) -> str:
        env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin", "HOME": str(self.root)}
        done = subprocess.run(["git", "-C", str(self.root), *args], capture_output=True, text=True, env=env, check=True)
        return done.stdout.strip()

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def edit_spec(self, change) -> None:
        """Call `change(spec_dict)` on the stack's spec and write the file back."""
        document = yaml.safe_load(self.file.read_text())
        change(document["config"][CONFIG_KEY])
        self.file.write_text(yaml.safe_dump(document, sort_keys=False))
