"""The GPU catalog (components/catalog/gpus.yaml) against the clouds' own SDK models, and the spec
validation that uses it.

The cloud names are checked against what the SDKs installed from uv.lock know, read at run time:
botocore's EC2 and SageMaker service models for AWS, google-cloud-aiplatform's `AcceleratorType`
enum for GCP accelerators. A typo or a retired shape in the catalog fails here.
"""

from __future__ import annotations

import datetime
import math
import re
import subprocess
import sys
import warnings
from pathlib import Path

import botocore.session
import pytest
import yaml

from components.catalog import gpus as catalog
from components.catalog.gpus import (
    CatalogError,
    GpuOfferingError,
    all_shapes,
    cpu_shape,
    cpu_shape_details,
    endpoint_shape,
    gpu_classes,
    load_catalog,
    offered,
    offering_error,
    reference_region,
    shape_for,
    vertex_accelerator_type,
)
from components.spec import SpecError, load_spec_file, parse_spec
from components.spec.base import Cloud
from components.spec.regions import region_error
from components.spec.training import GpuClass
from tests.support.plans import ROOT

CLOUDS = ["aws", "azure", "gcp"]
MINIMAL = {
    "name": "demo",
    "environment": "dev",
    "cloud": "aws",
    "region": "us-east-1",
    "finops": {"cost_center": "cc-1", "owner": "a@example.com", "team": "t"},
    "training": {"gpu": "a100", "gpus_per_node": 8},
}


def shapes_of(cloud: str) -> list[catalog.GpuShape]:
    return [shape for shape in all_shapes() if shape.cloud == cloud]


# -- AWS: botocore's own service models ---------------------------------------------------------------

@pytest.fixture(scope="module")
def aws_models():
    session = botocore.session.get_session()
    ec2 = set(session.get_service_model("ec2").shape_for("InstanceType").enum)
    sagemaker = session.get_service_model("sagemaker")
    return {
        "ec2": ec2,
        "training": set(sagemaker.shape_for("TrainingInstanceType").enum),
        "endpoint": set(sagemaker.shape_for("ProductionVariantInstanceType").enum),
    }


def test_every_aws_instance_type_is_a_valid_ec2_instance_type(aws_models):
    emitted = {shape.instance_type for shape in shapes_of("aws")} | {cpu_shape_details("aws").instance_type}
    unknown = sorted(emitted - aws_models["ec2"])
    assert not unknown, f"not in botocore's EC2 InstanceType enum: {unknown}"


def test_sagemaker_training_types_are_exactly_those_sagemaker_accepts(aws_models):
    for shape in shapes_of("aws"):
        ml_type = f"ml.{shape.instance_type}"
        if shape.sagemaker_instance_type is not None:
            assert shape.sagemaker_instance_type == ml_type
            assert ml_type in aws_models["training"], f"{ml_type} is not a SageMaker TrainingInstanceType"
        else:
            # The flag is not stale: SageMaker really has no such training type.
            assert ml_type not in aws_models["training"], f"{ml_type} is trainable; set sagemaker_training: true"


def test_sagemaker_endpoint_types_are_exactly_those_sagemaker_accepts(aws_models):
    for shape in shapes_of("aws"):
        ml_type = f"ml.{shape.instance_type}"
        if shape.sagemaker_endpoint_instance_type is not None:
            assert shape.sagemaker_endpoint_instance_type == ml_type
            assert ml_type in aws_models["endpoint"], f"{ml_type} is not a SageMaker ProductionVariantInstanceType"
        else:
            assert ml_type not in aws_models["endpoint"], f"{ml_type} can serve; set sagemaker_endpoint: true"


def test_every_gpu_endpoint_aws_can_serve_has_a_sagemaker_endpoint_type(aws_models):
    servable = [gpu for gpu in gpu_classes() if 1 in offered("aws", gpu)]
    assert servable, "AWS offers no single-GPU shape at all"
    for gpu in servable:
        shape = endpoint_shape("aws", gpu)
        assert shape.gpus == 1
        assert shape.sagemaker_endpoint_instance_type in aws_models["endpoint"]


