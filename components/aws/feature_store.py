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

Schema changes: SageMaker replaces a feature group when its feature definitions, online store or role
change, and a replacement under the same physical name collides (create-before-delete) or loses data
(delete-before-create). The physical group name and offline table therefore carry a SCHEMA VERSION, a
hash of entity, event time, features and online flag (`<prefix>-<group>-s<8 hex>`): a schema change is a
new group and a new Iceberg table beside the old ones. Protected stacks (prod) refuse the replacement
at preview (Pulumi never replaces a protected resource): add the changed group under a new name and
retire the old one deliberately. Unprotected stacks create the new group, then delete the old one
(its online records go; its offline files and Glue table stay in the data bucket).

Athena: a workgroup of the platform writes query results to the data bucket (`athena-results/`,
encrypted with the platform key when customer-managed); the execution role may query in it only.
"""

from __future__ import annotations


import pulumi
import pulumi_aws as aws

from ..contract import FeatureStoreComponent
from ..context import PlatformContext
from ..spec.features import FeatureStoreSpec
from . import iam
from .base import Base
from ..outputs import FeatureStoreOutputs
from .cloud import AwsCloud
from .names import feature_group_name, glue_name, schema_version

_AWS = AwsCloud()  # feature store column types (components/aws/cloud.py)

OFFLINE_PREFIX = "feature-store"
TABLE_FORMAT = "Iceberg"
GLUE_CATALOG = "AwsDataCatalog"
ATHENA_RESULTS_PREFIX = "athena-results"


class FeatureStore(FeatureStoreComponent):
    CLOUD = "aws"
    COMPONENT = "FeatureStore"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        feature_store: FeatureStoreSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        tags = ctx.tags()
        region = ctx.spec.region
        account = aws.get_caller_identity_output().account_id

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

        glue_base = pulumi.Output.concat("arn:aws:glue:", region, ":", account)
        role, role_policy = self._offline_store_role(ctx, base, tags, database, glue_base)

        self.feature_groups: dict[str, aws.sagemaker.FeatureGroup] = {}
        versions: dict[str, str] = {}
        tables: dict[str, str] = {}
        for group in feature_store.feature_groups:
            versions[group.name], tables[group.name] = self._feature_group(ctx, base, feature_store, group, database, role,
                                                                           role_policy)

        results = self._athena_workgroup(ctx, base, tags)

        workgroup_arn = pulumi.Output.concat("arn:aws:athena:", region, ":", account, ":workgroup/", self.workgroup.name)

        # -- what training jobs need to write and read features (the platform's execution role) --------------
        if self.feature_groups:
            group_arns = [fg.arn for fg in self.feature_groups.values()]
            aws.iam.RolePolicy(
                ctx.name("execution-role-features"),
                role=base.execution_role.id,
                policy=iam.policy_document(_execution_role_statements(group_arns, glue_base, database.name, workgroup_arn)),
                opts=ctx.child(self),
            )

        self.finish(
            FeatureStoreOutputs(
                online=feature_store.online,
                offline_store=pulumi.Output.concat("s3://", base.data_bucket.bucket, f"/{OFFLINE_PREFIX}"),
                # SageMaker keeps the online store inside each feature group (OnlineStoreConfig).
                online_store="sagemaker-feature-store-online" if feature_store.online else None,
                feature_groups={name: fg.feature_group_name for name, fg in self.feature_groups.items()},
                extras={
                    "offline_table_format": TABLE_FORMAT,
                    "glue_database": database.name,
                    "feature_store_role_arn": role.arn,
                    "athena_workgroup": self.workgroup.name,
                    "athena_results_uri": results["output_location"],
                    "feature_groups": {
                        group_name: {
                            "arn": fg.arn,
                            "record_identifier": fg.record_identifier_feature_name,
                            "event_time": fg.event_time_feature_name,
                            "schema_version": versions[group_name],
                            "offline_table": tables[group_name],
                        }
                        for group_name, fg in self.feature_groups.items()
                    },
                },
            )
        )

    def _offline_store_role(self, ctx: PlatformContext, base: Base, tags: dict, database, glue_base):
        """The role SageMaker Feature Store assumes to write the offline store; returns it and its policy."""
        role = aws.iam.Role(
            ctx.name("feature-store-role"),
            description=f"mlplat {ctx.prefix}: SageMaker Feature Store offline store writes",
            assume_role_policy=iam.assume_role_policy("sagemaker.amazonaws.com"),
            tags=tags,
            opts=ctx.child(self),
        )
        offline_objects = pulumi.Output.concat(base.data_bucket.arn, f"/{OFFLINE_PREFIX}/*")
        statements = _offline_store_statements(base, offline_objects, glue_base, database.name)
        statements += iam.kms_statements(base.key_arn)
        role_policy = aws.iam.RolePolicy(
            ctx.name("feature-store-role-offline"),
            role=role.id,
            policy=iam.policy_document(statements),
            opts=ctx.child(role),
        )
        return role, role_policy

    def _feature_group(self, ctx: PlatformContext, base: Base, feature_store: FeatureStoreSpec, group, database, role,
                       role_policy) -> tuple[str, str]:
        """The feature group of one spec entry, named by its schema version; returns the version and its offline table."""
        key_arn = base.key_arn
        version = schema_version(group, feature_store.online)
        table = glue_name(group.name, version)
        definitions = [
            {"feature_name": group.entity, "feature_type": _AWS.entity_feature_type},
            {"feature_name": group.event_time, "feature_type": _AWS.event_time_feature_type},
        ]
        definitions += [
            {"feature_name": feature, "feature_type": _AWS.feature_store_type(kind)}
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
                "table_name": table,
            },
        }
        online = None
        if feature_store.online:
            online = {"enable_online_store": True, "storage_type": "Standard"}
            if key_arn is not None:
                online["security_config"] = {"kms_key_id": key_arn}
        self.feature_groups[group.name] = aws.sagemaker.FeatureGroup(
            ctx.name("fg", group.name),
            feature_group_name=feature_group_name(ctx.prefix, group, feature_store.online),
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
        return version, table

    def _athena_workgroup(self, ctx: PlatformContext, base: Base, tags: dict) -> dict:
        """Athena: the offline store's query workgroup, its results encrypted like the data; returns the
        result configuration."""
        key_arn = base.key_arn
        results = {"output_location": pulumi.Output.concat("s3://", base.data_bucket.bucket, f"/{ATHENA_RESULTS_PREFIX}/")}
        if key_arn is not None:
            results["encryption_configuration"] = {"encryption_option": "SSE_KMS", "kms_key_arn": key_arn}
        else:
            results["encryption_configuration"] = {"encryption_option": "SSE_S3"}
        self.workgroup = aws.athena.Workgroup(
            ctx.name("features-athena"),
            name=ctx.name("features"),
            description=f"mlplat {ctx.prefix}: queries over the offline feature store",
            configuration={
                "enforce_workgroup_configuration": True,  # clients cannot send results elsewhere
                "publish_cloudwatch_metrics_enabled": True,
                "result_configuration": results,
            },
            force_destroy=False,
            tags=tags,
            opts=ctx.child(self),
        )
        return results


def _offline_store_statements(base: Base, offline_objects, glue_base, database_name) -> list[dict]:
    """What SageMaker Feature Store writes for the offline store: its objects, the bucket, the Glue tables."""
    return [
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
                pulumi.Output.concat(glue_base, ":database/", database_name),
                pulumi.Output.concat(glue_base, ":table/", database_name, "/*"),
            ],
        },
    ]


def _execution_role_statements(group_arns: list, glue_base, database_name, workgroup_arn) -> list[dict]:
    """What training jobs need to write and read features (the platform's execution role)."""
    return [
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
                pulumi.Output.concat(glue_base, ":database/", database_name),
                pulumi.Output.concat(glue_base, ":table/", database_name, "/*"),
            ],
        },
        {
            "Sid": "OfflineStoreQueries",
            "Effect": "Allow",
            "Action": [
                "athena:StartQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "athena:StopQueryExecution",
                "athena:GetWorkGroup",
            ],
            "Resource": [workgroup_arn],
        },
    ]
