"""checkov for the scan tests: the cached tool env, installed on first use, or a skip that says why."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest


@functools.lru_cache(maxsize=1)
def _checkov() -> tuple[Path | None, str]:
    from mlplat.scan.tool import CHECKOV_VERSION, ScanToolError, ensure_checkov

    try:
        return ensure_checkov(), ""
    except ScanToolError as error:
        return None, f"checkov {CHECKOV_VERSION} cannot be installed on this machine: {' '.join(error.lines)}"


def checkov_or_skip() -> Path:
    """The checkov executable; the test is SKIPPED (with the reason) when it cannot be installed."""
    executable, reason = _checkov()
    if executable is None:
        pytest.skip(reason)
    return executable


def check_source(check_id: str, framework: str = "terraform") -> str:
    """The source of checkov's `framework` check `check_id` from the installed tool env, with the
    source of the checkov base classes it imports (a family of checks reads its attribute there)."""
    import re

    executable = checkov_or_skip()
    site = next((executable.parent.parent / "lib").glob("python*/site-packages/checkov"))
    for path in (site / framework / "checks" / "resource").rglob("*.py"):
        text = path.read_text()
        if f'"{check_id}"' in text or f"'{check_id}'" in text:
            for module in re.findall(r"^from checkov\.([\w.]*base[\w.]*) import", text, re.M):
                base = site / (module.replace(".", "/") + ".py")
                if base.is_file():
                    text += "\n" + base.read_text()
            return text
    raise AssertionError(f"no check {check_id} in {site}")


@functools.lru_cache(maxsize=1)
def checkov_checks() -> tuple[dict, ...]:
    """Every terraform and arm check of the installed checkov: {id, framework, types, name}."""
    import json
    import subprocess

    executable = checkov_or_skip()
    python = executable.parent / "python"
    if not python.exists():
        pytest.skip(f"no Python interpreter next to {executable} to list checkov's checks with")
    script = Path(__file__).with_name("checkov_checks.py")
    out = subprocess.run([str(python), str(script)], capture_output=True, text=True, check=True, timeout=300)
    return tuple(json.loads(line) for line in out.stdout.splitlines() if line.strip())


def translated_types(plans) -> set[str]:
    """The Terraform and ARM resource types the scan's translation emits for `plans`."""
    from mlplat.scan.arm import ARM_TYPES
    from mlplat.scan.terraform import terraform_type

    types = set()
    for plan in plans:
        for r in plan.custom_resources():
            translated = ARM_TYPES[r.type].type if r.type in ARM_TYPES else terraform_type(r.type)
            if translated:
                types.add(translated)
    return types
