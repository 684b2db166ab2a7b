"""Azure feature store: an Azure ML managed feature store (a workspace of kind `FeatureStore`).

- the feature store workspace shares the base layer's storage (ADLS Gen2, hierarchical namespace on),
  Key Vault, Application Insights and container registry, and its identity and CMK encryption;
- offline store: a workspace connection to the base ADLS Gen2 `data` container (managed identity auth);
- online store, only when `feature_store.online`: Azure Cache for Redis (Entra ID auth, access keys off,
  TLS 1.2, private endpoint when the platform is private) and its workspace connection;
- feature_store_settings name both connections and the Spark runtime materialization runs on;
- per distinct entity column: a feature store entity (container + version) with that index column;
- per spec feature group: a feature set (container + version) on that entity, whose specification
  folder is `feature-store/specs/<group>/<version>/` in the `data` container (the FeaturesetSpec.yaml
  to put there is generated from the spec and exported as `featureset_specs`, with its folder).

Versions: Azure ML asset versions are immutable, so a version is a hash of what defines the asset
(entity: its index column and type; feature set: entity version, event time, features and types). A
schema change registers a NEW version; earlier versions stay in Azure (retain_on_delete: Pulumi forgets
them, it never deletes them), so consumers pinned to an old version keep working. Version resources are
not `protect`ed for that reason (they are immutable and never deleted); their containers are.

Logical names come from the feature group's NAME / the entity column (never a list position), so
reordering or adding groups never changes the URN of an existing one.
"""

from __future__ import annotations

import hashlib
import json

import pulumi
import pulumi_azure_native as azure
import yaml

from ..contract import FeatureStoreComponent
from ..context import PlatformContext
from ..spec.features import FeatureStoreSpec
from . import roles
from .base import Base
from .names import unique_name, workspace_name
from .private_network import WORKSPACE_ZONES
from ..outputs import FeatureStoreOutputs
from .cloud import AzureCloud

_AZURE = AzureCloud()  # feature store column types (components/azure/cloud.py)

SPARK_RUNTIME = "3.4"
OFFLINE_CONNECTION = "offline-store"
ONLINE_CONNECTION = "online-store"
SPEC_PREFIX = "feature-store/specs"
OFFLINE_PREFIX = "feature-store/data"
# The version every asset had before versions were derived from the schema: the logical names of the
# version resources used to end in it, kept as aliases so existing stacks move over without a new URN.
LEGACY_VERSION = "1"
MATERIALIZATION_INSTANCE = "standard_e8s_v3"
REDIS_CONTRIBUTOR = "e0f68234-74aa-48ed-b826-c38b57376e17"  # "Redis Cache Contributor" built-in role
# Entra ID data-plane access to the cache (the role above is management plane only): a built-in Redis
# access policy; materialization writes and serving reads feature values.
REDIS_DATA_ACCESS_POLICY = "Data Contributor"
REDIS_ZONE = "privatelink.redis.cache.windows.net"
ENTITY_INDEX_TYPE = "String"  # ARM enum spelling


def schema_version(document: dict) -> str:
    """A stable asset version for `document` (what defines the asset): same schema, same version."""
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:10]


def entity_version(entity: str) -> str:
    return schema_version({"index_columns": [{"column_name": entity, "data_type": ENTITY_INDEX_TYPE}]})


def featureset_version(group) -> str:
    return schema_version(
        {
            "entity": f"{group.entity}:{entity_version(group.entity)}",
            "event_time": group.event_time,
            "features": {name: _AZURE.feature_store_type(kind) for name, kind in group.features.items()},
        }
    )


def featureset_spec(group, source_path: str) -> str:
    """The FeaturesetSpec.yaml of one feature group (Azure ML feature set specification)."""
    document = {
        "$schema": "http://azureml/sdk-2-0/FeatureSetSpec.json",
        "source": {
            "type": "deltatable",
            "path": source_path,
            "timestamp_column": {"name": group.event_time},
        },
        "features": [{"name": name, "type": _AZURE.feature_store_type(kind)} for name, kind in group.features.items()],
        "index_columns": [{"name": group.entity, "type": _AZURE.entity_feature_type}],
    }
    return yaml.safe_dump(document, sort_keys=False)


