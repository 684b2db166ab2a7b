"""Scan the offline plan with checkov: translate it (Terraform HCL for AWS/GCP, ARM for Azure), run checkov in
its own tool environment, and map the results back to the plan's resources and the stack file."""

from .run import CheckResult, ScanResult, scan_plans
from .tool import CHECKOV_VERSION, ScanToolError

__all__ = ["CHECKOV_VERSION", "CheckResult", "ScanResult", "ScanToolError", "scan_plans"]
