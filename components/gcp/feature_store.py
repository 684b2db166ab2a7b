"""GCP feature store: Vertex AI Feature Store over BigQuery.

- one BigQuery dataset (the offline store; platform key when customer-managed keys are on);
- per spec feature group: a BigQuery table with the entity, the event time and the features
  (partitioned by day on the event time, clustered by entity; deletion protection in prod) and a view
  over it that renames the event time to `feature_timestamp`, the column Vertex AI Feature Store reads
  time series from;
- per feature group a Vertex AI feature group on that view (entity id column = the entity) with one
  feature per spec feature;
- when `feature_store.online`: one online store (Bigtable with autoscaling) and per feature group a
  feature view that syncs the latest values online on a schedule.

Logical names come from the feature group's NAME (never its list position), so reordering or adding
groups never changes the URN of an existing group. Every resource waits for the base layer's APIs.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_gcp as gcp

from ..contract import FeatureStoreComponent
from ..context import PlatformContext
from ..spec.feature_types import parse_feature_type
from ..spec.features import FeatureStoreSpec
from .base import Base
from ..outputs import FeatureStoreOutputs
from .cloud import GcpCloud
from .names import bq_name

_GCP = GcpCloud()  # feature store column types (components/gcp/cloud.py)

FEATURE_TIMESTAMP = "feature_timestamp"  # the column name Vertex AI Feature Store requires
SYNC_CRON = "TZ=UTC 0 * * * *"  # hourly online sync
BIGTABLE_NODES = {"dev": (1, 2), "staging": (1, 3), "prod": (2, 6)}  # (min, max) autoscaling nodes
BIGTABLE_CPU_TARGET = 60


def bigquery_field(name: str, feature_type: str) -> dict:
    """The BigQuery schema field of one feature column: a vector is a REPEATED column of its element type."""
    parsed = parse_feature_type(feature_type)
    column_type = _GCP.feature_store_type(feature_type)
    if parsed.kind == "vector":
        return {"name": name, "type": column_type, "mode": "REPEATED", "description": f"mlplat vector({parsed.dimension})"}
    return {"name": name, "type": column_type, "mode": "NULLABLE"}


def table_schema(group) -> str:
    fields = [
        {"name": group.entity, "type": _GCP.entity_feature_type, "mode": "REQUIRED", "description": "entity id"},
        {"name": group.event_time, "type": _GCP.event_time_feature_type, "mode": "REQUIRED", "description": "event time"},
    ]
    fields += [bigquery_field(name, kind) for name, kind in group.features.items()]
    return json.dumps(fields)


class FeatureStore(FeatureStoreComponent):
    CLOUD = "gcp"
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
        labels = ctx.tags()
        project = base.project
        after_apis: list[pulumi.Resource] = list(base.services)

        # -- service agents that touch the data: BigQuery (dataset CMK) and Vertex AI (sync, online store) --
        vertex_agent = base.service_agent("aiplatform")
        # Resources encrypted with the platform key wait for the agents' key grants.
        after_apis = [*after_apis, *base.key_access("bigquery"), *base.key_access("aiplatform")]

        self._offline_store(ctx, base, labels, after_apis, vertex_agent)
        self._online_store(ctx, base, feature_store, labels, after_apis)

        # -- per feature group ---------------------------------------------------------------------------
        self.tables: dict[str, gcp.bigquery.Table] = {}
        self.feature_groups: dict[str, gcp.vertex.AiFeatureGroup] = {}
        self.feature_views: dict[str, gcp.vertex.AiFeatureOnlineStoreFeatureview] = {}
        for group in feature_store.feature_groups:
            self._feature_group(ctx, base, group, after_apis)

        self.finish(
            FeatureStoreOutputs(
                online=feature_store.online,
                offline_store=pulumi.Output.format("{0}.{1}", project, self.dataset.dataset_id),
                online_store=self.online_store.name if self.online_store else None,
                feature_groups={group_name: fg.name for group_name, fg in self.feature_groups.items()},
                extras={
                    "feature_groups": {
                        group_name: {
                            "table": pulumi.Output.format(
                                "{0}.{1}.{2}", project, self.dataset.dataset_id, self.tables[group_name].table_id
                            ),
                            "feature_view": (
                                self.feature_views[group_name].name if group_name in self.feature_views else None
                            ),
                        }
                        for group_name in self.feature_groups
                    },
                },
            )
        )

    def _offline_store(self, ctx: PlatformContext, base: Base, labels: dict, after_apis: list, vertex_agent) -> None:
        """The offline store: one BigQuery dataset, read by the Vertex AI agent and written by the workloads."""
        project, region = base.project, ctx.spec.region
        prevent = {"deletion_policy": "PREVENT"} if ctx.protect else {}
        dataset_id = bq_name(ctx.prefix, "features")
        self.dataset = gcp.bigquery.Dataset(
            ctx.name("feature-dataset"),
            project=project,
            dataset_id=dataset_id,
            friendly_name=f"mlplat {ctx.prefix} features",
            description=f"mlplat {ctx.prefix}: offline feature store (Vertex AI Feature Store source tables)",
            location=region,
            default_encryption_configuration={"kms_key_name": base.key_id} if base.key_id is not None else None,
            delete_contents_on_destroy=False,
            labels=labels,
            opts=ctx.stateful(self, depends_on=after_apis),
            **prevent,
        )
        gcp.bigquery.DatasetIamMember(
            ctx.name("feature-dataset-workloads"),
            project=project,
            dataset_id=self.dataset.dataset_id,
            role="roles/bigquery.dataEditor",
            member=base.workload_account.member,
            opts=ctx.child(self.dataset),
        )
        gcp.bigquery.DatasetIamMember(
            ctx.name("feature-dataset-vertex-agent"),
            project=project,
            dataset_id=self.dataset.dataset_id,
            role="roles/bigquery.dataViewer",
            member=vertex_agent,
            opts=ctx.child(self.dataset),
        )
        gcp.projects.IAMMember(
            ctx.name("features-workloads-bigquery-jobs"),
            project=project,
            role="roles/bigquery.jobUser",
            member=base.workload_account.member,
            opts=ctx.child(self, depends_on=after_apis),
        )

    def _online_store(self, ctx: PlatformContext, base: Base, feature_store: FeatureStoreSpec, labels: dict,
                      after_apis: list) -> None:
        """The Bigtable online store (autoscaled per environment), when the spec asks for online serving."""
        project, region = base.project, ctx.spec.region
        prevent = {"deletion_policy": "PREVENT"} if ctx.protect else {}
        self.online_store: gcp.vertex.AiFeatureOnlineStore | None = None
        if feature_store.online:
            min_nodes, max_nodes = BIGTABLE_NODES[ctx.spec.environment.value]
            self.online_store = gcp.vertex.AiFeatureOnlineStore(
                ctx.name("online-features"),
                project=project,
                region=region,
                name=bq_name(ctx.prefix, "online"),
                bigtable={
                    "auto_scaling": {
                        "min_node_count": min_nodes,
                        "max_node_count": max_nodes,
                        "cpu_utilization_target": BIGTABLE_CPU_TARGET,
                    }
                },
                encryption_spec={"kms_key_name": base.key_id} if base.key_id is not None else None,
                force_destroy=False,
                labels=labels,
                opts=ctx.stateful(self, depends_on=after_apis),
                **prevent,
            )

    def _feature_group(self, ctx: PlatformContext, base: Base, group, after_apis: list) -> None:
        """One spec feature group: its partitioned table, the source view with the timestamp column Vertex AI
        requires, the feature group and its features, and a feature view when there is an online store."""
        project, region = base.project, ctx.spec.region
        prevent = {"deletion_policy": "PREVENT"} if ctx.protect else {}
        group_labels = ctx.tags(use_case=group.use_case)
        table_id = bq_name(group.name)
        table = gcp.bigquery.Table(
            ctx.name("feature-table", group.name),
            project=project,
            dataset_id=self.dataset.dataset_id,
            table_id=table_id,
            description=f"feature group {group.name}: entity {group.entity}, event time {group.event_time}",
            schema=table_schema(group),
            time_partitioning={"type": "DAY", "field": group.event_time},
            clusterings=[group.entity],
            encryption_configuration={"kms_key_name": base.key_id} if base.key_id is not None else None,
            deletion_protection=ctx.protect,
            labels=group_labels,
            opts=ctx.stateful(self.dataset),
        )
        self.tables[group.name] = table
        columns = ", ".join(f"`{feature}`" for feature in group.features)
        query = pulumi.Output.format(
            "SELECT `{0}`, `{1}` AS {2}, {3} FROM `{4}.{5}.{6}`",
            group.entity,
            group.event_time,
            FEATURE_TIMESTAMP,
            columns,
            project,
            self.dataset.dataset_id,
            table.table_id,
        )
        source = gcp.bigquery.Table(
            ctx.name("feature-source", group.name),
            project=project,
            dataset_id=self.dataset.dataset_id,
            table_id=f"{table_id}_source",
            description=f"feature group {group.name}: the table with {group.event_time} as {FEATURE_TIMESTAMP}",
            view={"query": query, "use_legacy_sql": False},
            deletion_protection=False,  # a view holds no data
            labels=group_labels,
            opts=ctx.child(table),
        )
        feature_group = gcp.vertex.AiFeatureGroup(
            ctx.name("fg", group.name),
            project=project,
            region=region,
            name=bq_name(group.name),
            description=f"mlplat {ctx.prefix}: feature group {group.name} (entity {group.entity})",
            big_query={
                "big_query_source": {
                    "input_uri": pulumi.Output.format("bq://{0}.{1}.{2}", project, self.dataset.dataset_id, source.table_id)
                },
                "entity_id_columns": [group.entity],
            },
            labels=group_labels,
            opts=ctx.stateful(self, depends_on=after_apis),
            **prevent,
        )
        self.feature_groups[group.name] = feature_group
        features = [
            gcp.vertex.AiFeatureGroupFeature(
                ctx.name("fg", group.name, feature),
                project=project,
                region=region,
                feature_group=feature_group.name,
                name=feature,
                version_column_name=feature,
                description=f"{feature}: {kind}",
                labels=group_labels,
                opts=ctx.child(feature_group),
            )
            for feature, kind in group.features.items()
        ]
        if self.online_store is not None:
            self.feature_views[group.name] = gcp.vertex.AiFeatureOnlineStoreFeatureview(
                ctx.name("fv", group.name),
                project=project,
                region=region,
                name=bq_name(group.name),
                feature_online_store=self.online_store.name,
                feature_registry_source={
                    "feature_groups": [
                        {"feature_group_id": feature_group.name, "feature_ids": list(group.features)}
                    ]
                },
                sync_config={"cron": SYNC_CRON},
                labels=group_labels,
                opts=ctx.child(self.online_store, depends_on=features),
            )
