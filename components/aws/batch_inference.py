"""Scheduled batch inference on AWS: EventBridge Scheduler's SDK target calls SageMaker
`CreateTransformJob` with the endpoint's stable model (its image, execution role and, when private,
its VPC configuration: the transform runs in the platform's subnets), reading from and writing to the
platform's buckets, output and volumes encrypted with the platform key when there is one.

Facts (botocore sagemaker service model): `CreateTransformJob` takes TransformJobName (1-63 characters,
`[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`), ModelName, TransformInput, TransformOutput (S3OutputPath,
AssembleWith, KmsKeyId), TransformResources (InstanceType, InstanceCount, VolumeKmsKeyId). Batch
transform has no spot capacity (spot exists for training jobs only), so it runs on demand.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..outputs import BatchInferenceOutputs, pick
from ..context import PlatformContext
from ..contract import BatchInferenceComponent
from ..naming import bounded_name
from ..spec.retraining import BatchInferenceSpec, aws_cron, store_path
from .base import Base
from .names import batch_stem
from .schedules import EXECUTION_ID, schedule, scheduler_role, universal_target


class BatchInference(BatchInferenceComponent):
    CLOUD = "aws"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        item: BatchInferenceSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        endpoint = ctx.built["endpoints"][item.endpoint]
        tags = ctx.tags(item.use_case)
        account = aws.get_caller_identity_output().account_id
        stem = batch_stem(ctx.prefix, item.name)
        # Each run needs a new name: the invocation id (36 characters) follows a bounded stem.
        job_prefix = bounded_name(stem, 63 - 36 - 1)
        input_uri, output_uri = (self._uri(base, location) for location in (item.input, item.output))

        request = {
            "TransformJobName": f"{job_prefix}-{EXECUTION_ID}",
            "ModelName": pick(endpoint, "model_names")["stable"],
            "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": input_uri}}},
            "TransformOutput": {"S3OutputPath": output_uri, "AssembleWith": "Line",
                                **({"KmsKeyId": base.key_arn} if base.key_arn is not None else {})},
            "TransformResources": {"InstanceType": pick(endpoint, "instance_type"), "InstanceCount": item.instance_count,
                                   **({"VolumeKmsKeyId": base.key_arn} if base.key_arn is not None else {})},
        }
        region = ctx.spec.region
        transform_jobs = pulumi.Output.concat("arn:aws:sagemaker:", region, ":", account, f":transform-job/{job_prefix}-*")
        self.scheduler_role = scheduler_role(
            ctx, self, stem, account,
            [{"Effect": "Allow", "Action": ["sagemaker:CreateTransformJob"], "Resource": [transform_jobs]}],
            tags,
        )
        self.schedule = schedule(ctx, self, stem, aws_cron(item.schedule), {
            "arn": universal_target("sagemaker", "createTransformJob"),
            "role_arn": self.scheduler_role.arn,
            "input": pulumi.Output.json_dumps(request),
        })
        self.finish(BatchInferenceOutputs.from_dict({
            "schedule": self.schedule.name,
            "schedule_expression": aws_cron(item.schedule),
            "input_uri": input_uri,
            "output_uri": output_uri,
            "model_name": pick(endpoint, "model_names")["stable"],
            "spot": False,
        }))

    @staticmethod
    def _uri(base: Base, location: str) -> pulumi.Output:
        store, key = store_path(location)
        bucket = base.data_bucket if store == "data" else base.artifacts_bucket
        return pulumi.Output.concat("s3://", bucket.bucket, "/", key)
