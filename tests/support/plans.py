"""The reference stacks and their offline plans (planned once per test process), and small readers and
writers of plans and stack files that tests share."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import pickle
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURES_DIR = ROOT / "tests" / "fixtures"
STACKS_DIR = ROOT / "stacks"
REFERENCE_STACKS = [f"{cloud}-{env}" for cloud in ("aws", "azure", "gcp") for env in ("dev", "prod")]
CLOUDS = ("aws", "azure", "gcp")


def rendering_id(stack: str, cloud: str) -> str:
    """A scenario name: the stack alone on its own cloud, `<stack>-on-<cloud>` rendered on another."""
    return stack if stack.startswith(f"{cloud}-") else f"{stack}-on-{cloud}"


# Every reference stack on its own cloud and rendered on the other two, as (stack, cloud) parameters.
RENDERINGS = [
    pytest.param(stack, cloud, id=rendering_id(stack, cloud)) for stack in REFERENCE_STACKS for cloud in CLOUDS
]
PLATFORM_KEY = "mlplat:platform"


@functools.lru_cache(maxsize=None)
def golden_count_phrase(stack: str, cloud: str) -> str:
    """The plan-size wording expected for a reference rendering, counted from its golden registrations
    (the engine's view), so a test of the wording does not pin a number that every new resource moves."""
    registrations = json.loads((ROOT / "tests" / "golden" / "plans" / f"{stack}.{cloud}.json").read_text())
    custom = sum(1 for r in registrations if r["custom"])
    components = len(registrations) - custom
    return f"{custom + components} resources ({custom} custom, {components} components)"


# (stack, cloud) -> (plan, fingerprint): each reference plan is planned once per test process and shared by
# every test that reads it, so a test must never change the plan it gets (checked at the end of the session).
_REFERENCE_PLANS: dict[tuple[str, str | None], tuple[object, str]] = {}


def _fingerprint(plan) -> str:
    return hashlib.sha256(pickle.dumps(plan)).hexdigest()


def reference_plan(stack: str, cloud: str | None = None):
    """The offline plan of `stacks/Pulumi.<stack>.yaml` (optionally rendered on `cloud`), planned once per
    test process. Shared: read it, never change it (copy.deepcopy first)."""
    key = (stack, cloud)
    if key not in _REFERENCE_PLANS:
        from mlplat.offline_plan import plan_stack

        plan = plan_stack(stack, STACKS_DIR, cloud)
        _REFERENCE_PLANS[key] = (plan, _fingerprint(plan))
    return _REFERENCE_PLANS[key][0]


def changed_reference_plans() -> list[str]:
    """The shared reference plans some test has changed since they were planned."""
    return [
        rendering_id(stack, cloud or stack.split("-")[0])
        for (stack, cloud), (plan, fingerprint) in _REFERENCE_PLANS.items()
        if _fingerprint(plan) != fingerprint
    ]


def all_reference_plans():
    """Every reference stack on its own cloud and on the other two: 18 plans."""
    return [reference_plan(stack, cloud) for stack in REFERENCE_STACKS for cloud in CLOUDS]


def spec_of(stack: str, cloud: str | None = None):
    """The validated spec of a reference stack (optionally rendered on `cloud`)."""
    from components.spec import load_stack

    return load_stack(stack, STACKS_DIR, cloud).spec


# -- reading plans ----------------------------------------------------------------------------------------

def resources_of(plan, type_token: str, capability: str | None = None, name_part: str = "") -> list:
    """The planned resources of `type_token`, optionally only those of one capability or whose logical
    name contains `name_part` (several capabilities use the same provider types)."""
    return [
        r for r in plan.by_type(type_token)
        if (capability is None or r.capability == capability) and name_part in r.name
    ]


def one_resource(plan, type_token: str, capability: str | None = None, name_part: str = ""):
    """The single planned resource `resources_of` finds; the assertion names the plan and what was found."""
    found = resources_of(plan, type_token, capability, name_part)
    assert len(found) == 1, (
        f"{plan.stack} on {plan.cloud}: expected one {type_token} {capability or ''} *{name_part}*, "
        f"found {[r.name for r in found]}"
    )
    return found[0]


def named(plan, suffix: str):
    """The single planned resource whose logical name ends in `suffix`."""
    found = [r for r in plan.resources if r.name.endswith(suffix)]
    assert len(found) == 1, f"{plan.stack} on {plan.cloud}: expected one resource named *{suffix}, found {len(found)}"
    return found[0]


# -- edited copies of the reference stacks ----------------------------------------------------------------

def stack_document(stack: str) -> dict:
    """A fresh copy of `stacks/Pulumi.<stack>.yaml` as a document the caller may edit."""
    return yaml.safe_load((STACKS_DIR / f"Pulumi.{stack}.yaml").read_text())


def platform_document(stack: str) -> dict:
    """A fresh copy of the platform spec (`mlplat:platform`) of a reference stack."""
    return copy.deepcopy(stack_document(stack)["config"][PLATFORM_KEY])


def write_stack(directory: Path, stack: str, edit=None, config: dict | None = None) -> Path:
    """Writes a copy of reference stack `stack` into `directory` (its platform spec passed to `edit`, its
    config updated with `config`) and returns the directory, ready for `plan_stack(stack, directory)`."""
    document = stack_document(stack)
    if edit is not None:
        edit(document["config"][PLATFORM_KEY])
    document["config"].update(config or {})
    (directory / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return directory


def write_spec(directory: Path, platform: dict, name: str = "spec") -> Path:
    """Writes a platform spec as a spec-only file `<name>.yaml` and returns its path."""
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(platform, sort_keys=False))
    return path


def plan_of_stack(directory: Path, stack: str, edit=None, config: dict | None = None):
    """The offline plan of reference stack `stack` edited as `write_stack` does."""
    from mlplat.offline_plan import plan_stack

    return plan_stack(stack, write_stack(directory, stack, edit, config))


def plan_of_spec(directory: Path, platform: dict, cloud: str | None = None, name: str = "spec"):
    """The offline plan of a platform spec written as `write_spec` does (optionally rendered on `cloud`)."""
    from mlplat.offline_plan import plan_file

    return plan_file(write_spec(directory, platform, name), cloud)
