"""The policy pack process stays light: it reads catalogue data (resource rows, prices, the component-to-
capability names) and never imports pydantic, the spec, the components' Pulumi classes or a cloud SDK, neither
when it starts nor while it analyses the reference stacks. `policy check` pays for every module the pack imports
on top of the plan, so one stray import of the spec costs every pull request (see docs/performance.md)."""

from __future__ import annotations

import re

from mlplat.policy_run import PolicyPackProcess
from mlplat.policy_run.results import run_policies
from tests.support.plans import reference_plan

HEAVY = [
    "pydantic",
    "components.spec",
    "components.contract",
    "components.capabilities",
    "components.component",
    "components.platform",
    "mlplat.offline_plan",
    "pulumi_aws",
    "pulumi_azure_native",
    "pulumi_gcp",
    "cli",
]
# `python -X importtime` (PYTHONPROFILEIMPORTTIME) writes one line per module the process imports, for its
# whole life: here the start and three analyses.
IMPORT_LINE = re.compile(r"^import time:\s+\d+\s+\|\s+\d+\s+\|\s*(\S+)\s*$", re.M)


def _is_heavy(module: str) -> bool:
    return any(module == h or module.startswith(h + ".") for h in HEAVY)


def test_the_pack_process_imports_no_pydantic_spec_or_cloud_sdk():
    pack = PolicyPackProcess(env={"PYTHONPROFILEIMPORTTIME": "1"}).start()
    try:
        for stack in ("aws-prod", "azure-prod", "gcp-prod"):
            report = run_policies(reference_plan(stack), pack)
            assert report.resources_checked > 50
        modules = IMPORT_LINE.findall(pack.stderr_text())
    finally:
        pack.close()
    # The probe saw the pack's own modules and the cost model the budget policy runs.
    assert {"budget_policy", "security", "mlplat.finops.estimate", "components.catalog.prices"} <= set(modules)
    assert sorted({m for m in modules if _is_heavy(m)}) == []


def test_the_pack_reads_the_same_capability_names_as_the_components():
    from components.capabilities import CAPABILITY_OF_COMPONENT
    from components.capability_names import CAPABILITY_OF_COMPONENT as NAMES

    assert NAMES == CAPABILITY_OF_COMPONENT
