"""Policy results new and resolved by a change: the pack run over both plans, violations matched by
policy and resource URN."""

from __future__ import annotations


def _key(violation) -> tuple[str, str]:
    return violation.policy, violation.urn


def policy_delta(base_report, head_report) -> dict:
    before = {_key(v): v for v in base_report.violations} if base_report else {}
    after = {_key(v): v for v in head_report.violations}
    return {
        "new": [v for k, v in after.items() if k not in before],
        "resolved": [v for k, v in before.items() if k not in after],
        "passed": {"base": base_report.passed if base_report else None, "head": head_report.passed},
    }


def run_both(base_plan, head_plan, policy_config: dict | None = None, config_source: str = "policy config"):
    """(base report or None, head report): one pack process for both plans."""
    from mlplat.policy_run import PolicyPackProcess, run_policies

    with PolicyPackProcess() as pack:
        head = run_policies(head_plan, pack, policy_config, config_source)
        base = run_policies(base_plan, pack, policy_config, config_source) if base_plan else None
    return base, head
