"""The offline plan: the real Pulumi program under Pulumi's mock runtime."""

from .model import Plan, PlannedResource
from .runner import PlanError, plan_file, plan_stack

__all__ = ["Plan", "PlanError", "PlannedResource", "plan_file", "plan_stack"]
