"""Resolvers in mlplat/finops/sku.py and its pricing rules (pricing_rules.py): no charge is dropped on the way
to the estimate, always-on floors (Batch minVcpus, GKE total minimum) are priced, Azure deployments are scaled
by their share of the endpoint's traffic."""

from __future__ import annotations

import math

import pytest

from mlplat.finops.estimate import annotate, estimate, estimate_plan, usage_of
from mlplat.finops.sku import Charge, Resource, classify, is_billable_record
from components.catalog import gpus
from components.catalog.prices import load_catalog
from tests.support.plans import REFERENCE_STACKS, ROOT, reference_plan

HOURS = 730


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def run(resources, cloud="aws", region="us-east-1", usage=None, spec=None):
    return estimate(annotate(resources), cloud, region, usage_of(None, usage), spec)


def test_unknown_charge_kind_is_an_error(monkeypatch):
    with pytest.raises(ValueError, match="kind 'bogus'"):
        Charge("vpc/nat-gateway", 730.0, "bogus")  # e.g. a basis passed positionally
    from mlplat.finops import sku

    charge = Charge("s3/standard-storage", kind="usage", driver="nobody-knows")
    from mlplat.finops import estimate as estimate_module

    monkeypatch.setattr(estimate_module, "classify", lambda r: sku.Resolution("priced", [charge]))
    with pytest.raises(ValueError, match="nobody-knows"):
        estimate([Resource("urn:x", "test:custom:Thing", "x", {})], "aws", "us-east-1", usage_of(None))


@pytest.mark.parametrize("type_,inputs,sku,count", [
    ("aws:ec2/natGateway:NatGateway", {}, "vpc/nat-gateway", 1),
    ("aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint", {"subnetIds": ["a", "b", "c"]},
     "vpc/interface-endpoint-az", 3),
])
def test_hourly_resources_are_priced(catalog, type_, inputs, sku, count):
    result = run([Resource("urn:r", type_, "r", inputs)])
    price = catalog.get("aws", "us-east-1", sku).on_demand_usd
    assert result.total("idle") == pytest.approx(count * HOURS * price)


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_every_idle_charge_reaches_the_estimate(catalog, stack):
    """Per resource without endpoint charges: its idle lines are exactly its idle charges x catalog price."""
    plan = reference_plan(stack)
    result = estimate_plan(plan)
    resources = annotate([Resource(r.urn, r.type, r.name, r.inputs or {}, r.capability, r.parent, custom=r.custom)
                          for r in plan.resources])
    checked = 0
    for r in resources:
        if not is_billable_record(r):
            continue
        resolution = classify(r)
        if resolution.status != "priced" or any(c.kind == "endpoint" for c in resolution.charges):
            continue
        expected = 0.0
        for c in resolution.charges:
            if c.kind == "idle":
                row = catalog.get(plan.cloud, plan.spec["region"], c.sku)
                price = row.spot_usd if c.spot and row.spot_usd is not None else row.on_demand_usd
                expected += c.quantity * price
        got = sum(l.monthly_usd for l in result.lines if l.resource == r.name and l.type == r.type and l.kind == "idle")
        assert got == pytest.approx(expected), (r.type, r.name)
        checked += 1
    assert checked >= 3


def test_batch_min_vcpus_keeps_instances_running(catalog):
    shape = gpus.shape_for("aws", "a100", 8)
    resource = Resource("urn:ce", "aws:batch/computeEnvironment:ComputeEnvironment", "ce", {"computeResources": {
        "type": "SPOT", "instanceTypes": [shape.instance_type], "minVcpus": shape.vcpus + 1}})
    result = run([resource])
    row = catalog.get("aws", "us-east-1", f"ec2/{shape.instance_type}")
    instances = math.ceil((shape.vcpus + 1) / shape.vcpus)
    assert instances == 2
    assert result.total("idle") == pytest.approx(instances * HOURS * row.spot_usd)
    unknown = Resource("urn:ce2", "aws:batch/computeEnvironment:ComputeEnvironment", "ce2", {"computeResources": {
        "type": "EC2", "instanceTypes": ["c7i.large"], "minVcpus": 2}})
    result = run([unknown])
    assert any("minVcpus 2" in u["note"] for u in result.unpriced) and not result.complete


def test_gke_pool_floor_is_total_min_node_count(catalog):
    pool = Resource("urn:np", "gcp:container/nodePool:NodePool", "np", {
        "nodeConfig": {"machineType": "e2-standard-4"},
        "autoscaling": {"totalMinNodeCount": 3, "totalMaxNodeCount": 6}})
    result = run([pool], "gcp", "us-central1")
    row = catalog.get("gcp", "us-central1", "compute/e2-standard-4")
    assert row is not None
    assert result.total("idle") == pytest.approx(3 * HOURS * row.on_demand_usd)
    per_zone = Resource("urn:np2", "gcp:container/nodePool:NodePool", "np2", {
        "nodeConfig": {"machineType": "e2-standard-4"}, "nodeLocations": ["a", "b"],
        "autoscaling": {"minNodeCount": 1, "maxNodeCount": 2}})
    assert run([per_zone], "gcp", "us-central1").total("idle") == pytest.approx(2 * HOURS * row.on_demand_usd)


def test_azure_deployments_scale_with_their_traffic_share(catalog):
    vm = gpus.cpu_shape_details("azure").instance_type
    endpoint = Resource("urn:ep", "azure-native:machinelearningservices:OnlineEndpoint", "scorer-ep",
                        {"properties": {"traffic": {"blue": 90, "green": 10}}})
    component = Resource("urn:c", "mlplat:azure:Endpoint", "scorer", {}, custom=False)
    endpoint.parent = "urn:c"
    deployments = [
        Resource(f"urn:{name}", "azure-native:machinelearningservices:OnlineDeployment", f"fraud-scorer-{name}",
                 {"deploymentName": name, "sku": {"capacity": 1}, "properties": {"instanceType": vm}}, parent="urn:ep")
        for name in ("blue", "green")
    ]
    spec = {"endpoints": [{"name": "scorer", "min_replicas": 1, "max_replicas": 10}]}
    result = run([component, endpoint, *deployments], "azure", "eastus",
                 {"endpoint_requests_per_second": {"scorer": 100}, "requests_per_replica_per_second": 10}, spec)
    price = catalog.get("azure", "eastus", f"vm/{vm}").on_demand_usd
    assert result.total("idle") == pytest.approx(2 * HOURS * price)  # each deployment keeps its minimum
    usage = {l.resource: l.quantity for l in result.lines if l.kind == "usage"}
    assert usage["fraud-scorer-blue"] == pytest.approx((9 - 1) * HOURS)  # 90 rps / 10 = 9 replicas
    assert "fraud-scorer-green" not in usage or usage["fraud-scorer-green"] == pytest.approx(0)


def test_azure_traffic_split_from_the_traffic_setter():
    """The example's endpoint splits 90/10 through mlplat's dynamic traffic setter (free); the canary
    deployment is scaled for its 10% only."""
    from pathlib import Path

    from mlplat.offline_plan import plan_file

    plan = plan_file(ROOT / "examples" / "fraud-ml.yaml", "azure")
    result = estimate_plan(plan)
    assert "pulumi-python:dynamic:Resource" in {f["type"] for f in result.free}
    deployments = [l for l in result.lines if l.type == "azure-native:machinelearningservices:OnlineDeployment"]
    shares = {l.resource: l.basis for l in deployments if l.kind == "usage"}
    assert any("90% traffic share" in b for b in shares.values())
    assert not any("100%" in b for b in shares.values())
