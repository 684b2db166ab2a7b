"""What a deployed stack and a user see of the reference stacks, captured as JSON documents.

- the registration stream of all 18 plans (six reference stacks, each on the three clouds): URN, type,
  name, parent, custom, protect, inputs and every other field of the engine request (aliases,
  dependencies, provider version, ignoreChanges...), in registration order;
- `mlplat policy check -f json` and `-f sarif` of the six stacks;
- `mlplat cost -f json` of the six stacks and `mlplat compare -f json` of the example spec.

`tests/golden/test_golden.py` compares the code against the files under `tests/golden/`. A change that
adds or changes resources on purpose re-baselines them in the same commit:

    uv run python -m tests.golden.capture
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
STACKS = ROOT / "stacks"
EXAMPLE = ROOT / "examples" / "fraud-ml.yaml"
REFERENCE_STACKS = [f"{cloud}-{env}" for cloud in ("aws", "azure", "gcp") for env in ("dev", "prod")]
CLOUDS = ("aws", "azure", "gcp")


def _first_of_this_month() -> str:
    import datetime

    return datetime.date.today().replace(day=1).isoformat() + "T00:00:00Z"


def _stable(value):
    """The document without what legitimately changes between runs: dependency sets are unordered (the
    engine waits for all of them) and budgets start on the first of the current month."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = _stable(item)
            if key in ("dependencies", "urns") and isinstance(item, list):
                item = sorted(item)
            out[key] = item
        return out
    if isinstance(value, list):
        return [_stable(item) for item in value]
    if value == _first_of_this_month():
        return "<first of the current month>"
    return value


def registrations(plan) -> list[dict]:
    return _stable([
        {"urn": r.urn, "type": r.type, "name": r.name, "parent": r.parent, "custom": r.custom,
         "protect": r.protect, "inputs": r.inputs, "options": r.options}
        for r in plan.resources
    ])


def policy_documents(plan, pack) -> tuple[dict, dict]:
    from mlplat.policy_run import run_policies
    from mlplat.policy_run.sarif import to_sarif

    report = run_policies(plan, pack)
    return report.to_dict(), to_sarif(report, ROOT)


def cost_document(plan) -> dict:
    from mlplat.finops.estimate import estimate_plan

    estimate = estimate_plan(plan)
    document = estimate.to_dict()
    document["stack"], document["source"] = plan.stack, plan.source
    document["budget"] = (plan.spec or {}).get("budget")
    document["usage_section"] = bool((plan.spec or {}).get("usage"))
    return document


def compare_document() -> dict:
    from mlplat.finops.compare import compare
    from mlplat.offline_plan import plan_file

    columns = compare(lambda cloud: plan_file(EXAMPLE, cloud))
    return {"source": "examples/fraud-ml.yaml", "clouds": [c.to_dict() for c in columns]}


def path_of(kind: str, name: str) -> Path:
    return GOLDEN / kind / f"{name}.json"


def dump(document) -> str:
    return json.dumps(document, indent=1, sort_keys=True, allow_nan=False) + "\n"


def capture() -> None:
    from mlplat.offline_plan import plan_stack
    from mlplat.policy_run import PolicyPackProcess

    for kind in ("plans", "policy", "sarif", "cost", "compare"):
        (GOLDEN / kind).mkdir(exist_ok=True)
    with PolicyPackProcess() as pack:
        for stack in REFERENCE_STACKS:
            for cloud in CLOUDS:
                plan = plan_stack(stack, STACKS, cloud)
                path_of("plans", f"{stack}.{cloud}").write_text(dump(registrations(plan)))
            plan = plan_stack(stack, STACKS)
            policy, sarif = policy_documents(plan, pack)
            path_of("policy", stack).write_text(dump(policy))
            path_of("sarif", stack).write_text(dump(sarif))
            path_of("cost", stack).write_text(dump(cost_document(plan)))
    path_of("compare", "fraud-ml").write_text(dump(compare_document()))


if __name__ == "__main__":
    capture()
    sys.exit(0)
