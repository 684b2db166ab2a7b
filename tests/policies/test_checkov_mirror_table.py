"""docs/policies.md lists every relevant checkov check (a check of the pinned checkov whose resource type the
scan's translation emits for a reference plan), mirrored by which policy or not and why; the pack mirrors at
least 90% of them. The relevant list is recomputed from the installed checkov (SKIPPED, saying why, when it
cannot be installed) and the reference plans, so a new check or a new resource type shows up here."""

from __future__ import annotations

import re

from components.catalog import resources as catalogue
from policies.concern_rules import POLICY_OF_CONCERN
from tests.support.plans import REFERENCE_STACKS, ROOT, reference_plan
from tests.support.scan import checkov_checks, translated_types

MINIMUM_MIRRORED = 0.90
ROW = re.compile(r"^\| `(CKV2?_[A-Z]+_\d+)` \| ([^|]*) \| ([^|]*) \| ([^|]*) \|$")


def table() -> dict[str, tuple[set[str], str]]:
    """check -> (policies mirroring it, empty when not mirrored; the note or reason)."""
    text = (ROOT / "docs" / "policies.md").read_text()
    section = text.split('<a id="checkov-mirror"></a>', 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = ROW.match(line)
        if match:
            check, _, by, note = match.groups()
            assert check not in rows, f"{check} listed twice"
            rows[check] = (set(re.findall(r"`([a-z-]+)`", by)) if by.strip() != "not mirrored" else set(), note.strip())
    return rows


def catalogue_mirrors() -> dict[str, set[str]]:
    """check -> the policies whose concern mirrors it in the resource catalogue."""
    mirrors, covered = catalogue.all_mirrors()
    out: dict[str, set[str]] = {}
    for entry in (*mirrors, *covered):
        out.setdefault(entry.check, set()).add(POLICY_OF_CONCERN[entry.concern])
    return out


def test_the_table_says_what_the_catalogue_mirrors():
    rows, mirrored = table(), catalogue_mirrors()
    assert rows, "no mirrored-check table in docs/policies.md"
    for check, (policies, note) in rows.items():
        assert policies == mirrored.get(check, set()), f"{check}: the table says {policies or 'not mirrored'}"
        assert note, f"{check}: no note or reason"
    assert set(mirrored) <= set(rows), f"mirrored but not in the table: {sorted(set(mirrored) - set(rows))}"


def test_covered_checks_have_a_reader_for_their_concern():
    for entry in catalogue.all_mirrors()[1]:
        for token in entry.tokens:
            assert catalogue.reader(token, entry.concern), f"{entry.check}: {token} has no {entry.concern} reader"


def test_the_table_lists_exactly_the_relevant_checks_and_the_pack_mirrors_at_least_90_percent():
    types = translated_types([reference_plan(stack) for stack in REFERENCE_STACKS])
    relevant = {c["id"] for c in checkov_checks() if set(c["types"]) & types}
    rows = table()
    assert set(rows) == relevant, (f"missing from the table: {sorted(relevant - set(rows))}; "
                                   f"not relevant: {sorted(set(rows) - relevant)}")
    mirrored = {check for check, (policies, _) in rows.items() if policies}
    ratio = len(mirrored) / len(relevant)
    assert ratio >= MINIMUM_MIRRORED, f"the pack mirrors {len(mirrored)} of {len(relevant)} relevant checks ({ratio:.1%})"
    documented = re.search(r"\((\d+) of (\d+), ([\d.]+)%, today\)", (ROOT / "docs" / "policies.md").read_text())
    assert documented and (int(documented[1]), int(documented[2])) == (len(mirrored), len(relevant))
