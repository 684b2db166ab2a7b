"""docs/policies.md lists every policy of the pack: one row of the policies table per policy, with the anchor
the SARIF rules link to (`helpUri` ends in `#<policy>`), the policy's default enforcement level and each of its
settings. `prodEnvironments`, shared by the prod-only policies, is described once above the table."""

from __future__ import annotations

import re

from tests.support.plans import ROOT

DOC = ROOT / "docs" / "policies.md"
ROW = re.compile(r'^\| <a id="(?P<anchor>[a-z0-9-]+)"></a>`(?P<name>[a-z0-9-]+)` \| (?P<level>[a-z]+) \| (?P<rest>.*)$')
SHARED_SETTINGS = {"prodEnvironments"}


def documented() -> dict[str, dict]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            assert match["anchor"] == match["name"], f"docs/policies.md: anchor {match['anchor']!r} on {match['name']!r}"
            assert match["name"] not in rows, f"docs/policies.md lists {match['name']!r} twice"
            rows[match["name"]] = {"level": match["level"], "text": match["rest"]}
    return rows


def test_every_policy_of_the_pack_is_documented_with_its_level_and_settings(pack):
    _, policies = pack.info()
    rows = documented()
    assert len(policies) > 20  # the pack answered with its policies
    missing = sorted(p.name for p in policies if p.name not in rows)
    assert not missing, f"docs/policies.md has no row for {missing}"
    stale = sorted(set(rows) - {p.name for p in policies})
    assert not stale, f"docs/policies.md lists policies the pack does not have: {stale}"
    for policy in policies:
        row = rows[policy.name]
        assert row["level"] == policy.enforcement_level, f"{policy.name}: documented {row['level']}"
        for setting in set(policy.config_schema) - SHARED_SETTINGS:
            assert f"`{setting}" in row["text"], f"{policy.name}: setting {setting!r} not in its row"


def test_shared_prod_setting_is_described():
    text = DOC.read_text(encoding="utf-8")
    assert all(f"`{setting}`" in text for setting in SHARED_SETTINGS)
