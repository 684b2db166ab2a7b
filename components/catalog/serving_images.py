"""The clouds' prebuilt serving containers: the default `model.image` of an endpoint, per framework.

CPU endpoints default to scikit-learn, GPU endpoints to PyTorch; `model.framework` picks another
prebuilt container. The spec refuses, at validation, an endpoint whose default the catalogue cannot
give (a framework a cloud has no prebuilt container for, an AWS region without the image's registry).

Sources:
- AWS SageMaker scikit-learn: the sagemaker-scikit-learn registry accounts of the SageMaker Python SDK
  (aws/sagemaker-python-sdk, src/sagemaker/image_uri_config/sklearn.json).
- AWS Deep Learning Containers (PyTorch, TensorFlow inference, SageMaker flavour): registry accounts per
  region and tags from aws/deep-learning-containers, available_images.md.
- Vertex AI prebuilt prediction containers: googleapis/python-aiplatform,
  google/cloud/aiplatform/constants/prediction.py (sklearn-cpu.1-3, pytorch-gpu.2-1, tf2-gpu.2-13 in
  the us, europe and asia registries).
- Azure ML: with no image the deployment is an MLflow no-code deployment and Azure ML picks its curated
  MLflow inference environment (learn.microsoft.com/azure/machine-learning/how-to-deploy-mlflow-models);
  the GPU inference base image it publishes is mcr.microsoft.com/azureml/
  minimal-ubuntu20.04-py38-cuda11.6.2-gpu-inference (MicrosoftDocs/azure-docs,
  articles/machine-learning/concept-prebuilt-docker-images-inference.md).
"""

from __future__ import annotations

CPU_FRAMEWORKS = ("sklearn",)
GPU_FRAMEWORKS = ("pytorch", "tensorflow")
FRAMEWORKS = CPU_FRAMEWORKS + GPU_FRAMEWORKS


def default_framework(compute: str) -> str:
    return "sklearn" if compute == "cpu" else "pytorch"


# -- AWS ---------------------------------------------------------------------------------------------------
AWS_SKLEARN_TAG = "1.2-1-cpu-py3"
# sagemaker-scikit-learn 1.2-1 inference registries, commercial regions (aws/sagemaker-python-sdk
# src/sagemaker/image_uri_config/sklearn.json @0828818, read 2026-11-29).
AWS_SKLEARN_ACCOUNTS = {
    "af-south-1": "510948584623",
    "ap-east-1": "651117190479",
    "ap-northeast-1": "354813040037",
    "ap-northeast-2": "366743142698",
    "ap-northeast-3": "867004704886",
    "ap-south-1": "720646828776",
    "ap-south-2": "628508329040",
    "ap-southeast-1": "121021644041",
    "ap-southeast-2": "783357654285",
    "ap-southeast-3": "951798379941",
    "ap-southeast-4": "106583098589",
    "ca-central-1": "341280168497",
    "eu-central-1": "492215442770",
    "eu-central-2": "680994064768",
    "eu-north-1": "662702820516",
    "eu-south-1": "978288397137",
    "eu-south-2": "104374241257",
    "eu-west-1": "141502667606",
    "eu-west-2": "764974769150",
    "eu-west-3": "659782779980",
    "me-central-1": "272398656194",
    "me-south-1": "801668240914",
    "sa-east-1": "737474898029",
    "us-east-1": "683313688378",
    "us-east-2": "257758044811",
    "us-west-1": "746614075791",
    "us-west-2": "246618743249",
}
# Deep Learning Containers: one account in most regions, its own account in opt-in regions.
AWS_DLC_ACCOUNT = "763104351884"
AWS_DLC_REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1", "ap-northeast-2",
    "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
    "eu-north-1", "sa-east-1",
)
AWS_DLC_OWN_ACCOUNTS = {
    "af-south-1": "626614931356",
    "ap-east-1": "871362719292",
    "ap-northeast-3": "364406365360",
    "ap-southeast-3": "907027046896",
    "eu-south-1": "692866216735",
    "me-south-1": "217643126080",
    "me-central-1": "914824155844",
}
AWS_DLC_IMAGES = {
    "pytorch": "pytorch-inference:1.12.1-gpu-py38-cu113-ubuntu20.04-sagemaker",
    "tensorflow": "tensorflow-inference:2.10.0-gpu-py39-cu112-ubuntu20.04-sagemaker",
}
# The prebuilt scikit-learn container runs code/inference.py from model.tar.gz.
AWS_SKLEARN_ENVIRONMENT = {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code"}

# -- GCP ---------------------------------------------------------------------------------------------------
VERTEX_IMAGES = {
    "sklearn": "sklearn-cpu.1-3",
    "pytorch": "pytorch-gpu.2-1",
    "tensorflow": "tf2-gpu.2-13",
}

# -- Azure -------------------------------------------------------------------------------------------------
AZURE_NO_CODE = "mlflow no-code (Azure ML managed serving image)"


def _aws(framework: str, region: str) -> str | None:
    if framework == "sklearn":
        account = AWS_SKLEARN_ACCOUNTS.get(region)
        return account and f"{account}.dkr.ecr.{region}.amazonaws.com/sagemaker-scikit-learn:{AWS_SKLEARN_TAG}"
    account = AWS_DLC_ACCOUNT if region in AWS_DLC_REGIONS else AWS_DLC_OWN_ACCOUNTS.get(region)
    return account and f"{account}.dkr.ecr.{region}.amazonaws.com/{AWS_DLC_IMAGES[framework]}"


def _gcp(framework: str, region: str) -> str:
    multi_region = {"europe": "europe", "asia": "asia"}.get(region.split("-")[0], "us")
    return f"{multi_region}-docker.pkg.dev/vertex-ai/prediction/{VERTEX_IMAGES[framework]}:latest"


def default_image(cloud: str, region: str, compute: str, framework: str | None = None) -> str | None:
    """The prebuilt serving image for `framework` (default: by compute) on `cloud` in `region`; None when
    the catalogue has none there (see `default_image_problem`)."""
    framework = framework or default_framework(compute)
    if default_image_problem(cloud, region, compute, framework):
        return None
    if cloud == "aws":
        return _aws(framework, region)
    if cloud == "gcp":
        return _gcp(framework, region)
    return AZURE_NO_CODE


def require_default_image(cloud: str, region: str, compute: str, framework: str | None = None) -> str:
    """`default_image`, for the components: the spec has refused endpoints without one already, so a
    miss here is a caller bug, reported with the reason."""
    image = default_image(cloud, region, compute, framework)
    if image is None:
        raise ValueError(f"model.image: {default_image_problem(cloud, region, compute, framework)}")
    return image


def default_image_problem(cloud: str, region: str, compute: str, framework: str | None = None) -> str | None:
    """Why no prebuilt image can serve this endpoint, or None."""
    framework = framework or default_framework(compute)
    wanted = CPU_FRAMEWORKS if compute == "cpu" else GPU_FRAMEWORKS
    if framework not in wanted:
        kind = "CPU" if compute == "cpu" else "GPU"
        return (f"no prebuilt {kind} serving container for {framework} (prebuilt {kind} frameworks: "
                f"{', '.join(wanted)}); set model.image")
    if cloud == "aws" and _aws(framework, region) is None:
        known = AWS_SKLEARN_ACCOUNTS if framework == "sklearn" else [*AWS_DLC_REGIONS, *AWS_DLC_OWN_ACCOUNTS]
        return (f"no prebuilt {framework} serving image known for {region} (known: {', '.join(known)}); "
                "set model.image")
    return None
