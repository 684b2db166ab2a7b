"""AWS model registry: a SageMaker model package group plus an ECR repository for serving images.

Approval: a model package group has no "default status" setting; the approval status is chosen per model
package when it is registered (`ModelApprovalStatus` of CreateModelPackage). mlplat therefore publishes the
status training jobs must register with as the output `default_approval_status`:
`PendingManualApproval` when `registry.approval_required` (staging/prod default), `Approved` otherwise.
The execution role may register and read model packages but never approve them: it has no
`sagemaker:UpdateModelPackage`, and when approval is required an explicit Deny refuses a CreateModelPackage
that asks for any status other than `PendingManualApproval` (condition key `sagemaker:ModelApprovalStatus`;
a request without the status is pending by default). Approval is a human (or a CI role) step.

ECR: immutable tags, scan on push, KMS encryption with the platform key when customer-managed keys are on
(AES256 otherwise), untagged images expire.
"""

from __future__ import annotations


import pulumi
import pulumi_aws as aws

from ..contract import ModelRegistryComponent
from ..context import PlatformContext
from .base import Base
from .repositories import hardened_repository
from ..spec.registry import RegistrySpec
from . import iam
from ..outputs import RegistryOutputs



def approval_status(approval_required: bool) -> str:
    return "PendingManualApproval" if approval_required else "Approved"


class ModelRegistry(ModelRegistryComponent):
    CLOUD = "aws"
    COMPONENT = "ModelRegistry"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        registry: RegistrySpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        tags = ctx.tags()
        region = ctx.spec.region
        account = aws.get_caller_identity_output().account_id
        approval_required = bool(registry.approval_required)
        default_status = approval_status(approval_required)

        self.model_package_group = aws.sagemaker.ModelPackageGroup(
            ctx.name("models"),
            model_package_group_name=ctx.name("models"),
            model_package_group_description=(
                f"mlplat {ctx.prefix}: model versions; register new versions with ModelApprovalStatus="
                f"{default_status}"
            ),
            tags=tags,
            opts=ctx.stateful(self),
        )

        self.repository = hardened_repository(
            ctx, "serving-images", f"{ctx.prefix}/serving", base.key_arn, tags, parent=self
        )

        # Training jobs register versions and pull serving images; they cannot approve.
        package_arns = pulumi.Output.concat(
            "arn:aws:sagemaker:", region, ":", account, ":model-package/", self.model_package_group.model_package_group_name, "/*"
        )
        aws.iam.RolePolicy(
            ctx.name("execution-role-registry"),
            role=base.execution_role.id,
            policy=iam.policy_document(
                [
                    {
                        "Sid": "RegisterModelVersions",
                        "Effect": "Allow",
                        "Action": [
                            "sagemaker:CreateModelPackage",
                            "sagemaker:DescribeModelPackage",
                            "sagemaker:ListModelPackages",
                            "sagemaker:DescribeModelPackageGroup",
                        ],
                        "Resource": [self.model_package_group.arn, package_arns],
                    },
                    *(
                        [
                            {
                                # CreateModelPackage takes ModelApprovalStatus: registering as Approved
                                # would skip the approver.
                                "Sid": "RegisterOnlyAsPending",
                                "Effect": "Deny",
                                "Action": ["sagemaker:CreateModelPackage"],
                                "Resource": [package_arns],  # the only packages the role may create
                                "Condition": {
                                    "StringNotEqualsIfExists": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}
                                },
                            }
                        ]
                        if approval_required
                        else []
                    ),
                    {
                        "Sid": "PullServingImages",
                        "Effect": "Allow",
                        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                        "Resource": [self.repository.arn],
                    },
                ]
            ),
            opts=ctx.child(self),
        )

        self.finish(
            RegistryOutputs(
                model_registry=self.model_package_group.model_package_group_name,
                image_repository_url=self.repository.repository_url,
                approval_required=approval_required,
                # Not a property of the group: the ModelApprovalStatus to pass when registering a version.
                default_approval_status=default_status,
                extras={
                    "model_package_group_arn": self.model_package_group.arn,
                    "image_repository": self.repository.name,
                    "image_tag_mutability": "IMMUTABLE",
                },
            )
        )
