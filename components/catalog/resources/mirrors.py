"""The checkov checks the policy pack mirrors, per resource type: one `Mirror` per (check, types).

A mirror names the checkov check it reproduces, the policy concern that reports it (the pack's policy for
that concern runs it, see policies/concern_rules.py) and the test: a function of a `Subject` yielding
findings. Messages start with the check id (`CKV_AWS_79: ...`), so a finding names the check it mirrors and
the pack can apply the scan's skip list (mlplat/scan/skips.py) to it. `Covered` declares a check that an
existing reader of a row already reproduces (the concern's reader on those types).

The builders below cover the common shape of a check (one attribute, compared); anything else is a small
function in the cloud's `*_mirrors.py`. Values computed during `pulumi preview` (unknown) are never findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from . import Subject
from .props import get, is_known, lower, truthy

Test = Callable[[Subject], Iterable[Any]]


@dataclass(frozen=True)
class Mirror:
    check: str  # the checkov check id mirrored
    concern: str  # the policy concern reporting it
    tokens: tuple[str, ...]  # the Pulumi type tokens it reads
    test: Test

    def findings(self, subject: Subject) -> list:
        out = []
        for finding in self.test(subject):
            message, urn = finding if isinstance(finding, tuple) else (finding, None)
            out.append((f"{self.check}: {message}", urn) if urn else f"{self.check}: {message}")
        return out


@dataclass(frozen=True)
class Covered:
    """A check reproduced by the `concern` reader of the rows of `tokens` (a reader older than this table)."""

    check: str
    concern: str
    tokens: tuple[str, ...]


def _tokens(tokens: str | tuple[str, ...]) -> tuple[str, ...]:
    return (tokens,) if isinstance(tokens, str) else tuple(tokens)


def mirror(check: str, concern: str, tokens: str | tuple[str, ...], test: Test) -> Mirror:
    return Mirror(check, concern, _tokens(tokens), test)


def covered(check: str, concern: str, tokens: str | tuple[str, ...]) -> Covered:
    return Covered(check, concern, _tokens(tokens))


# -- builders: a test from one attribute -------------------------------------------------------------------
# Each builder's test carries `example = (path, compliant value, violating value)` (MISSING: the attribute
# absent), from which tests/policies/test_checkov_mirrors.py builds the two cases of the mirror.

MISSING = object()
_OTHER = "something-else"


def _with_example(test: Test, path: str, good: Any, bad: Any) -> Test:
    test.example = (path, good, bad)  # type: ignore[attr-defined]
    return test


def require(path: str, ok: Callable[[Any], bool], message: str, missing_ok: bool = False,
            example: tuple[Any, Any] | None = None) -> Test:
    """A finding when the value at `path` is absent (unless `missing_ok`: the cloud's default is the
    secure one, as the check treats it) or fails `ok`. `example`: (compliant, violating) values."""

    def test(s: Subject):
        value = get(s.props, path)
        if not is_known(value):
            return
        if value is None or value == "":
            if not missing_ok:
                yield message
        elif not ok(value):
            yield message

    return _with_example(test, path, *example) if example else test


def equals(path: str, expected: Any, message: str, missing_ok: bool = False) -> Test:
    want = expected.lower() if isinstance(expected, str) else expected
    bad = (not expected) if isinstance(expected, bool) else _OTHER
    return require(path, lambda v: (lower(v) if isinstance(v, str) else v) == want, message, missing_ok,
                   example=(expected, bad))


def one_of(path: str, allowed: Iterable[str], message: str, missing_ok: bool = False) -> Test:
    allowed = tuple(allowed)
    allowed_lower = {a.lower() for a in allowed}
    return require(path, lambda v: lower(v) in allowed_lower, message, missing_ok, example=(allowed[0], _OTHER))


def is_true(path: str, message: str, missing_ok: bool = False) -> Test:
    return require(path, truthy, message, missing_ok, example=(True, False))


def not_true(path: str, message: str) -> Test:
    """A finding only when the value is explicitly true (absent: the secure default)."""
    return require(path, lambda v: not truthy(v), message, missing_ok=True, example=(False, True))


def not_false(path: str, message: str) -> Test:
    """A finding only when the value is explicitly false (absent: the secure default, true)."""
    return require(path, lambda v: not (v is False or lower(v) == "false"), message, missing_ok=True,
                   example=(True, False))


def present(path: str, message: str) -> Test:
    return require(path, lambda v: True, message, example=("set", MISSING))


def at_least(path: str, minimum: float, message: str, missing_ok: bool = False) -> Test:
    return require(path, lambda v: isinstance(v, (int, float)) and v >= minimum, message, missing_ok,
                   example=(minimum, minimum - 1))
