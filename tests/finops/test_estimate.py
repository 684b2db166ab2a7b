"""FinOps cost model: hand-computed estimates from catalog rows, coverage of every reference plan,
budgets and use-case tags in every reference plan, agreement with the GPU catalog."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.app import app
from mlplat.finops.estimate import EstimateError, estimate, estimate_plan, usage_of
from mlplat.finops.sku import Resource
from mlplat.offline_plan import plan_file, plan_stack
from components.catalog.prices import CatalogError, load_catalog, parse_rows
from tests.support.plans import ROOT

STACKS = ROOT / "stacks"
REFERENCE = ["aws-dev", "aws-prod", "azure-dev", "azure-prod", "gcp-dev", "gcp-prod"]
HOURS = 730
BUDGET_TYPES = {"aws": "aws:budgets/budget:Budget", "azure": "azure-native:consumption:Budget", "gcp": "gcp:billing/budget:Budget"}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def plans():
    result = {}
    for stack in REFERENCE:
        for cloud in ("aws", "azure", "gcp"):
            result[(stack, cloud)] = plan_stack(stack, STACKS, None if stack.startswith(cloud) else cloud)
    return result


def test_small_spec_estimate_matches_hand_computation(catalog):
    row = lambda sku: catalog.get("aws", "us-east-1", sku)  # noqa: E731
    resources = [
        Resource("urn:key", "aws:kms/key:Key", "key", {}, capability="base"),
        Resource("urn:b1", "aws:s3/bucket:Bucket", "b1", {}, capability="base"),
        Resource("urn:b2", "aws:s3/bucket:Bucket", "b2", {}, capability="base"),
        Resource("urn:ep", "aws:ec2/vpcEndpoint:VpcEndpoint", "ep",
                 {"vpcEndpointType": "Interface", "subnetIds": ["a", "b"]}, capability="base"),
        Resource("urn:gw", "aws:ec2/vpcEndpoint:VpcEndpoint", "gw", {"vpcEndpointType": "Gateway"}, capability="base"),
        Resource("urn:vs", "aws:opensearch/serverlessCollection:ServerlessCollection", "vs",
                 {"standbyReplicas": "DISABLED", "tags": {"use-case": "rag"}}, capability="vector_search"),
        Resource("urn:ce", "aws:batch/computeEnvironment:ComputeEnvironment", "ce",
                 {"computeResources": {"type": "SPOT", "instanceTypes": ["g4dn.xlarge"], "minVcpus": 0},
                  "tags": {"use-case": "fraud"}}, capability="training"),
        Resource("urn:role", "aws:iam/role:Role", "role", {}, capability="base"),
    ]
    usage = usage_of(None, {"training_gpu_hours": 100, "training_on_spot_percent": 80, "stored_gb": 500,
                            "vector_stored_gb": 10})
    from mlplat.finops.estimate import annotate

    result = estimate(annotate(resources), "aws", "us-east-1", usage, catalog=catalog)

    g4 = row("ec2/g4dn.xlarge")
    idle = row("kms/key").on_demand_usd + 2 * HOURS * row("vpc/interface-endpoint-az").on_demand_usd \
        + 1 * HOURS * row("aoss/ocu").on_demand_usd
    usage_cost = 500 * row("s3/standard-storage").on_demand_usd + 10 * row("aoss/storage").on_demand_usd \
        + 100 / g4.gpus * (0.8 * g4.spot_usd + 0.2 * g4.on_demand_usd)
    on_demand = idle + 500 * row("s3/standard-storage").on_demand_usd + 10 * row("aoss/storage").on_demand_usd \
        + 100 / g4.gpus * g4.on_demand_usd
    assert result.total("idle") == pytest.approx(idle)
    assert result.total("usage") == pytest.approx(usage_cost)
    assert result.on_demand_total == pytest.approx(on_demand)
    assert result.spot_savings == pytest.approx(100 / g4.gpus * 0.8 * (g4.on_demand_usd - g4.spot_usd))
    assert result.group("use_case")["rag"]["total"] == pytest.approx(
        HOURS * row("aoss/ocu").on_demand_usd + 10 * row("aoss/storage").on_demand_usd)
    assert {f["resource"] for f in result.free} == {"gw", "role"}
    # Every line cites its catalog row.
    for line in result.lines:
        assert line.ref.endswith(f"aws/us-east-1/{line.sku}")
        assert line.monthly_usd == pytest.approx(line.quantity * line.unit_price)


def test_endpoint_idle_and_traffic_from_spec(catalog, tmp_path):
    resources = [
        Resource("urn:c", "mlplat:aws:Endpoint", "scorer", {}, capability="endpoints", custom=False),
        Resource("urn:cfg", "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "cfg",
                 {"productionVariants": [
                     {"variantName": "primary", "instanceType": "ml.m5.large", "initialInstanceCount": 1,
                      "initialVariantWeight": 0.9},
                     {"variantName": "canary", "instanceType": "ml.m5.large", "initialInstanceCount": 1,
                      "initialVariantWeight": 0.1}]},
                 capability="endpoints", parent="urn:c"),
    ]
    from mlplat.finops.estimate import annotate

    spec = {"endpoints": [{"name": "scorer", "min_replicas": 1, "max_replicas": 4}]}
    usage = usage_of(None, {"endpoint_requests_per_second": {"scorer": 50}, "requests_per_replica_per_second": 20})
    result = estimate(annotate(resources), "aws", "us-east-1", usage, spec, catalog)
    price = catalog.get("aws", "us-east-1", "sagemaker-hosting/ml.m5.large").on_demand_usd
    assert result.total("idle") == pytest.approx(2 * HOURS * price)  # primary min 1 + canary 1
    assert result.total("usage") == pytest.approx((50 / 20 - 1) * HOURS * price)
    with pytest.raises(EstimateError, match="usage.endpoint_requests_per_second.nope"):
        estimate(annotate(resources), "aws", "us-east-1", usage_of(None, {"endpoint_requests_per_second": {"nope": 1}}),
                 spec, catalog)


def test_every_reference_plan_is_fully_priced(plans):
    problems = []
    for key, plan in plans.items():
        result = estimate_plan(plan)
        problems += [(key, u["type"]) for u in result.unknown]
        problems += [(key, u["sku"], u["region"]) for u in result.unpriced]
    assert problems == []


def test_reference_plan_idle_is_catalog_rows_times_quantities(plans, catalog):
    plan = plans[("aws-prod", "aws")]
    result = estimate_plan(plan)
    interface = [r for r in plan.by_type("aws:ec2/vpcEndpoint:VpcEndpoint") if r.inputs.get("vpcEndpointType") == "Interface"]
    zones = sum(len(r.inputs["subnetIds"]) for r in interface)
    expected = zones * HOURS * catalog.get("aws", "us-east-1", "vpc/interface-endpoint-az").on_demand_usd
    lines = [l for l in result.lines if l.type == "aws:ec2/vpcEndpoint:VpcEndpoint"]
    assert zones > 0 and sum(l.monthly_usd for l in lines) == pytest.approx(expected)
    keys = len(plan.by_type("aws:kms/key:Key"))
    assert sum(l.monthly_usd for l in result.lines if l.sku == "kms/key") == pytest.approx(
        keys * catalog.get("aws", "us-east-1", "kms/key").on_demand_usd)


@pytest.mark.parametrize("stack", REFERENCE)
def test_budget_and_use_case_tags_in_reference_plans(plans, stack):
    cloud = stack.split("-")[0]
    plan = plans[(stack, cloud)]
    budgets = plan.by_type(BUDGET_TYPES[cloud])
    assert len(budgets) == 1, f"{stack}: no {BUDGET_TYPES[cloud]}"
    inputs = budgets[0].inputs
    monthly = plan.spec["budget"]["monthly_usd"]
    thresholds = plan.spec["budget"]["alert_thresholds_percent"]
    if cloud == "aws":
        assert float(inputs["limitAmount"]) == monthly
        assert sorted(n["threshold"] for n in inputs["notifications"] if n["notificationType"] == "ACTUAL") == thresholds
        # activation is opt-in per account (mlplat:activateCostAllocationTags, tests/aws/test_cost_allocation_tags.py)
        tag_keys = set(plan.outputs["budget"]["budget"]["extras"]["cost_allocation_tags"])
        assert {"use-case", "cost-center", "platform", "environment"} <= tag_keys
        assert inputs["tags"]["platform"] == plan.spec["name"]
    elif cloud == "azure":
        assert inputs["amount"] == monthly
        assert sorted(n["threshold"] for k, n in inputs["notifications"].items() if k.startswith("actual")) == thresholds
    else:
        assert inputs["amount"]["specifiedAmount"]["units"] == str(int(monthly))
        assert sorted(r["thresholdPercent"] * 100 for r in inputs["thresholdRules"] if r["spendBasis"] == "CURRENT_SPEND") \
            == pytest.approx(thresholds)
        assert inputs["billingAccount"] != ""
    declared = {u["name"] for u in plan.spec["use_cases"]}
    tagged = {}
    for r in plan.resources:
        tags = r.inputs.get("tags") if isinstance(r.inputs.get("tags"), dict) else r.inputs.get("labels")
        if isinstance(tags, dict) and "use-case" in tags:
            tagged.setdefault(tags["use-case"], []).append(r.name)
    assert set(tagged) <= declared
    # Every use case named by a capability that this cloud builds shows up as a tag.
    built = {r.capability for r in plan.custom_resources()}
    spec = plan.spec
    wanted = set()
    if "vector_search" in built and spec.get("vector_search", {}).get("use_case"):
        wanted.add(spec["vector_search"]["use_case"])
    if "training" in built and spec.get("training", {}).get("use_case"):
        wanted.add(spec["training"]["use_case"])
    assert wanted <= set(tagged), f"{stack}: use cases {wanted - set(tagged)} carry no use-case tag"


def test_gcp_render_of_other_stack_shows_billing_placeholder_as_gap(plans):
    plan = plans[("aws-dev", "gcp")]
    assert any(g["capability"] == "budget" and "mlplat:gcpBillingAccount" in g["gap"] for g in plan.gaps)


def test_price_catalog_agrees_with_gpu_catalog(catalog):
    from components.catalog import gpus

    disagreements = []
    for (cloud, gpu), shapes in gpus._catalog().shapes.items():
        for count, shape in shapes.items():
            if cloud == "gcp":
                sku = f"compute/{shape.instance_type}+{shape.accelerator}x{shape.accelerator_count}"
            else:
                sku = f"{'ec2' if cloud == 'aws' else 'vm'}/{shape.instance_type}"
            row = catalog.get(cloud, shape.region, sku)
            if row is None or row.on_demand_usd != pytest.approx(shape.on_demand_usd_hour) \
                    or row.spot_usd != (None if shape.spot_usd_hour is None else pytest.approx(shape.spot_usd_hour)) \
                    or row.gpus != shape.gpus:
                disagreements.append((cloud, gpu, count, sku, row and row.on_demand_usd, shape.on_demand_usd_hour))
    assert disagreements == []


def test_catalog_rows_have_source_and_date_and_errors_name_line(catalog):
    assert all(r.source and r.date and r.unit for r in catalog.rows)
    bad = "cloud,region,sku,unit,on_demand_usd,spot_usd,gpus,source,date,description\naws,us-east-1,x,hour,cheap,,,s,d,\n"
    with pytest.raises(CatalogError, match=r"prices.csv:2: on_demand_usd: 'cheap' is not a number"):
        parse_rows(bad)


def test_cost_command_json_totals_and_traceability():
    result = CliRunner().invoke(app, ["cost", "--stack", "aws-prod", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    lines = document["lines"]
    assert document["totals"]["monthly_usd"] == pytest.approx(sum(l["monthly_usd"] for l in lines), abs=0.01)
    assert document["totals"]["idle_usd"] == pytest.approx(sum(l["monthly_usd"] for l in lines if l["kind"] == "idle"), abs=0.01)
    catalog = load_catalog()
    for line in lines:
        if line["type"] == "model tokens":  # priced from the model catalogue (tests/finops/test_token_cost.py)
            continue
        row = catalog.get("aws", "us-east-1", line["sku"])
        assert line["ref"] == row.ref and line["unit_price"] in (row.on_demand_usd, row.spot_usd)


def test_cost_command_usage_error_names_field(tmp_path):
    text = (STACKS / "Pulumi.aws-dev.yaml").read_text()
    import yaml

    spec = yaml.safe_load(text)["config"]["mlplat:platform"]
    spec["usage"] = {"endpoint_requests_per_second": {"missing-endpoint": 5}}
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    result = CliRunner().invoke(app, ["cost", "--config", str(path)])
    assert result.exit_code == 2
    assert "usage.endpoint_requests_per_second.missing-endpoint" in result.output
    assert "Traceback" not in result.output


def test_compare_command_three_clouds(tmp_path):
    import yaml

    spec = yaml.safe_load((STACKS / "Pulumi.gcp-prod.yaml").read_text())["config"]["mlplat:platform"]
    spec["usage"] = {"stored_gb": 1000}
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    result = CliRunner().invoke(app, ["compare", "--config", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    clouds = {c["cloud"]: c for c in json.loads(result.stdout)["clouds"]}
    assert set(clouds) == {"aws", "azure", "gcp"}
    for cloud, column in clouds.items():
        direct = estimate_plan(plan_file(path, cloud))
        assert column["idle_usd"] == pytest.approx(direct.total("idle"), abs=0.01)
        assert column["loaded_usd"] >= column["idle_usd"]
        assert column["resources_per_capability"]["base"] > 0


def test_every_manual_aws_price_names_the_aws_page_it_was_noted_from():
    """A manual AWS row names the pricing page its figure comes from, so a reader can verify it; a figure
    nobody re-read says so."""
    rows = [row for row in load_catalog().rows if row.cloud == "aws" and row.source.startswith("manual:")]
    assert rows
    for row in rows:
        assert row.source.startswith("manual: https://aws.amazon.com/"), row
        assert "vendor list-price page" not in row.source, row
    noted = [row for row in rows if "not re-read since" in row.source]
    assert noted and all("mlplat prices refresh" in row.source for row in noted)
