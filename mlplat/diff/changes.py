"""Resource changes between two offline plans of one stack, matched by URN the way the engine matches
a program's registrations against the state: same URN = the same resource.

A changed resource is replaced when one of its changed inputs forces a new resource per the resource
catalogue (components/catalog/replacement.py); for types the catalogue does not cover the verdict is
"update" and the change is marked approximate. A replacement or deletion of a protected resource, or of
one that holds data, is a data-loss risk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from components.catalog.replacement import holds_data, replacing_inputs

CREATE, DELETE, UPDATE, REPLACE = "create", "delete", "update", "replace"
ORDER = (REPLACE, DELETE, CREATE, UPDATE)


@dataclass
class Change:
    action: str
    urn: str
    type: str
    name: str
    capability: str
    protect: bool = False  # protected in the base (delete/replace/update) or head (create)
    stateful: bool = False
    changed: list[str] = field(default_factory=list)  # input paths that differ (update/replace)
    replace_on: list[str] = field(default_factory=list)  # the changed paths that force replacement
    approximate: bool = False  # the type has no row in the replacement catalogue

    @property
    def data_loss(self) -> bool:
        return self.action in (DELETE, REPLACE) and (self.protect or self.stateful)

    def to_dict(self) -> dict:
        return {
            "action": self.action,
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "capability": self.capability,
            "protect": self.protect,
            "stateful": self.stateful,
            "dataLossRisk": self.data_loss,
            "changedInputs": self.changed,
            "replaceOn": self.replace_on,
            "approximate": self.approximate,
        }


def input_paths(before, after, prefix: str = "") -> list[str]:
    """The paths at which two JSON-like input values differ (`a.b`, `a[2].c`), leaves first-found order."""
    if isinstance(before, dict) and isinstance(after, dict):
        paths: list[str] = []
        for key in dict.fromkeys([*before, *after]):
            sub = f"{prefix}.{key}" if prefix else str(key)
            if key not in before or key not in after:
                paths.append(sub)
            else:
                paths += input_paths(before[key], after[key], sub)
        return paths
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        paths = []
        for index, (b, a) in enumerate(zip(before, after)):
            paths += input_paths(b, a, f"{prefix}[{index}]")
        return paths
    return [] if before == after else [prefix or "(value)"]


def alias_urns(resource) -> list[str]:
    """The URNs the engine would also accept as this resource's earlier identity: the program's aliases
    (`aliasURNs`, or alias specs: another name, type or parent), resolved the way the engine builds URNs."""
    urns = list(resource.options.get("aliasURNs") or [])
    head, qualified, name = resource.urn.rsplit("::", 2)
    chain = qualified.rsplit("$", 1)[0] + "$" if "$" in qualified else ""
    for alias in resource.options.get("aliases") or []:
        if alias.get("urn"):
            urns.append(alias["urn"])
        spec = alias.get("spec")
        if not isinstance(spec, dict):
            continue
        type_ = spec.get("type") or resource.type
        parent_chain = chain
        if spec.get("noParent"):
            parent_chain = ""
        elif spec.get("parentUrn"):
            parent_qualified = spec["parentUrn"].rsplit("::", 2)[1]
            parent_chain = "" if parent_qualified == "pulumi:pulumi:Stack" else parent_qualified + "$"
        urns.append(f"{head}::{parent_chain}{type_}::{spec.get('name') or name}")
    return [urn for urn in urns if urn != resource.urn]


def diff_resources(base, head) -> list[Change]:
    """Changes from plan `base` to plan `head` (custom resources only: components hold no cloud state)."""
    before = {r.urn: r for r in base.custom_resources()} if base else {}
    after = {r.urn: r for r in head.custom_resources()}
    earlier = {}  # base URN -> head URN of the same resource under an alias
    for urn, r in after.items():
        if urn not in before:
            earlier.update({alias: urn for alias in alias_urns(r) if alias in before and alias not in after})
    changes: list[Change] = []
    for urn, r in after.items():
        if urn not in before and urn not in earlier.values():
            changes.append(Change(CREATE, urn, r.type, r.name, r.capability, r.protect, holds_data(r.type, r.inputs)))
    for urn, old in before.items():
        new = after.get(earlier.get(urn, urn))
        if new is None:
            changes.append(Change(DELETE, urn, old.type, old.name, old.capability, old.protect,
                                  holds_data(old.type, old.inputs)))
            continue
        changed = input_paths(old.inputs, new.inputs)
        if old.type != new.type:
            changed.insert(0, "(type)")
        if old.protect != new.protect:
            changed.append("(protect)")
        if not changed:
            continue
        replacing = replacing_inputs(new.type, [p for p in changed if not p.startswith("(")])
        action = REPLACE if replacing or old.type != new.type else UPDATE
        changes.append(Change(action, urn, new.type, new.name, new.capability, old.protect or new.protect,
                              holds_data(new.type, new.inputs), changed, replacing or [], replacing is None))
    changes.sort(key=lambda c: (not c.data_loss, ORDER.index(c.action), c.capability, c.urn))
    return changes
