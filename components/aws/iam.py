"""IAM documents built as plain JSON (no provider invokes), least privilege: explicit actions only."""

from __future__ import annotations

import json

import pulumi


def assume_role_policy(*services: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": list(services)}, "Action": "sts:AssumeRole"}
            ],
        }
    )


def policy_document(statements: list[dict]) -> pulumi.Output[str]:
    """A policy whose resources may be Outputs (ARNs of resources being created)."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})


def bucket_statements(bucket_arns: list, write: bool = True) -> list[dict]:
    actions = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"]
    if write:
        actions += ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = []
    for arn in bucket_arns:
        resources += [arn, pulumi.Output.concat(arn, "/*")]
    return [{"Effect": "Allow", "Action": actions, "Resource": resources}]


def kms_statements(key_arn) -> list[dict]:
    if key_arn is None:
        return []
    return [
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            "Resource": [key_arn],
        },
        {
            # Grants only for AWS services acting for the role (SageMaker volumes, feature store), never
            # to arbitrary principals.
            "Sid": "KeyGrantsForAwsServices",
            "Effect": "Allow",
            "Action": ["kms:CreateGrant"],
            "Resource": [key_arn],
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
    ]
