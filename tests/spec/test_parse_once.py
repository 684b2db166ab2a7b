"""A command parses the spec once: the Pulumi program's parse of the same config JSON is answered from
the parse cache, while `pulumi up` (a fresh process) still parses it from config."""

from __future__ import annotations

import pytest

from components.spec import PlatformSpec, SpecError, parse_spec
from components.spec import parse_cache
from tests.support.plans import STACKS_DIR

RAW = {"name": "shop", "environment": "dev", "cloud": "aws", "region": "us-east-1",
       "finops": {"cost_center": "c", "owner": "o@example.com", "team": "t"}}


@pytest.fixture
def validations(monkeypatch):
    parse_cache.clear()
    calls = []
    original = PlatformSpec.model_validate.__func__

    def counting(cls, *args, **kwargs):
        calls.append(args[0].get("cloud") if args and isinstance(args[0], dict) else None)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(PlatformSpec, "model_validate", classmethod(counting))
    yield calls
    parse_cache.clear()


def test_a_plan_parses_the_spec_once(validations):
    from mlplat.offline_plan import plan_stack

    plan = plan_stack("aws-dev", STACKS_DIR, "gcp")
    assert plan.cloud == "gcp" and plan.resources
    assert validations == ["gcp"]


def test_the_same_input_is_parsed_once_and_each_caller_gets_its_own_copy(validations):
    first = parse_spec(dict(RAW), "a.yaml")
    second = parse_spec(dict(RAW), "b.yaml")
    assert len(validations) == 1
    assert first == second and first is not second
    second.endpoints.append(None)
    assert parse_spec(dict(RAW), "c.yaml").endpoints == []


def test_another_value_or_an_invalid_spec_is_parsed_afresh(validations):
    parse_spec(dict(RAW), "a.yaml")
    parse_spec({**RAW, "region": "us-west-2"}, "a.yaml")
    assert len(validations) == 2
    for _ in range(2):
        with pytest.raises(SpecError):
            parse_spec({**RAW, "region": "nowhere 1"}, "a.yaml")
    assert len(validations) == 4
