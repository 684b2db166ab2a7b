"""checkov in its own tool environment: a virtual environment created on first use under the user's cache.

checkov must not join the project's resolution (pulumi and pulumi-policy need protobuf < 7, checkov's
dependencies move independently), so it is installed into a dedicated venv with `uv`, pinned, once per
machine. `MLPLAT_CHECKOV` names an existing checkov executable instead (e.g. a system install).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

CHECKOV_VERSION = "3.3.30"
INSTALL_TIMEOUT_S = 900
SCAN_TIMEOUT_S = 600


class ScanToolError(Exception):
    """checkov cannot be installed or run: a usage-level error (exit 2) with the lines to print."""

    def __init__(self, lines: list[str] | str):
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        super().__init__("; ".join(self.lines))


def cache_dir() -> Path:
    base = os.environ.get("MLPLAT_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mlplat" / "tools"


def tool_dir(version: str = CHECKOV_VERSION) -> Path:
    return cache_dir() / f"checkov-{version}"


def _venv_bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def installed_checkov(version: str = CHECKOV_VERSION) -> Path | None:
    """The checkov executable when it is already there (explicit, or the complete cached tool env)."""
    explicit = os.environ.get("MLPLAT_CHECKOV")
    if explicit:
        return Path(explicit)
    venv = tool_dir(version)
    executable = _venv_bin(venv, "checkov")
    return executable if (venv / ".complete").exists() and executable.exists() else None


def ensure_checkov(version: str = CHECKOV_VERSION, echo=None) -> Path:
    """The checkov executable, installing the pinned version into the cached tool env on first use (one
    installer at a time: parallel test workers or CI jobs on one machine wait for the first)."""
    found = installed_checkov(version)
    if found:
        return found
    cache_dir().mkdir(parents=True, exist_ok=True)
    with open(cache_dir() / f"checkov-{version}.lock", "w") as lock:
        try:
            import fcntl

            fcntl.flock(lock, fcntl.LOCK_EX)
        except ImportError:  # Windows: no advisory locks; a single installer is the common case
            pass
        return installed_checkov(version) or _install(version, echo)


def _install(version: str, echo) -> Path:
    uv = shutil.which("uv")
    if uv is None:
        raise ScanToolError([f"cannot install checkov {version}: `uv` is not on PATH",
                             "  install uv (https://docs.astral.sh/uv/) or set MLPLAT_CHECKOV to a checkov executable"])
    venv = tool_dir(version)
    if echo:
        echo(f"installing checkov {version} into {venv} (once; its own environment, not the project's)")
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    steps = [[uv, "venv", "--quiet", "--python", python, str(venv)],
             [uv, "pip", "install", "--quiet", "--python", str(_venv_bin(venv, "python")), f"checkov=={version}"]]
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ScanToolError(f"cannot install checkov {version}: {error}") from None
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise ScanToolError([f"cannot install checkov {version} into {venv} (`{' '.join(step[:3])}` failed):",
                                 *[f"  {line}" for line in tail],
                                 "  the scan needs the package registry once; or set MLPLAT_CHECKOV"])
    (venv / ".complete").write_text(version + "\n")
    return _venv_bin(venv, "checkov")


def run_checkov(executable: Path, directory: Path, frameworks: list[str], skip_checks: list[str] = ()) -> list[dict]:
    """checkov over `directory` with the given frameworks; its JSON reports (one per framework)."""
    command = [str(executable), "--directory", str(directory), "--framework", *frameworks, "--output", "json",
               "--skip-download", "--soft-fail", "--compact", "--skip-results-upload"]
    if skip_checks:
        command += ["--skip-check", ",".join(skip_checks)]
    # No calls home for guidelines or telemetry: the scan runs offline in pull requests.
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
           "LOG_LEVEL": "ERROR"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=SCAN_TIMEOUT_S, env=env,
                              cwd=directory)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ScanToolError(f"checkov could not run: {error}") from None
    try:
        document = json.loads(done.stdout)
    except json.JSONDecodeError:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise ScanToolError([f"checkov exited {done.returncode} without a JSON report:",
                             *[f"  {line}" for line in tail]]) from None
    reports = document if isinstance(document, list) else [document]
    return [r for r in reports if isinstance(r, dict) and "results" in r]
