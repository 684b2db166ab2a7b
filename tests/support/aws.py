"""Readers of AWS resources in offline plans."""

from __future__ import annotations

import json

from tests.support.plans import resources_of

OFFLINE_ACCOUNT = "123456789012"  # the account id the offline plan's mocks answer with
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def role_policy_statements(plan, name_suffix: str) -> list[dict]:
    """The statements of the one inline role policy whose logical name ends in `name_suffix`."""
    policies = [r for r in resources_of(plan, ROLE_POLICY) if r.name.endswith(name_suffix)]
    assert len(policies) == 1, [r.name for r in resources_of(plan, ROLE_POLICY)]
    policy = policies[0].inputs["policy"]
    return (json.loads(policy) if isinstance(policy, str) else policy)["Statement"]
