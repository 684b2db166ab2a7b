"""The diff of two plans of one stack: resource changes, cost difference, policy results; the exit
verdict a pull-request check takes from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .changes import CREATE, DELETE, ORDER, REPLACE, UPDATE, Change, diff_resources
from .costs import cost_delta

# What makes `mlplat diff` exit 1 (--fail-on); the default is the first two.
FAIL_PROTECTED = "protected"  # a protected resource is deleted or replaced
FAIL_MANDATORY = "mandatory"  # a mandatory policy violation the base did not have
FAIL_DATA_LOSS = "data-loss"  # any data-loss risk, protected or not (stricter, for dev stacks too)
FAIL_NEVER = "never"
FAIL_ON_CHOICES = (FAIL_PROTECTED, FAIL_MANDATORY, FAIL_DATA_LOSS, FAIL_NEVER)
DEFAULT_FAIL_ON = (FAIL_PROTECTED, FAIL_MANDATORY)


@dataclass
class DiffReport:
    stack: str
    cloud: str
    environment: str
    base: str  # what the base is: "REF:path" or a file
    head: str
    base_exists: bool = True
    changes: list[Change] = field(default_factory=list)
    cost: dict | None = None
    policies: dict | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def data_loss(self) -> list[Change]:
        return [c for c in self.changes if c.data_loss]

    def counts(self) -> dict[str, int]:
        return {action: sum(1 for c in self.changes if c.action == action) for action in ORDER}

    def capabilities(self) -> list[str]:
        return list(dict.fromkeys(c.capability for c in self.changes))

    def failures(self, fail_on=DEFAULT_FAIL_ON) -> list[str]:
        """Why the diff should fail the check (empty: it passes)."""
        reasons = []
        if FAIL_NEVER in fail_on:
            return reasons
        if FAIL_DATA_LOSS in fail_on:
            reasons += [f"{c.action} of {c.type} {c.name}: data-loss risk" for c in self.data_loss]
        elif FAIL_PROTECTED in fail_on:
            reasons += [f"{c.action} of protected {c.type} {c.name}" for c in self.data_loss if c.protect]
        if FAIL_MANDATORY in fail_on and self.policies:
            reasons += [f"new mandatory violation of {v.policy} on {v.resource_type} {v.resource_name}".rstrip()
                        for v in self.policies["new"] if v.enforcement_level in ("mandatory", "remediate")]
        return reasons

    def to_dict(self, fail_on=DEFAULT_FAIL_ON) -> dict:
        policies = None
        if self.policies is not None:
            policies = {
                "new": [v.to_dict() for v in self.policies["new"]],
                "resolved": [v.to_dict() for v in self.policies["resolved"]],
                "passed": self.policies["passed"],
            }
        return {
            "stack": self.stack,
            "cloud": self.cloud,
            "environment": self.environment,
            "base": self.base,
            "head": self.head,
            "baseExists": self.base_exists,
            "summary": {**self.counts(), "dataLossRisk": len(self.data_loss),
                        "approximate": sum(1 for c in self.changes if c.approximate)},
            "dataLossRisk": [c.to_dict() for c in self.data_loss],
            "changes": [c.to_dict() for c in self.changes],
            "cost": self.cost,
            "policies": policies,
            "failures": self.failures(fail_on),
            "notes": self.notes,
        }


def _estimate(plan, notes: list[str], label: str):
    from components.catalog.prices import CatalogError
    from mlplat.finops.estimate import EstimateError, estimate_plan

    try:
        estimate = estimate_plan(plan)
    except (EstimateError, CatalogError) as error:
        notes.append(f"{label}: no cost estimate: {error}")
        return None
    if not estimate.complete:
        notes.append(f"{label}: the cost estimate is incomplete (`mlplat cost` lists what is not priced)")
    return estimate


def diff_plans(base_plan, head_plan, base_label: str, head_label: str, policies: bool = True,
               policy_config: dict | None = None, config_source: str = "policy config") -> DiffReport:
    """Compare `base_plan` (None: the stack is new) with `head_plan`."""
    report = DiffReport(head_plan.stack, head_plan.cloud, head_plan.environment, base_label, head_label,
                        base_exists=base_plan is not None)
    if base_plan is not None and (base_plan.cloud, base_plan.stack) != (head_plan.cloud, head_plan.stack):
        report.notes.append(f"the base is {base_plan.stack} on {base_plan.cloud}: resources match by URN, so a "
                            "change of cloud or stack shows as delete-all and create-all")
    report.changes = diff_resources(base_plan, head_plan)
    head_estimate = _estimate(head_plan, report.notes, "work tree")
    base_estimate = _estimate(base_plan, report.notes, "base") if base_plan is not None else None
    if head_estimate is not None and (base_plan is None or base_estimate is not None):
        report.cost = cost_delta(base_estimate, head_estimate)
    if policies:
        from .policies import policy_delta, run_both

        report.policies = policy_delta(*run_both(base_plan, head_plan, policy_config, config_source))
    if any(c.approximate for c in report.changes):
        report.notes.append("approximate: some updated types have no row in the replacement catalogue "
                            "(components/catalog/replacement.py); `pulumi preview` may replace them")
    return report


__all__ = ["CREATE", "DELETE", "REPLACE", "UPDATE", "DiffReport", "diff_plans"]
