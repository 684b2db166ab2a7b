"""The offline plan: the real Pulumi program under Pulumi's mock runtime."""

from .model import Plan, PlannedResource
from .runner import plan_file, plan_stack

__all__ = ["Plan", "PlannedResource", "plan_file", "plan_stack"]
