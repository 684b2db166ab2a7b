"""A deployed stack sees no diff: the engine registrations of the 18 reference plans, the policy results
(JSON and SARIF) and the cost and compare figures equal the captured documents under tests/golden/.

A change that means to add or change resources re-baselines them in the same commit
(`uv run python -m tests.golden.capture`); a URN that disappears from a plan must be a replacement the
change states, never a side effect of a refactor."""

from __future__ import annotations

import json
import re

import pytest

from . import capture


# Documents name stack files by absolute path: compare them from the checkout root on, so that the
# documents captured in one checkout hold in every other one.
_CHECKOUT_PATH = re.compile(r'"[^"]*/(stacks/Pulumi\.[^"/]+\.yaml)"')
_CHECKOUT_URI = re.compile(r'"file:///[^"]*/"')  # SARIF's %SRCROOT%


def _from_root(text: str):
    return json.loads(_CHECKOUT_URI.sub('"file:///checkout/"', _CHECKOUT_PATH.sub(r'"\1"', text)))


def _load(kind: str, name: str):
    return _from_root(capture.path_of(kind, name).read_text())


def _assert_same(kind: str, name: str, actual) -> None:
    expected = _load(kind, name)
    actual = _from_root(capture.dump(actual))
    if actual == expected:
        return
    if kind == "plans":
        before = {r["urn"]: r for r in expected}
        after = {r["urn"]: r for r in actual}
        gone, new = sorted(set(before) - set(after)), sorted(set(after) - set(before))
        changed = [urn for urn in before if urn in after and before[urn] != after[urn]]
        detail = {"URNs gone": gone[:5], "URNs new": new[:5], "changed": changed[:5]}
        if changed:
            urn = changed[0]
            detail["first change"] = {
                key: {"golden": before[urn][key], "now": after[urn][key]}
                for key in before[urn] if before[urn][key] != after[urn].get(key)
            }
        if not (gone or new or changed):
            detail["order"] = "same registrations in another order"
        pytest.fail(f"{kind}/{name}: {json.dumps(detail, indent=1)[:4000]}")
    pytest.fail(f"{kind}/{name} differs from the golden document (re-run `python -m tests.golden.capture` "
                "only if the change means it)")


@pytest.mark.parametrize("stack", capture.REFERENCE_STACKS)
@pytest.mark.parametrize("cloud", capture.CLOUDS)
def test_plan_registrations_are_unchanged(plan_of, stack, cloud):
    _assert_same("plans", f"{stack}.{cloud}", capture.registrations(plan_of(stack, cloud)))


@pytest.fixture(scope="module")
def pack():
    from mlplat.policy_run import PolicyPackProcess

    with PolicyPackProcess() as running:
        yield running


@pytest.mark.parametrize("stack", capture.REFERENCE_STACKS)
def test_policy_results_are_unchanged(plan_of, pack, stack):
    policy, sarif = capture.policy_documents(plan_of(stack), pack)
    _assert_same("policy", stack, policy)
    _assert_same("sarif", stack, sarif)


@pytest.mark.parametrize("stack", capture.REFERENCE_STACKS)
def test_cost_figures_are_unchanged(plan_of, stack):
    _assert_same("cost", stack, capture.cost_document(plan_of(stack)))


def test_compare_figures_are_unchanged():
    _assert_same("compare", "fraud-ml", capture.compare_document())
