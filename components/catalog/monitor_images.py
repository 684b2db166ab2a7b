"""Prebuilt drift-monitor images a cloud needs per region: SageMaker Model Monitor runs AWS's
`sagemaker-model-monitor-analyzer` image from a per-region registry account. Azure ML and Vertex AI run
their monitors as managed services, so they need no image here.

Source: aws/sagemaker-python-sdk, src/sagemaker/image_uri_config/model-monitor.json @5d36aec (read
2026-11-30); the China regions (cn-north-1, cn-northwest-1) use the amazonaws.com.cn domain and are not
in mlplat's region catalogue."""

from __future__ import annotations

AWS_ANALYZER_REPOSITORY = "sagemaker-model-monitor-analyzer"
AWS_ANALYZER_ACCOUNTS = {
    "af-south-1": "875698925577", "ap-east-1": "001633400207", "ap-northeast-1": "574779866223",
    "ap-northeast-2": "709848358524", "ap-south-1": "126357580389", "ap-southeast-1": "245545462676",
    "ap-southeast-2": "563025443158", "ca-central-1": "536280801234", "eu-central-1": "048819808253",
    "eu-north-1": "895015795356", "eu-south-1": "933208885752", "eu-west-1": "468650794304",
    "eu-west-2": "749857270468", "eu-west-3": "680080141114", "me-south-1": "607024016150",
    "sa-east-1": "539772159869", "us-east-1": "156813124566", "us-east-2": "777275614652",
    "us-west-1": "890145073186", "us-west-2": "159807026194",
}
# Clouds whose drift monitor needs an image from this table.
IMAGE_TABLES = {"aws": AWS_ANALYZER_ACCOUNTS}


def analyzer_image(region: str) -> str | None:
    """The Model Monitor analyzer image URI in `region`, or None when AWS publishes none there."""
    account = AWS_ANALYZER_ACCOUNTS.get(region)
    return account and f"{account}.dkr.ecr.{region}.amazonaws.com/{AWS_ANALYZER_REPOSITORY}"


def monitor_image_problem(cloud: str, region: str) -> str | None:
    """Why a drift monitor cannot run in `region` on `cloud` (no published image), or None."""
    table = IMAGE_TABLES.get(cloud)
    if table is None or region in table:
        return None
    return (f"SageMaker Model Monitor publishes no analyzer image in {region} (it does in "
            f"{', '.join(sorted(table))}); drop monitoring.baseline there or pick one of those regions")