class FeatureStore(FeatureStoreComponent):
    CLOUD = "azure"
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
        account = base.storage_account.name
        data_container = "data"  # the base layer's data container (container_name = purpose there)
        abfss = pulumi.Output.format("abfss://{0}@{1}.dfs.core.windows.net", data_container, account)

        self._online_store(ctx, base, feature_store, tags)
        ws = self._workspace_with_connections(ctx, base, tags, abfss)
        entity_versions = self._entities(ctx, base, feature_store, ws, tags)

        # -- feature sets: one per feature group ---------------------------------------------------------------
        self.featuresets: dict[str, azure.machinelearningservices.FeaturesetVersion] = {}
        specs: dict[str, pulumi.Output] = {}
        versions: dict[str, str] = {}
        for group in feature_store.feature_groups:
            versions[group.name], specs[group.name] = self._featureset(ctx, base, group, ws, abfss, entity_versions)

        self.finish(
            FeatureStoreOutputs(
                online=feature_store.online,
                offline_store=pulumi.Output.concat(abfss, f"/{OFFLINE_PREFIX}"),
                online_store=self.redis.host_name if self.redis is not None else None,
                feature_groups={group_name: group_name for group_name in self.featuresets},
                extras={
                    "feature_store": ws,
                    "featureset_spec_folder": pulumi.Output.concat(abfss, f"/{SPEC_PREFIX}"),
                    "featureset_specs": specs,
                    "feature_groups": {group_name: {"version": versions[group_name]} for group_name in self.featuresets},
                },
            )
        )

    def _online_store(self, ctx: PlatformContext, base: Base, feature_store: FeatureStoreSpec, tags: dict) -> None:
        """The online store: Azure Cache for Redis with Entra ID access only (no access keys), when the spec asks
        for online serving."""
        rg, location, private = base.resource_group.name, ctx.spec.region, ctx.private
        public_access = "Disabled" if private else "Enabled"
        self.redis: azure.redis.Redis | None = None
        if feature_store.online:
            premium = ctx.protect or private
            self.redis = azure.redis.Redis(
                ctx.name("online-features"),
                name=unique_name(ctx.settings.azure_subscription_id, ctx.prefix, "fs-redis", 63, hyphens=True),
                resource_group_name=rg,
                location=location,
                sku={"name": "Premium", "family": "P", "capacity": 1} if premium else {"name": "Standard", "family": "C", "capacity": 1},
                minimum_tls_version="1.2",
                enable_non_ssl_port=False,
                disable_access_key_authentication=True,
                redis_configuration={"aad_enabled": "true"},
                public_network_access=public_access,
                identity={"type": "UserAssigned", "user_assigned_identities": [base.identity.id]},
                tags=tags,
                opts=ctx.stateful(self),
            )
            roles.assign(
                ctx.name("identity-feature-redis"),
                base.subscription_id,
                base.identity.principal_id,
                REDIS_CONTRIBUTOR,
                self.redis.id,
                self,
            )
            # Access keys are off: the identity reads and writes through Entra ID, which needs a data
            # access policy assignment on the cache (the username is the identity's object id).
            self.redis_access = azure.redis.AccessPolicyAssignment(
                ctx.name("identity-feature-redis-data"),
                cache_name=self.redis.name,
                resource_group_name=rg,
                access_policy_name=REDIS_DATA_ACCESS_POLICY,
                object_id=base.identity.principal_id,
                object_id_alias=base.identity.principal_id,
                opts=ctx.child(self.redis),
            )
            if private:
                base.private_endpoint(self.redis.id, "redisCache", REDIS_ZONE, tags)

    def _workspace_with_connections(self, ctx: PlatformContext, base: Base, tags: dict, abfss) -> pulumi.Output:
        """The feature store workspace (sharing the platform workspace's companions) and its offline (ADLS) and
        online (Redis) store connections through the platform identity; returns the workspace name."""
        rg, private = base.resource_group.name, ctx.private
        settings = {
            "compute_runtime": {"spark_runtime_version": SPARK_RUNTIME},
            "offline_store_connection_name": OFFLINE_CONNECTION,
        }
        if self.redis is not None:
            settings["online_store_connection_name"] = ONLINE_CONNECTION
        self.workspace = azure.machinelearningservices.Workspace(
            ctx.name("feature-store"),
            workspace_name=workspace_name(ctx.prefix, "fs"),
            kind="FeatureStore",
            **base.workspace_arguments(),
            feature_store_settings=settings,
            tags=tags,
            opts=ctx.stateful(self, depends_on=base.workspace_dependencies),
        )
        ws = self.workspace.name
        if private:
            self._workspace_endpoint(ctx, base, tags)

        identity_credentials = {"client_id": base.identity.client_id, "resource_id": base.identity.id}
        azure.machinelearningservices.WorkspaceConnection(
            ctx.name("feature-store-offline"),
            connection_name=OFFLINE_CONNECTION,
            resource_group_name=rg,
            workspace_name=ws,
            properties={
                "auth_type": "ManagedIdentity",
                "category": "ADLSGen2",
                "target": pulumi.Output.concat(abfss, f"/{OFFLINE_PREFIX}"),
                "credentials": identity_credentials,
            },
            opts=ctx.child(self.workspace),
        )
        if self.redis is not None:
            azure.machinelearningservices.WorkspaceConnection(
                ctx.name("feature-store-online"),
                connection_name=ONLINE_CONNECTION,
                resource_group_name=rg,
                workspace_name=ws,
                properties={
                    "auth_type": "ManagedIdentity",
                    "category": "Redis",
                    "target": self.redis.id,
                    "credentials": identity_credentials,
                },
                opts=ctx.child(self.workspace),
            )
        return ws

    def _entities(self, ctx: PlatformContext, base: Base, feature_store: FeatureStoreSpec, ws, tags: dict) -> dict:
        """One feature store entity (container and version) per distinct entity column; returns the versions."""
        rg = base.resource_group.name
        entity_versions: dict[str, azure.machinelearningservices.FeaturestoreEntityVersion] = {}
        for entity in sorted({group.entity for group in feature_store.feature_groups}):
            logical = entity.replace("_", "-")
            version = entity_version(entity)
            container = azure.machinelearningservices.FeaturestoreEntityContainerEntity(
                ctx.name("entity", logical),
                name=entity,
                resource_group_name=rg,
                workspace_name=ws,
                properties={"description": f"entity keyed by {entity}", "tags": tags},
                opts=ctx.stateful(self.workspace),
            )
            entity_versions[entity] = azure.machinelearningservices.FeaturestoreEntityVersion(
                ctx.name("entity", logical, "version"),
                name=entity,
                version=version,
                resource_group_name=rg,
                workspace_name=ws,
                properties={
                    "description": f"entity keyed by {entity}",
                    "index_columns": [{"column_name": entity, "data_type": ENTITY_INDEX_TYPE}],
                    "tags": tags,
                },
                opts=self._version_options(ctx, container, ctx.name("entity", logical, LEGACY_VERSION)),
            )
        return entity_versions

    def _featureset(self, ctx: PlatformContext, base: Base, group, ws, abfss, entity_versions: dict) -> tuple[str, pulumi.Output]:
        """The feature set of one feature group (container and immutable version, materialised hourly);
        returns its version and its specification (folder and FeaturesetSpec.yaml to upload)."""
        rg = base.resource_group.name
        group_tags = ctx.tags(use_case=group.use_case)
        version = featureset_version(group)
        source = pulumi.Output.concat(abfss, f"/{OFFLINE_PREFIX}/{group.name}/")
        # One specification folder per version: an existing version's specification never changes.
        spec_path = pulumi.Output.concat(abfss, f"/{SPEC_PREFIX}/{group.name}/{version}/")
        spec = pulumi.Output.all(source, spec_path).apply(
            lambda paths, g=group: {"folder": paths[1], "FeaturesetSpec.yaml": featureset_spec(g, paths[0])}
        )
        container = azure.machinelearningservices.FeaturesetContainerEntity(
            ctx.name("featureset", group.name),
            name=group.name,
            resource_group_name=rg,
            workspace_name=ws,
            properties={"description": f"feature group {group.name} (entity {group.entity})", "tags": group_tags},
            opts=ctx.stateful(self.workspace),
        )
        materialization = {
            "store_type": "OnlineAndOffline" if self.redis is not None else "Offline",
            "schedule": {"trigger_type": "Recurrence", "frequency": "Hour", "interval": 1},
            "resource": {"instance_type": MATERIALIZATION_INSTANCE},
        }
        self.featuresets[group.name] = azure.machinelearningservices.FeaturesetVersion(
            ctx.name("featureset", group.name, "version"),
            name=group.name,
            version=version,
            resource_group_name=rg,
            workspace_name=ws,
            properties={
                "description": (
                    f"feature group {group.name}: entity {group.entity}, event time {group.event_time} "
                    f"({_AZURE.event_time_feature_type}), features {', '.join(group.features)}"
                ),
                "entities": [f"azureml:{group.entity}:{entity_version(group.entity)}"],
                # What the spec asked for, on the asset itself (the spec file holds the same).
                "properties": {
                    "mlplat.entity": group.entity,
                    "mlplat.event_time": group.event_time,
                    **{f"mlplat.feature.{f}": _AZURE.feature_store_type(k) for f, k in group.features.items()},
                },
                "specification": {"path": spec_path},
                "materialization_settings": materialization,
                "stage": "Production" if ctx.protect else "Development",
                "tags": group_tags,
            },
            opts=self._version_options(
                ctx, container, ctx.name("featureset", group.name, LEGACY_VERSION), [entity_versions[group.entity]]
            ),
        )
        return version, spec

    @staticmethod
    def _version_options(ctx: PlatformContext, container, legacy_name: str, depends_on=None) -> pulumi.ResourceOptions:
        """An immutable asset version: a new version replaces it in the program, the old one is kept in
        Azure (retain_on_delete; never protect, which would refuse the replacement). The alias carries a
        stack created with the fixed version "1" over to the versioned resource without a new URN."""
        return pulumi.ResourceOptions(
            parent=container,
            protect=False,  # explicit: children inherit `protect` from their (protected) container
            retain_on_delete=True,
            depends_on=depends_on or [],
            aliases=[pulumi.Alias(name=legacy_name)],
        )

    def _workspace_endpoint(self, ctx: PlatformContext, base, tags: dict) -> None:
        """A private endpoint for the feature store workspace in the platform's workspace DNS zones."""
        base.private_endpoint(
            self.workspace.id, "amlworkspace", WORKSPACE_ZONES, tags, name="feature-store", parent=self.workspace
        )
