"""What a change to a stack does: plan two revisions, match resources by URN, classify create, delete,
update and replace, flag data-loss risk, and compare cost and policy results."""

from .report import DEFAULT_FAIL_ON, FAIL_ON_CHOICES, DiffReport, diff_plans
from .revision import RevisionError, file_at_revision

__all__ = ["DEFAULT_FAIL_ON", "FAIL_ON_CHOICES", "DiffReport", "RevisionError", "diff_plans", "file_at_revision"]
