"""The plan as a picture: Mermaid (GitHub renders it in comments and Markdown) or Graphviz DOT.

One box per capability holding its resources; a resource that only configures one other resource of its
capability and that nothing needs (bucket versioning, public access block, a lifecycle policy; an untagged
child of the resource it configures, such as a role's inline policy or a bucket's encryption with the
platform key) is folded into that resource's node as "+N settings", its arrows drawn from that node;
repetitive children (two or more of one type in one capability: private DNS zones, role assignments,
alarms...) collapse into one counted node. Arrows point
from a resource to what it needs (endpoint -> model -> registry, index -> documents bucket). A resource
that several capabilities need (the key, the network) gets one arrow per capability box instead of one
per resource, and arrows implied by a longer path are left out, so a prod stack stays readable.

Some uses appear in no input: an endpoint's model is pulled from the registry, an index is built from the
documents store. The resource catalogue names them per type (`reads`); they are drawn as dotted "reads"
arrows, apart from the dependencies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from components.catalog.resources import lookup

from .model import Plan

COLLAPSE_AT = 2  # this many resources of one type in one capability become one counted node


@dataclass
class Node:
    id: str
    kind: str  # the type's last segment (FeatureGroup)
    label: str  # the resource name, or "×N"
    protect: bool = False
    count: int = 1
    settings: int = 0  # resources folded into this one


@dataclass
class Diagram:
    title: str
    groups: dict[str, list[Node]] = field(default_factory=dict)  # capability -> nodes
    edges: list[tuple[str, str]] = field(default_factory=list)  # node -> node it needs
    group_edges: list[tuple[str, str]] = field(default_factory=list)  # capability -> shared node it needs
    reads: list[tuple[str, str]] = field(default_factory=list)  # node -> node it uses at run time (catalogue)


def group_id(capability: str) -> str:
    return "cap_" + "".join(ch if ch.isalnum() else "_" for ch in capability)


LABEL_INPUTS = ("tags", "labels", "resourceLabels")


def _tagged(resource) -> bool:
    """Whether the resource carries tags or labels (its own, or its nodes' one level down, as a node pool's
    `nodeConfig`): a thing of its own, not a setting of another."""
    inputs = resource.inputs or {}
    levels = [inputs, *(v for v in inputs.values() if isinstance(v, dict))]
    return any(level.get(key) for level in levels for key in LABEL_INPUTS)


def _folded(resources) -> dict[str, str]:
    """urn -> the urn of the resource it only configures (see the module docstring)."""
    by_urn = {r.urn: r for r in resources}
    needed = {d for r in resources for d in r.dependencies}
    folded = {}
    for r in resources:
        own = {d for d in r.dependencies if d in by_urn and by_urn[d].capability == r.capability}
        if r.urn in needed:
            continue
        if r.parent in own and not _tagged(r):
            folded[r.urn] = r.parent
        elif len(own) == 1:
            folded[r.urn] = own.pop()
    return {urn: target for urn, target in folded.items() if target not in folded}


def build_diagram(plan: Plan) -> Diagram:
    every = plan.custom_resources()
    folded = _folded(every)
    resources = [r for r in every if r.urn not in folded]
    diagram = Diagram(f"{plan.stack} ({plan.cloud}, {plan.environment})")
    node_of: dict[str, Node] = {}
    capability_of: dict[str, str] = {}
    for capability in dict.fromkeys(r.capability for r in resources):
        members = [r for r in resources if r.capability == capability]
        nodes = diagram.groups.setdefault(capability, [])
        for type_token in dict.fromkeys(r.type for r in members):
            same = [r for r in members if r.type == type_token]
            kind = type_token.split(":")[-1]
            if len(same) >= COLLAPSE_AT:
                collapsed = [Node(f"n{len(node_of)}", kind, f"×{len(same)}", any(r.protect for r in same), len(same))]
            else:
                collapsed = [Node(f"n{len(node_of) + i}", kind, r.name, r.protect) for i, r in enumerate(same)]
            nodes += collapsed
            for i, r in enumerate(same):
                node_of[r.urn] = collapsed[min(i, len(collapsed) - 1)]
                capability_of[collapsed[min(i, len(collapsed) - 1)].id] = capability
    for target in folded.values():
        node_of[target].settings += 1
    needs: dict[str, set[str]] = {}
    for r in every:  # a folded resource's arrows are its node's
        source = node_of[folded.get(r.urn, r.urn)].id
        for dependency in r.dependencies:
            target = node_of.get(dependency)
            if target is not None and target.id != source:
                needs.setdefault(source, set()).add(target.id)
    # a node needed from two or more other capabilities is shared: one arrow per capability box
    needed_from: dict[str, set[str]] = {}
    for source, targets in needs.items():
        for target in targets:
            if capability_of[source] != capability_of[target]:
                needed_from.setdefault(target, set()).add(capability_of[source])
    shared = {target for target, capabilities in needed_from.items() if len(capabilities) >= 2}
    group_edges = set()
    for source, targets in needs.items():
        for target in sorted(targets & shared):
            if capability_of[source] != capability_of[target]:
                group_edges.add((capability_of[source], target))
        needs[source] = {t for t in targets if t not in shared or capability_of[source] == capability_of[t]}
    diagram.edges = sorted(_reduced(needs), key=lambda e: (int(e[0][1:]), int(e[1][1:])))
    diagram.group_edges = sorted(group_edges)
    diagram.reads = _reads(every, node_of, folded, set(diagram.edges))
    return diagram


def _reads(resources, node_of: dict[str, Node], folded: dict[str, str], drawn: set) -> list[tuple[str, str]]:
    """The catalogue's run-time uses between the plan's resources, node to node, leaving out those already
    drawn as a dependency."""
    by_place: dict[tuple[str, str], list[str]] = {}
    for r in resources:
        by_place.setdefault((r.capability, r.type), []).append(node_of[folded.get(r.urn, r.urn)].id)
    found = set()
    for r in resources:
        entry = lookup(r.type, r.inputs)
        source = node_of[folded.get(r.urn, r.urn)].id
        for place in entry.reads if entry else ():
            found |= {(source, target) for target in by_place.get(place, ()) if target != source}
    return sorted(found - drawn, key=lambda e: (int(e[0][1:]), int(e[1][1:])))


def _reduced(needs: dict[str, set[str]]) -> list[tuple[str, str]]:
    """The edges not implied by a longer path (a transitive reduction of the dependency graph)."""
    def reachable(start: str, skip: tuple[str, str]) -> set[str]:
        seen, stack = set(), [start]
        while stack:
            node = stack.pop()
            for nxt in needs.get(node, ()):
                if (node, nxt) != skip and nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    return [(a, b) for a, targets in needs.items() for b in targets if b not in reachable(a, (a, b))]


def _settings(node: Node, newline: str) -> str:
    return f"{newline}+{node.settings} settings" if node.settings else ""


def _text(value: str) -> str:
    return value.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def to_mermaid(plan: Plan) -> str:
    diagram = build_diagram(plan)
    lines = ["---", f"title: {_text(diagram.title)}", "---", "flowchart LR"]
    protected = []
    for capability, nodes in diagram.groups.items():
        lines.append(f'  subgraph {group_id(capability)}["{_text(capability)}"]')
        for node in nodes:
            lines.append(f'    {node.id}["{_text(node.kind)}<br/>{_text(node.label)}{_settings(node, "<br/>")}"]')
            if node.protect:
                protected.append(node.id)
        lines.append("  end")
    lines += [f"  {a} --> {b}" for a, b in diagram.edges]
    lines += [f"  {group_id(capability)} -.-> {b}" for capability, b in diagram.group_edges]
    lines += [f"  {a} -. reads .-> {b}" for a, b in diagram.reads]
    lines.append("  classDef protected stroke-width:3px,stroke:#b60205")
    if protected:
        lines.append(f"  class {','.join(protected)} protected")
    return "\n".join(lines) + "\n"


DOT_NEWLINE = "\\n"  # a line break inside a DOT label


def _dot_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(plan: Plan) -> str:
    diagram = build_diagram(plan)
    lines = ["digraph plan {", f'  label="{_dot_text(diagram.title)}";', "  labelloc=t;", "  rankdir=LR;",
             "  compound=true;", '  node [shape=box, fontname="Helvetica"];']
    first: dict[str, str] = {}
    for capability, nodes in diagram.groups.items():
        lines.append(f'  subgraph cluster_{group_id(capability)} {{')
        lines.append(f'    label="{_dot_text(capability)}";')
        for node in nodes:
            style = ", penwidth=3, color=\"#b60205\"" if node.protect else ""
            lines.append(f'    {node.id} [label="{_dot_text(node.kind)}\\n{_dot_text(node.label)}{_settings(node, DOT_NEWLINE)}"{style}];')
        first[capability] = nodes[0].id
        lines.append("  }")
    lines += [f"  {a} -> {b};" for a, b in diagram.edges]
    lines += [f"  {first[c]} -> {b} [ltail=cluster_{group_id(c)}, style=dashed];" for c, b in diagram.group_edges]
    lines += [f'  {a} -> {b} [style=dotted, label="reads"];' for a, b in diagram.reads]
    lines.append("}")
    return "\n".join(lines) + "\n"


DRAW = {"mermaid": to_mermaid, "dot": to_dot}  # `mlplat plan --format` -> drawing function
