"""GPU endpoints without `model.image` plan with the cloud's prebuilt GPU serving container for their
framework (components/catalog/serving_images.py); CPU endpoints keep the scikit-learn one."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.catalog import serving_images
from mlplat.offline_plan import plan_file

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "gpu_endpoint_without_image.yaml"


@pytest.mark.parametrize("cloud, expected", [
    ("aws", "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:1.12.1-gpu-py38-cu113-ubuntu20.04-sagemaker"),
    ("gcp", "us-docker.pkg.dev/vertex-ai/prediction/pytorch-gpu.2-1:latest"),
])
def test_a_gpu_endpoint_serves_the_prebuilt_pytorch_container(cloud, expected):
    plan = plan_file(FIXTURE, cloud)
    images = [r.inputs["primaryContainer"]["image"] for r in plan.by_type("aws:sagemaker/model:Model")] if cloud == "aws" \
        else [v["image"] for r in plan.resources if r.type.startswith("pulumi-python:dynamic")
              for v in (r.inputs.get("versions") or [])]
    assert images and set(images) == {expected}
    if cloud == "aws":  # the scikit-learn launcher settings belong to the scikit-learn container only
        assert all(not r.inputs["primaryContainer"].get("environment") for r in plan.by_type("aws:sagemaker/model:Model"))


def test_the_catalogue_covers_every_framework_on_every_cloud_in_a_common_region():
    for cloud, region in (("aws", "us-east-1"), ("azure", "eastus"), ("gcp", "us-central1")):
        for framework in serving_images.GPU_FRAMEWORKS:
            assert serving_images.default_image(cloud, region, "t4", framework), (cloud, framework)
        assert serving_images.default_image(cloud, region, "cpu") is not None
    assert serving_images.default_image_problem("aws", "us-east-1", "t4", "sklearn")
    assert serving_images.default_image("aws", "ap-east-1", "a10g", "tensorflow").startswith("871362719292.")
