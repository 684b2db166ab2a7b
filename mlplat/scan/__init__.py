"""Scan the offline plan with checkov: translate it (Terraform HCL for AWS/GCP, ARM for Azure), run checkov in
its own tool environment, and map the results back to the plan's resources and the stack file.

The names below load on first use, so the policy pack can read the skip list (`mlplat.scan.skips`) without
loading the translation and the tool runner."""

from importlib import import_module

_EXPORTS = {"CheckResult": ".run", "ScanResult": ".run", "scan_plans": ".run", "CHECKOV_VERSION": ".tool",
            "ScanToolError": ".tool"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
