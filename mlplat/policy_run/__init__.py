"""Run the mlplat policy pack against an offline plan, the way the Pulumi CLI runs a policy pack."""

from .analyzer_client import PACK_DIR, PolicyPackProcess, PolicyRunError
from .results import PolicyReport, Violation, run_policies

__all__ = ["PACK_DIR", "PolicyPackProcess", "PolicyReport", "PolicyRunError", "Violation", "run_policies"]
