"""`mlplat plan --format mermaid|dot`: a readable picture of the stack. The Mermaid text is checked
against the grammar subset it uses (always) and by Mermaid's own parser when node and the npm package
are available (tests/support/mermaid.py)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from cli.app import app
from mlplat.offline_plan.diagram import build_diagram, to_dot, to_mermaid
from tests.support.mermaid import check_flowchart_subset, mermaid_parse_errors, mermaid_parser
from tests.support.plans import REFERENCE_STACKS, reference_plan

runner = CliRunner()


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_mermaid_uses_only_the_flowchart_subset(stack):
    check_flowchart_subset(to_mermaid(reference_plan(stack)))


@pytest.mark.parametrize("stack", ["aws-prod", "azure-prod", "gcp-prod"])
def test_prod_pictures_stay_readable(stack):
    plan = reference_plan(stack)
    diagram = build_diagram(plan)
    nodes = [n for group in diagram.groups.values() for n in group]
    assert len(nodes) <= 60 < len(plan.custom_resources()) + 10
    assert len(diagram.edges) + len(diagram.group_edges) <= 90
    assert sum(n.count for n in nodes) + sum(n.settings for n in nodes) == len(plan.custom_resources())
    assert list(diagram.groups) == list(dict.fromkeys(r.capability for r in plan.custom_resources()))


def test_azure_private_dns_zones_and_role_assignments_are_counted_nodes():
    diagram = build_diagram(reference_plan("azure-prod"))
    base = {n.kind: n for n in diagram.groups["base"]}
    assert base["PrivateZone"].label.startswith("×") and base["PrivateZone"].count >= 3
    assert base["RoleAssignment"].count >= 3


def test_the_main_dependencies_are_arrows():
    plan = reference_plan("aws-prod")
    diagram = build_diagram(plan)
    nodes = {n.id: n for group in diagram.groups.values() for n in group}
    arrows = {(nodes[a].kind, nodes[b].kind) for a, b in diagram.edges}
    assert ("Endpoint", "EndpointConfiguration") in arrows and ("EndpointConfiguration", "Model") in arrows
    key = next(n.id for n in diagram.groups["base"] if n.kind == "Key")
    assert {c for c, target in diagram.group_edges if target == key} >= {"feature_store", "vector_search"}
    protected = [n for n in nodes.values() if n.protect]
    assert protected and f"class {','.join(n.id for n in protected)} protected" in to_mermaid(plan)


def test_dot_is_balanced_and_names_every_node():
    text = to_dot(reference_plan("gcp-prod"))
    assert text.startswith("digraph plan {") and text.count("{") == text.count("}")
    diagram = build_diagram(reference_plan("gcp-prod"))
    for group in diagram.groups.values():
        for node in group:
            assert re.search(rf"^\s+{node.id} \[label=", text, re.M)


def test_plan_command_prints_the_formats():
    result = runner.invoke(app, ["plan", "--stack", "aws-dev", "--format", "mermaid"])
    assert result.exit_code == 0 and "flowchart LR" in result.stdout
    check_flowchart_subset(result.stdout)
    result = runner.invoke(app, ["plan", "--stack", "aws-dev", "-f", "dot"])
    assert result.exit_code == 0 and result.stdout.startswith("digraph")


def test_mermaid_parser_accepts_the_prod_pictures():
    parser = mermaid_parser()
    if parser is None:
        pytest.skip("Mermaid's parser is not available: needs node and `npm install mermaid jsdom` in "
                    "$MLPLAT_MERMAID_DIR (see docs/pull-requests.md)")
    texts = [to_mermaid(reference_plan(stack)) for stack in ("aws-prod", "azure-prod", "gcp-prod")]
    assert mermaid_parse_errors(parser, texts) == [None, None, None]
    assert mermaid_parse_errors(parser, ["flowchart LR\n  a[\"x\" --> b\n"])[0]  # the parser does reject


# What the endpoint's model is pulled from and what the index is built from, per cloud: (reader, target) kinds.
RUN_TIME_USES = {
    "aws-prod": {("Model", "ModelPackageGroup"), ("ServerlessCollection", "Bucket")},
    "azure-prod": {("OnlineDeployment", "Registry"), ("Service", "BlobContainer")},
    "gcp-prod": {("AiEndpoint", "Repository"), ("AiIndex", "Bucket")},
}


@pytest.mark.parametrize("stack", sorted(RUN_TIME_USES))
def test_models_read_the_registry_and_indexes_the_documents(stack):
    diagram = build_diagram(reference_plan(stack))
    nodes = {n.id: (capability, n) for capability, group in diagram.groups.items() for n in group}
    reads = {(nodes[a][1].kind, nodes[b][1].kind) for a, b in diagram.reads}
    assert reads >= RUN_TIME_USES[stack]
    for a, b in diagram.reads:
        assert nodes[b][0] in ("registry", "vector_search") and (a, b) not in diagram.edges
    assert sum(f" -. reads .-> " in line for line in to_mermaid(reference_plan(stack)).splitlines()) == len(
        diagram.reads)
    assert to_dot(reference_plan(stack)).count('[style=dotted, label="reads"]') == len(diagram.reads)