def test_cpu_endpoint_shapes(aws_models):
    assert cpu_shape("aws") in aws_models["endpoint"]
    assert cpu_shape("aws") == f"ml.{cpu_shape_details('aws').instance_type}"
    for cloud in CLOUDS:
        details = cpu_shape_details(cloud)
        assert details.vcpus > 0 and details.memory_gib > 0 and details.on_demand_usd_hour > 0
        assert details.price_source.strip() and datetime.date.fromisoformat(details.price_date)
    assert cpu_shape("azure") == cpu_shape_details("azure").instance_type
    assert cpu_shape("gcp") == cpu_shape_details("gcp").instance_type


# -- GCP: google-cloud-aiplatform's AcceleratorType ---------------------------------------------------

@pytest.fixture(scope="module")
def vertex_accelerators() -> set[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # google-api-core's Python-version FutureWarning
        from google.cloud.aiplatform_v1.types import AcceleratorType
    return {member.name for member in AcceleratorType}


def test_every_gcp_accelerator_is_a_vertex_accelerator_type(vertex_accelerators):
    # Catalog rows carry the Compute Engine / GKE spelling (nvidia-tesla-t4); Vertex AI documents
    # the same accelerators as enum members in upper case with underscores (NVIDIA_TESLA_T4).
    gcp = shapes_of("gcp")
    assert gcp
    for shape in gcp:
        assert shape.accelerator and shape.accelerator == shape.accelerator.lower()
        assert shape.vertex_accelerator_type == vertex_accelerator_type(shape.accelerator)
        assert shape.vertex_accelerator_type in vertex_accelerators, (
            f"{shape.accelerator} -> {shape.vertex_accelerator_type} is not in aiplatform's AcceleratorType"
        )
    assert all(shape.accelerator is None for shape in all_shapes() if shape.cloud != "gcp")


def test_each_class_uses_one_gcp_accelerator_and_classes_do_not_share_one():
    by_class: dict[str, set[str]] = {}
    for shape in shapes_of("gcp"):
        by_class.setdefault(shape.gpu, set()).add(shape.accelerator)
    assert all(len(names) == 1 for names in by_class.values()), by_class
    names = [next(iter(n)) for n in by_class.values()]
    assert len(names) == len(set(names)), f"two classes map to the same accelerator: {by_class}"


# -- shape names agree with the numbers beside them ----------------------------------------------------

def test_gcp_machine_type_names_match_gpus_and_vcpus():
    for shape in shapes_of("gcp"):
        per_gpu = re.fullmatch(r"a\d-[a-z]+gpu-(\d+)g", shape.instance_type)
        standard = re.fullmatch(r"(n1|g2)-standard-(\d+)", shape.instance_type)
        assert per_gpu or standard, f"unexpected GCP machine type {shape.instance_type}"
        if per_gpu:
            assert int(per_gpu.group(1)) == shape.gpus, shape
        else:
            assert int(standard.group(2)) == shape.vcpus, shape
        assert shape.accelerator_count == shape.gpus


def test_azure_vm_size_names_match_vcpus():
    # Azure size names carry the vCPU count after the family letters: Standard_NC24ads_A100_v4 -> 24.
    for shape in shapes_of("azure") + [cpu_shape_details("azure")]:
        match = re.fullmatch(r"Standard_[A-Z]+(\d+)[a-z]*(_[A-Za-z0-9]+)*_v\d+", shape.instance_type)
        assert match, f"unexpected Azure VM size {shape.instance_type}"
        if shape.instance_type.startswith("Standard_N"):
            assert int(match.group(1)) == shape.vcpus, shape


def test_azure_shapes_state_amlcompute_and_aws_shapes_do_not():
    assert all(isinstance(shape.amlcompute, bool) for shape in shapes_of("azure"))
    assert all(shape.amlcompute is None for shape in all_shapes() if shape.cloud != "azure")


# -- every class x count is complete ------------------------------------------------------------------

def test_every_shape_has_size_prices_source_and_date():
    today = datetime.date.today()
    shapes = all_shapes()
    assert shapes
    for shape in shapes:
        where = f"{shape.cloud} {shape.gpus} x {shape.gpu} ({shape.instance_type})"
        assert shape.gpus >= 1 and shape.vcpus >= shape.gpus, where
        assert shape.memory_gib > 0 and shape.gpu_memory_gib > 0 and shape.gpu_model, where
        assert shape.on_demand_usd_hour > 0, where
        if shape.spot_usd_hour is None:
            assert shape.spot_basis == "unknown", where
            assert shape.hourly_usd(spot=True) == shape.on_demand_usd_hour
        else:
            assert 0 < shape.spot_usd_hour <= shape.on_demand_usd_hour, where
            assert shape.hourly_usd(spot=True) == shape.spot_usd_hour
        assert shape.price_basis in catalog.PRICE_BASES and shape.spot_basis in catalog.SPOT_BASES, where
        assert shape.price_source.strip(), where
        assert datetime.date.fromisoformat(shape.price_date) <= today, where
        assert shape.region == reference_region(shape.cloud)


def test_reference_regions_are_the_documented_ones_and_valid_region_names():
    expected = {"aws": "us-east-1", "azure": "eastus", "gcp": "us-central1"}
    for cloud in CLOUDS:
        assert reference_region(cloud) == expected[cloud]
        assert region_error(Cloud(cloud), reference_region(cloud)) is None


def test_derived_prices_follow_their_base_rows():
    for shape in all_shapes():
        if shape.derived_from is None:
            continue
        base = shape_for(shape.cloud, *shape.derived_from)
        where = f"{shape.cloud} {shape.gpus} x {shape.gpu} derived from {base.gpus} x {base.gpu}"
        scale = shape.gpus / base.gpus
        if shape.price_basis == "derived":
            assert math.isclose(shape.on_demand_usd_hour, base.on_demand_usd_hour * scale, rel_tol=0.01), where
        if shape.spot_basis == "derived":
            if shape.price_basis == "derived":
                expected = base.spot_usd_hour * scale
            else:
                expected = shape.on_demand_usd_hour * base.spot_usd_hour / base.on_demand_usd_hour
            assert math.isclose(shape.spot_usd_hour, expected, rel_tol=0.01, abs_tol=0.006), where


def test_the_catalog_covers_exactly_the_classes_the_spec_accepts():
    assert gpu_classes() == list(GpuClass.__args__)
    for gpu in gpu_classes():
        assert any(offered(cloud, gpu) for cloud in CLOUDS), f"{gpu} is offered nowhere"


def test_loader_imports_no_cloud_sdk():
    code = (
        "import sys; before = set(sys.modules); "  # namespace-package .pth files preload 'google'
        "import components.catalog.gpus as g; g.all_shapes(); g.cpu_shape('aws'); "
        "bad = sorted(m for m in set(sys.modules) - before if m.split('.')[0] in "
        "('boto3', 'botocore', 'google', 'azure', 'pulumi', 'pulumi_aws', 'pulumi_gcp', 'pulumi_azure_native')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


# -- the query API -------------------------------------------------------------------------------------

@pytest.mark.parametrize("cloud", CLOUDS)
def test_offering_error_is_none_exactly_for_offered_counts(cloud):
    for gpu in gpu_classes():
        counts = offered(cloud, gpu)
        assert counts == sorted(set(counts))
        for gpus in range(1, 17):
            problem = offering_error(cloud, gpu, gpus)
            if gpus in counts:
                assert problem is None
                shape = shape_for(cloud, gpu, gpus)
                assert (shape.cloud, shape.gpu, shape.gpus) == (cloud, gpu, gpus)
                continue
            assert problem and cloud in problem and gpu in problem
            with pytest.raises(GpuOfferingError) as raised:
                shape_for(cloud, gpu, gpus)
            assert isinstance(raised.value, ValueError)
            assert str(raised.value) == problem
            # The message lists what IS offered: every count with its machine shape.
            for n in counts:
                assert f"{n} x {gpu} ({shape_for(cloud, gpu, n).instance_type})" in problem


def test_example_message_for_an_unoffered_count():
    counts = offered("aws", "a100")
    assert 3 not in counts and counts
    listed = ", ".join(f"{n} x a100 ({shape_for('aws', 'a100', n).instance_type})" for n in counts)
    assert offering_error("aws", "a100", 3) == f"aws does not offer 3 x a100 per node; offered: {listed}"


def test_a_class_absent_from_a_cloud_names_where_it_is_offered():
    absent = [(cloud, gpu) for cloud in CLOUDS for gpu in gpu_classes() if not offered(cloud, gpu)]
    assert absent, "every cloud offers every class; nothing to check"
    for cloud, gpu in absent:
        problem = offering_error(cloud, gpu, 1)
        assert problem.startswith(f"{cloud} does not offer {gpu} GPUs")
        for other in CLOUDS:
            if other != cloud and offered(other, gpu):
                assert other in problem
        for other_gpu in gpu_classes():
            if offered(cloud, other_gpu):
                assert other_gpu in problem.split(f"{cloud} offers:")[1]


def test_unknown_cloud_class_and_count():
    assert "unknown cloud" in offering_error("oci", "t4", 1)
    assert "not a GPU class" in offering_error("aws", "v100", 1)
    assert "positive integer" in offering_error("aws", "t4", 0)
    assert offered("aws", "v100") == [] and offered("oci", "t4") == []
    with pytest.raises(GpuOfferingError):
        shape_for("oci", "t4", 1)
    with pytest.raises(GpuOfferingError):
        cpu_shape("oci")


def test_all_shapes_lists_each_offered_shape_once():
    listed = [(s.cloud, s.gpu, s.gpus) for s in all_shapes()]
    expected = [(c, g, n) for g in gpu_classes() for c in CLOUDS for n in offered(c, g)]
    assert sorted(listed) == sorted(expected) and len(listed) == len(set(listed))


def test_a10g_is_not_mapped_to_azure_a10():
    # Decision recorded in docs/gpu-catalog.md: Azure's A10 VMs are not an A10G class.
    assert offered("azure", "a10g") == []
    assert not any(re.search(r"A10(?!0)", s.instance_type) for s in shapes_of("azure"))


# -- the catalog file is checked when read ---------------------------------------------------------------

def _document() -> dict:
    return yaml.safe_load(catalog.CATALOG_PATH.read_text())


def _write(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "gpus.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_the_shipped_catalog_round_trips_through_the_checked_loader(tmp_path):
    reloaded = load_catalog(_write(tmp_path, _document()))
    assert reloaded.classes == tuple(gpu_classes())
    assert sum(len(v) for v in reloaded.shapes.values()) == len(all_shapes())


@pytest.mark.parametrize(
    "mutate,expected",
    [
        (lambda d: d["classes"]["t4"]["aws"][0].pop("vcpus"), r"classes\.t4\.aws\[0\]: missing vcpus"),
        (lambda d: d["classes"]["t4"]["aws"][1].update(gpus=1), r"classes\.t4\.aws\[1\]: a second shape with 1 GPUs"),
        (lambda d: d["classes"]["l4"]["gcp"][0].update(spot_usd_hour=9.0), r"spot_usd_hour: 9\.0 exceeds"),
        (lambda d: d["classes"]["h100"]["gcp"][3].update(accelerator_count=4), r"accelerator_count: 4 differs"),
        (lambda d: d["classes"]["a100"]["gcp"][0].pop("derived_from"), r"derived_from: missing"),
        (lambda d: d["classes"]["a100"]["aws"][0].update(price_date="21.11.2026"), r"not an ISO date"),
        (lambda d: d["classes"]["a100"]["azure"][0].update(vmsize="x"), r"unknown key\(s\) vmsize"),
        (lambda d: d["classes"]["a100"].pop("azure"), r"classes\.a100: missing azure"),
        (lambda d: d["classes"]["t4"]["gcp"][0].update(spot_usd_hour=None), r"null, but spot_basis is 'quoted'"),
        (lambda d: d["classes"]["t4"]["gcp"][0].update(accelerator="NVIDIA_TESLA_T4"), r"not a Compute Engine"),
    ],
)
def test_a_malformed_catalog_is_rejected_naming_the_entry(tmp_path, mutate, expected):
    document = _document()
    mutate(document)
    with pytest.raises(CatalogError, match=expected):
        load_catalog(_write(tmp_path, document))


# -- spec validation -------------------------------------------------------------------------------------

def test_spec_with_an_unoffered_count_names_the_field_and_lists_the_offer():
    raw = {**MINIMAL, "training": {"gpu": "a100", "gpus_per_node": 3}}
    with pytest.raises(SpecError) as raised:
        parse_spec(raw, "stacks/x.yaml", "mlplat:platform")
    (line,) = raised.value.lines
    assert line.startswith("stacks/x.yaml: mlplat:platform.training.gpus_per_node: ")
    for n in offered("aws", "a100"):
        assert f"{n} x a100 ({shape_for('aws', 'a100', n).instance_type})" in line


def test_spec_with_a_class_the_cloud_lacks_points_at_the_class():
    cloud, gpu = next((c, g) for c in CLOUDS for g in gpu_classes() if not offered(c, g))
    region = {"aws": "us-east-1", "azure": "eastus", "gcp": "us-central1"}[cloud]
    raw = {**MINIMAL, "cloud": cloud, "region": region, "training": {"gpu": gpu, "gpus_per_node": 1}}
    with pytest.raises(SpecError) as raised:
        parse_spec(raw, "stacks/x.yaml", "mlplat:platform")
    (line,) = raised.value.lines
    assert line.startswith("stacks/x.yaml: mlplat:platform.training.gpu: ")
    assert f"{cloud} does not offer {gpu} GPUs" in line


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_offered_training_shape_validates(cloud):
    region = {"aws": "us-east-1", "azure": "eastus", "gcp": "us-central1"}[cloud]
    for gpu in gpu_classes():
        for gpus in offered(cloud, gpu):
            raw = {**MINIMAL, "cloud": cloud, "region": region, "training": {"gpu": gpu, "gpus_per_node": gpus}}
            spec = parse_spec(raw, "stacks/x.yaml", "mlplat:platform")
            assert (spec.training.gpu, spec.training.gpus_per_node) == (gpu, gpus)


def test_gpu_endpoints_need_a_single_gpu_shape():
    serves = next(g for g in gpu_classes() if 1 in offered("aws", g))
    lacks = next(g for g in gpu_classes() if offered("aws", g) and 1 not in offered("aws", g))
    image = {"image": "registry.example.com/serving:gpu"}  # GPU endpoints name their serving image
    endpoints = [{"name": "ok", "compute": serves, "model": image}, {"name": "cpu-one", "compute": "cpu"}]
    parse_spec({**MINIMAL, "endpoints": endpoints}, "stacks/x.yaml", "mlplat:platform")
    endpoints.append({"name": "too-big", "compute": lacks, "model": image})
    with pytest.raises(SpecError) as raised:
        parse_spec({**MINIMAL, "endpoints": endpoints}, "stacks/x.yaml", "mlplat:platform")
    (line,) = raised.value.lines
    assert line.startswith("stacks/x.yaml: mlplat:platform.endpoints.2.compute: ")
    assert "single-GPU" in line and offering_error("aws", lacks, 1) in line


@pytest.mark.parametrize("cloud", CLOUDS)
def test_fraud_example_validates_on_every_cloud(cloud):
    stack = load_spec_file(ROOT / "examples" / "fraud-ml.yaml", cloud=cloud)
    training = stack.spec.training
    assert stack.spec.cloud.value == cloud
    shape = shape_for(cloud, training.gpu, training.gpus_per_node)
    assert shape.gpus == training.gpus_per_node == 8
