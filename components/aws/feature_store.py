"""AWS feature store: one SageMaker Feature Store FeatureGroup per spec feature group.

- record identifier = the group's `entity`, event time = its `event_time`, one feature definition per
  feature (types: components/spec/feature_types.py);
- offline store in the platform's data bucket under `feature-store/` in Apache Iceberg table format,
  registered in a Glue database of the platform; encrypted with the platform key when the spec asks;
- online store (Standard tier) only when `feature_store.online`, encrypted with the platform key;
- a dedicated feature-store role that SageMaker assumes to write the offline store: S3 on that prefix,
  the Glue database and its tables, the platform key; explicit actions only.

Logical names come from the feature group's NAME (never its list position), so reordering or adding
groups never changes the URN of an existing group.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..component import PlatformComponent
from ..context import PlatformContext
from ..spec.feature_types import ENTITY_TYPE, EVENT_TIME_TYPE, aws_feature_type
from ..spec.features import FeatureStore as FeatureStoreSpec
from . import iam

OFFLINE_PREFIX = "feature-store"
TABLE_FORMAT = "Iceberg"
GLUE_CATALOG = "AwsDataCatalog"


def glue_name(*parts: str) -> str:
    """Glue/Athena names: lowercase letters, digits and underscores."""
    return "_".join(parts).replace("-", "_").lower()


class FeatureStore(PlatformComponent):
    CLOUD = "aws"
    COMPONENT = "FeatureStore"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base,
        feature_store: FeatureStoreSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        tags = ctx.tags()
        region = ctx.spec.region
        account = aws.get_caller_identity_output().account_id
        key_arn = base.key_arn  # None unless customer-managed keys

        # -- the offline store's catalog -------------------------------------------------------------------
        database_name = glue_name(ctx.prefix, "features")
        database = aws.glue.CatalogDatabase(
            ctx.name("feature-catalog"),
            name=database_name,
            description=f"mlplat {ctx.prefix}: offline feature store tables (Iceberg)",
            location_uri=pulumi.Output.concat("s3://", base.data_bucket.bucket, f"/{OFFLINE_PREFIX}/"),
            tags=tags,
            opts=ctx.stateful(self),
        )

        # -- the role SageMaker Feature Store assumes -------------------------------------------------------
        role = aws.iam.Role(
            ctx.name("feature-store-role"),
            description=f"mlplat {ctx.prefix}: SageMaker Feature Store offline store writes",
            assume_role_policy=iam.assume_role_policy("sagemaker.amazonaws.com"),
            tags=tags,
            opts=ctx.child(self),
        )
        offline_objects = pulumi.Output.concat(base.data_bucket.arn, f"/{OFFLINE_PREFIX}/*")
        glue_base = pulumi.Output.concat("arn:aws:glue:", region, ":", account)
        statements = [
            {
                "Sid": "OfflineStoreObjects",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"],
                "Resource": [offline_objects],
            },
            {
                "Sid": "OfflineStoreBucket",
                "Effect": "Allow",
                "Action": ["s3:GetBucketAcl", "s3:GetBucketLocation", "s3:ListBucket"],
                "Resource": [base.data_bucket.arn],
            },
            {
                "Sid": "OfflineStoreCatalog",
                "Effect": "Allow",
                "Action": [
                    "glue:GetDatabase",
                    "glue:GetTable",
                    "glue:GetTables",
                    "glue:CreateTable",
                    "glue:UpdateTable",
                    "glue:GetPartitions",
                    "glue:BatchCreatePartition",
                ],
                "Resource": [
                    pulumi.Output.concat(glue_base, ":catalog"),
                    pulumi.Output.concat(glue_base, ":database/", database.name),
                    pulumi.Output.concat(glue_base, ":table/", database.name, "/*"),
                ],
            },
        ]
        statements += iam.kms_statements(key_arn)
        role_policy = aws.iam.RolePolicy(
            ctx.name("feature-store-role-offline"),
            role=role.id,
            policy=iam.policy_document(statements),
            opts=ctx.child(role),
        )

        # -- one feature group per spec entry --------------------------------------------------------------
        self.feature_groups: dict[str, aws.sagemaker.FeatureGroup] = {}
        for group in feature_store.feature_groups:
            definitions = [
                {"feature_name": group.entity, "feature_type": ENTITY_TYPE["aws"]},
                {"feature_name": group.event_time, "feature_type": EVENT_TIME_TYPE["aws"]},
            ]
            definitions += [
                {"feature_name": feature, "feature_type": aws_feature_type(kind)}
                for feature, kind in group.features.items()
            ]
            offline: dict = {
                "s3_storage_config": {
                    "s3_uri": pulumi.Output.concat("s3://", base.data_bucket.bucket, f"/{OFFLINE_PREFIX}"),
                    **({"kms_key_id": key_arn} if key_arn is not None else {}),
                },
                "table_format": TABLE_FORMAT,
                "data_catalog_config": {
                    "catalog": GLUE_CATALOG,
                    "database": database.name,
                    "table_name": glue_name(group.name),
                },
            }
            online = None
            if feature_store.online:
                online = {"enable_online_store": True, "storage_type": "Standard"}
                if key_arn is not None:
                    online["security_config"] = {"kms_key_id": key_arn}
            self.feature_groups[group.name] = aws.sagemaker.FeatureGroup(
                ctx.name("fg", group.name),
                feature_group_name=ctx.name(group.name),
                description=f"mlplat {ctx.prefix}: feature group {group.name} (entity {group.entity})",
                record_identifier_feature_name=group.entity,
                event_time_feature_name=group.event_time,
                feature_definitions=definitions,
                offline_store_config=offline,
                online_store_config=online,
                throughput_config={"throughput_mode": "OnDemand"},
                role_arn=role.arn,
                tags=ctx.tags(use_case=group.use_case),
                opts=ctx.stateful(self, depends_on=[role_policy]),
            )

        # -- what training jobs need to write and read features (the platform's execution role) --------------
        if self.feature_groups:
            group_arns = [fg.arn for fg in self.feature_groups.values()]
            aws.iam.RolePolicy(
                ctx.name("execution-role-features"),
                role=base.execution_role.id,
                policy=iam.policy_document(
                    [
                        {
                            "Sid": "FeatureRecords",
                            "Effect": "Allow",
                            "Action": [
                                "sagemaker:DescribeFeatureGroup",
                                "sagemaker:PutRecord",
                                "sagemaker:GetRecord",
                                "sagemaker:BatchGetRecord",
                            ],
                            "Resource": group_arns,
                        },
                        {
                            "Sid": "OfflineStoreCatalogRead",
                            "Effect": "Allow",
                            "Action": ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartitions"],
                            "Resource": [
                                pulumi.Output.concat(glue_base, ":catalog"),
                                pulumi.Output.concat(glue_base, ":database/", database.name),
                                pulumi.Output.concat(glue_base, ":table/", database.name, "/*"),
                            ],
                        },
                    ]
                ),
                opts=ctx.child(self),
            )

        self.finish(
            {
                "online": feature_store.online,
                "offline_store_uri": pulumi.Output.concat("s3://", base.data_bucket.bucket, f"/{OFFLINE_PREFIX}"),
                "offline_table_format": TABLE_FORMAT,
                "glue_database": database.name,
                "feature_store_role_arn": role.arn,
                "feature_groups": {
                    group_name: {
                        "name": fg.feature_group_name,
                        "arn": fg.arn,
                        "record_identifier": fg.record_identifier_feature_name,
                        "event_time": fg.event_time_feature_name,
                    }
                    for group_name, fg in self.feature_groups.items()
                },
            }
        )
