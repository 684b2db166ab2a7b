"""Feature store on every cloud: offline plans of the reference stacks (each also rendered on the other two
clouds), URN stability when feature groups are reordered or added, and feature types a cloud cannot store."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from mlplat.offline_plan import plan_file
from components.spec import SpecError, load_spec_file, load_stack
from components.spec.feature_types import parse_feature_type, unstorable_features
from tests.support.plans import CLOUDS, RENDERINGS, STACKS_DIR, one_resource, platform_document, reference_plan, resources_of, spec_of, write_spec


# Resources of the feature store that hold data or registrations: protected in prod, never replaced.
STATEFUL = {
    "aws:sagemaker/featureGroup:FeatureGroup",
    "aws:glue/catalogDatabase:CatalogDatabase",
    "azure-native:machinelearningservices:Workspace",
    "azure-native:redis:Redis",
    "azure-native:machinelearningservices:FeaturestoreEntityContainerEntity",
    "azure-native:machinelearningservices:FeaturesetContainerEntity",
    # Azure asset *versions* are immutable and retained (never deleted), not protected: a schema change
    # registers a new version (tests/azure/test_feature_store_access_and_versions.py).
    "gcp:bigquery/dataset:Dataset",
    "gcp:bigquery/table:Table",
    "gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore",
    "gcp:vertex/aiFeatureGroup:AiFeatureGroup",
}


def feature_resources(plan):
    return [r for r in plan.custom_resources() if r.capability == "feature_store"]


def planned_groups(plan) -> dict[str, dict]:
    """{group name: {"entity", "event_time", "features": {name: cloud type}}} read back from the plan."""
    groups: dict[str, dict] = {}
    if plan.cloud == "aws":
        prefix = f"{plan.spec['name']}-{plan.environment}-"
        for fg in resources_of(plan, "aws:sagemaker/featureGroup:FeatureGroup", "feature_store"):
            entity, event_time = fg.inputs["recordIdentifierFeatureName"], fg.inputs["eventTimeFeatureName"]
            definitions = {d["featureName"]: d["featureType"] for d in fg.inputs["featureDefinitions"]}
            assert definitions.pop(entity) == "String" and definitions.pop(event_time) == "String"
            # the physical name ends in the schema version (-s<8 hex>, see tests/aws/test_feature_groups.py)
            name, _, version = fg.inputs["featureGroupName"].removeprefix(prefix).rpartition("-")
            assert len(version) == 9 and version.startswith("s"), version
            groups[name] = {
                "entity": entity, "event_time": event_time, "features": definitions,
            }
    elif plan.cloud == "gcp":
        tables = {t.inputs["tableId"]: t for t in resources_of(plan, "gcp:bigquery/table:Table", "feature_store")}
        for fg in resources_of(plan, "gcp:vertex/aiFeatureGroup:AiFeatureGroup", "feature_store"):
            name = fg.inputs["name"]
            (entity,) = fg.inputs["bigQuery"]["entityIdColumns"]
            uri = fg.inputs["bigQuery"]["bigQuerySource"]["inputUri"]
            assert uri.startswith("bq://") and uri.endswith(f".{name}_source"), uri
            view = tables[f"{name}_source"].inputs["view"]["query"]
            table = tables[name]
            schema = {f["name"]: f for f in json.loads(table.inputs["schema"])}
            event_time = table.inputs["timePartitioning"]["field"]
            assert f"`{event_time}` AS feature_timestamp" in view, view
            assert schema[entity]["type"] == "STRING" and schema[event_time]["type"] == "TIMESTAMP"
            features = {
                f.inputs["name"]: schema[f.inputs["name"]]["type"] + ("[]" if schema[f.inputs["name"]]["mode"] == "REPEATED" else "")
                for f in resources_of(plan, "gcp:vertex/aiFeatureGroupFeature:AiFeatureGroupFeature", "feature_store")
                if f.parent == fg.urn
            }
            groups[name.replace("_", "-")] = {"entity": entity, "event_time": event_time, "features": features}
    else:
        entity_assets = resources_of(plan, "azure-native:machinelearningservices:FeaturestoreEntityVersion", "feature_store")
        entities = {e.inputs["name"]: e.inputs["properties"]["indexColumns"] for e in entity_assets}
        entity_versions = {e.inputs["name"]: e.inputs["version"] for e in entity_assets}
        for fs in resources_of(plan, "azure-native:machinelearningservices:FeaturesetVersion", "feature_store"):
            props = fs.inputs["properties"]
            entity = props["properties"]["mlplat.entity"]
            assert props["entities"] == [f"azureml:{entity}:{entity_versions[entity]}"]
            assert entities[entity] == [{"columnName": entity, "dataType": "String"}]
            features = {
                k.removeprefix("mlplat.feature."): v for k, v in props["properties"].items() if k.startswith("mlplat.feature.")
            }
            groups[fs.inputs["name"]] = {
                "entity": entity, "event_time": props["properties"]["mlplat.event_time"], "features": features,
            }
    return groups


def expected_type(cloud: str, neutral: str) -> str:
    parsed = parse_feature_type(neutral)
    if parsed.kind == "vector":
        assert cloud == "gcp"
        return "FLOAT64[]"
    return STORE_TYPES[cloud][parsed.kind]


# What each feature store holds a neutral type as, written out here (not read from the clouds' maps) so
# that a change to a cloud's `feature_types` shows up as a failing plan test.
STORE_TYPES = {
    "aws": {"int": "Integral", "float": "Fractional", "string": "String", "bool": "Integral", "timestamp": "String"},
    "azure": {"int": "long", "float": "double", "string": "string", "bool": "boolean", "timestamp": "datetime"},
    "gcp": {"int": "INT64", "float": "FLOAT64", "string": "STRING", "bool": "BOOL", "timestamp": "TIMESTAMP"},
}


# -- reference stacks ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_one_feature_group_per_spec_entry_with_entity_event_time_and_features(stack, cloud):
    plan = reference_plan(stack, cloud)
    spec = spec_of(stack, cloud)
    expected = {
        g.name: {
            "entity": g.entity,
            "event_time": g.event_time,
            "features": {name: expected_type(cloud, kind) for name, kind in g.features.items()},
        }
        for g in spec.feature_store.feature_groups
    }
    assert expected, "the reference stacks declare feature groups"
    assert planned_groups(plan) == expected


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_online_store_only_when_asked(stack, cloud):
    plan = reference_plan(stack, cloud)
    online = spec_of(stack, cloud).feature_store.online
    assert online == stack.endswith("prod"), "reference stacks: dev offline only, prod online"
    groups = len(spec_of(stack, cloud).feature_store.feature_groups)
    if cloud == "aws":
        for fg in resources_of(plan, "aws:sagemaker/featureGroup:FeatureGroup", "feature_store"):
            config = fg.inputs.get("onlineStoreConfig")
            assert bool(config and config.get("enableOnlineStore")) == online
            assert fg.inputs["offlineStoreConfig"]["tableFormat"] == "Iceberg"
    elif cloud == "gcp":
        stores = resources_of(plan, "gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore", "feature_store")
        views = resources_of(plan, "gcp:vertex/aiFeatureOnlineStoreFeatureview:AiFeatureOnlineStoreFeatureview", "feature_store")
        assert len(stores) == (1 if online else 0)
        assert len(views) == (groups if online else 0)
        for store in stores:
            scaling = store.inputs["bigtable"]["autoScaling"]
            assert 1 <= scaling["minNodeCount"] <= scaling["maxNodeCount"]
        for view in views:
            assert view.inputs["syncConfig"]["cron"]
            assert view.inputs["featureOnlineStore"] == stores[0].inputs["name"]
    else:
        workspace = next(
            w for w in resources_of(plan, "azure-native:machinelearningservices:Workspace", "feature_store") if w.inputs["kind"] == "FeatureStore"
        )
        settings = workspace.inputs["featureStoreSettings"]
        assert settings["offlineStoreConnectionName"]
        assert ("onlineStoreConnectionName" in settings) == online
        assert len(resources_of(plan, "azure-native:redis:Redis", "feature_store")) == (1 if online else 0)
        connections = {
            c.inputs["properties"]["category"]
            for c in resources_of(plan, "azure-native:machinelearningservices:WorkspaceConnection", "feature_store")
            if c.capability == "feature_store"
        }
        assert connections == ({"ADLSGen2", "Redis"} if online else {"ADLSGen2"})


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_feature_stores_encrypt_with_the_platform_key_when_asked(stack, cloud):
    plan = reference_plan(stack, cloud)
    cmk = spec_of(stack, cloud).encryption.customer_managed_keys
    assert cmk == stack.endswith("prod")
    if cloud == "aws":
        keys = resources_of(plan, "aws:kms/key:Key", "base")  # the platform key (monitoring has its own)
        key_arn = f"arn:aws:kms:{plan.spec['region']}:123456789012:key/" if cmk else None
        for fg in resources_of(plan, "aws:sagemaker/featureGroup:FeatureGroup", "feature_store"):
            offline_key = fg.inputs["offlineStoreConfig"]["s3StorageConfig"].get("kmsKeyId")
            online_key = (fg.inputs.get("onlineStoreConfig") or {}).get("securityConfig", {}).get("kmsKeyId")
            if cmk:
                assert len(keys) == 1 and offline_key.startswith(key_arn) and online_key == offline_key
                assert keys[0].name in offline_key
            else:
                assert offline_key is None and online_key is None
            assert fg.inputs["offlineStoreConfig"]["s3StorageConfig"]["s3Uri"].startswith("s3://")
    elif cloud == "gcp":
        key_ids = [f"/cryptokeys/{k.inputs['name']}" for k in plan.by_type("gcp:kms/cryptoKey:CryptoKey")]
        dataset = one_resource(plan, "gcp:bigquery/dataset:Dataset", "feature_store")
        dataset_key = (dataset.inputs.get("defaultEncryptionConfiguration") or {}).get("kmsKeyName")
        stores = resources_of(plan, "gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore", "feature_store")
        assert dataset.inputs["deleteContentsOnDestroy"] is False
        if cmk:
            assert len(key_ids) == 1 and dataset_key.endswith(key_ids[0]), (dataset_key, key_ids)
            assert all(s.inputs["encryptionSpec"]["kmsKeyName"] == dataset_key for s in stores)
            grants = {g.name: g.urn for g in plan.by_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")}
            needed = {grants["fraud-ml-prod-key-bigquery"], grants["fraud-ml-prod-key-aiplatform"]}
            # Created only once the service agents may use the key (else: permission denied on first up).
            assert needed <= set(dataset.dependencies)
            assert all(needed <= set(store.dependencies) for store in stores)
        else:
            assert dataset_key is None and all("encryptionSpec" not in s.inputs for s in stores)
    else:
        workspace = next(
            w for w in resources_of(plan, "azure-native:machinelearningservices:Workspace", "feature_store") if w.inputs["kind"] == "FeatureStore"
        )
        encryption = workspace.inputs.get("encryption")
        if cmk:
            assert len(plan.by_type("azure-native:keyvault:Key")) == 1
            platform_workspace = next(
                w for w in plan.by_type("azure-native:machinelearningservices:Workspace") if w.capability == "base"
            )
            assert encryption["status"] == "Enabled" and "/keys/" in encryption["keyVaultProperties"]["keyIdentifier"]
            assert encryption == platform_workspace.inputs["encryption"], "the platform key, as on the platform workspace"
        else:
            assert encryption is None
        assert workspace.inputs["publicNetworkAccess"] == ("Disabled" if spec_of(stack, cloud).network.private else "Enabled")


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_stateful_feature_store_resources_are_protected_exactly_in_prod(stack, cloud):
    plan = reference_plan(stack, cloud)
    stateful = [r for r in feature_resources(plan) if r.type in STATEFUL]
    assert len(stateful) >= 2
    prod = stack.endswith("prod")
    assert all(r.protect == prod for r in stateful), [(r.name, r.protect) for r in stateful]
    if cloud == "gcp":
        for table in resources_of(plan, "gcp:bigquery/table:Table", "feature_store"):
            if "view" not in table.inputs:
                assert table.inputs["deletionProtection"] is prod


@pytest.mark.parametrize("stack,cloud", RENDERINGS)
def test_feature_groups_carry_their_use_case(stack, cloud):
    plan = reference_plan(stack, cloud)
    spec = spec_of(stack, cloud)
    use_cases = {g.use_case for g in spec.feature_store.feature_groups}
    token = {
        "aws": "aws:sagemaker/featureGroup:FeatureGroup",
        "gcp": "gcp:vertex/aiFeatureGroup:AiFeatureGroup",
        "azure": "azure-native:machinelearningservices:FeaturesetVersion",
    }[cloud]
    for resource in plan.by_type(token):
        tags = resource.inputs.get("tags") or resource.inputs.get("labels") or resource.inputs["properties"]["tags"]
        assert tags.get("use-case") in use_cases, resource.name


def test_aws_least_privilege_feature_store_policies():
    plan = reference_plan("aws-prod")
    policies = {p.name: json.loads(p.inputs["policy"]) for p in resources_of(plan, "aws:iam/rolePolicy:RolePolicy", "feature_store") if p.capability == "feature_store"}
    assert {"fraud-ml-prod-feature-store-role-offline", "fraud-ml-prod-execution-role-features"} <= set(policies)
    for name, document in policies.items():
        for statement in document["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert all("*" not in action for action in actions), (name, actions)
            assert "*" not in statement["Resource"], (name, statement)
    (fg,) = resources_of(plan, "aws:sagemaker/featureGroup:FeatureGroup", "feature_store")
    role = next(r for r in resources_of(plan, "aws:iam/role:Role", "feature_store") if r.name == "fraud-ml-prod-feature-store-role")
    assert role.name in fg.inputs["roleArn"]


# -- URN stability ----------------------------------------------------------------------------------------------
EXTRA_GROUP = {
    "name": "accounts",
    "entity": "account_id",
    "event_time": "updated_at",
    "use_case": "fraud-scoring",
    "features": {"age_days": "int", "verified": "bool", "opened_at": "timestamp"},
}
NEW_GROUP = {
    "name": "merchants",
    "entity": "merchant_id",
    "event_time": "event_ts",
    "features": {"chargeback_rate": "float"},
}


@pytest.mark.parametrize("cloud", CLOUDS)
def test_reordering_or_adding_feature_groups_keeps_existing_urns(tmp_path, cloud):
    spec = platform_document("aws-prod")
    spec["feature_store"]["feature_groups"].append(EXTRA_GROUP)
    before = plan_file(write_spec(tmp_path, spec, "before"), cloud, stack="stability")

    changed = copy.deepcopy(spec)
    groups = changed["feature_store"]["feature_groups"]
    changed["feature_store"]["feature_groups"] = [NEW_GROUP, *reversed(groups)]  # insert first, reverse the rest
    after = plan_file(write_spec(tmp_path, changed, "after"), cloud, stack="stability")

    before_urns = {r.urn for r in feature_resources(before)}
    after_urns = {r.urn for r in feature_resources(after)}
    stateful_before = {r.urn for r in feature_resources(before) if r.type in STATEFUL}
    assert len(stateful_before) >= 3  # at least the two groups and the store they live in
    assert stateful_before <= after_urns, sorted(stateful_before - after_urns)
    assert before_urns <= after_urns, sorted(before_urns - after_urns)
    assert len(after_urns) > len(before_urns), "the added group adds resources"
    # Same inputs for the resources that existed: nothing about them changed but their position.
    before_inputs = {r.urn: r.inputs for r in feature_resources(before) if r.type in STATEFUL}
    after_inputs = {r.urn: r.inputs for r in feature_resources(after) if r.type in STATEFUL}
    for urn in before_inputs:
        if urn.endswith(("FeatureStore", ":Workspace")) or "Dataset" in urn.split("::")[0]:
            continue
        assert before_inputs[urn] == after_inputs[urn], urn
    # The registry is untouched by feature groups.
    assert {r.urn for r in before.by_capability("registry")} == {r.urn for r in after.by_capability("registry")}


# -- feature types ------------------------------------------------------------------------------------------------
def spec_with_features(tmp_path: Path, cloud: str, features: dict, online: bool = True) -> Path:
    spec = platform_document("aws-dev")
    spec["feature_store"] = {
        "online": online,
        "feature_groups": [
            {"name": "users", "entity": "user_id", "event_time": "event_ts", "use_case": "support-rag", "features": features}
        ],
    }
    return write_spec(tmp_path, spec, f"types-{cloud}")


@pytest.mark.parametrize("cloud", ["aws", "azure"])
def test_a_vector_feature_is_an_error_naming_the_cloud_that_cannot_store_it(tmp_path, cloud):
    path = spec_with_features(tmp_path, cloud, {"clicks": "int", "embedding": "vector(768)"})
    with pytest.raises(SpecError) as error:
        load_spec_file(path, cloud)
    (line,) = error.value.lines
    assert f"feature_store.feature_groups.0.features.embedding: {cloud} cannot store vector(768) because " in line


def test_gcp_stores_vectors_as_repeated_float64_and_every_scalar_type(tmp_path):
    features = {"embedding": "vector(8)", "active": "bool", "seen_at": "timestamp", "n": "int", "score": "float", "tag": "string"}
    plan = plan_file(spec_with_features(tmp_path, "gcp", features), "gcp", stack="types")
    table = next(t for t in resources_of(plan, "gcp:bigquery/table:Table", "feature_store") if t.inputs["tableId"] == "users")
    schema = {f["name"]: (f["type"], f["mode"]) for f in json.loads(table.inputs["schema"])}
    assert schema["embedding"] == ("FLOAT64", "REPEATED")
    assert schema["active"][0] == "BOOL" and schema["seen_at"][0] == "TIMESTAMP"
    assert schema["n"][0] == "INT64" and schema["score"][0] == "FLOAT64" and schema["tag"][0] == "STRING"
    assert planned_groups(plan)["users"]["features"]["embedding"] == "FLOAT64[]"


def test_aws_maps_bool_and_timestamp_to_sagemaker_types(tmp_path):
    plan = plan_file(spec_with_features(tmp_path, "aws", {"active": "bool", "seen_at": "timestamp"}), "aws", stack="types")
    assert planned_groups(plan)["users"]["features"] == {"active": "Integral", "seen_at": "String"}


def test_unknown_feature_types_are_rejected_with_the_accepted_syntax(tmp_path):
    for bad in ("decimal", "vector(0)", "vector(abc)", "vector(99999)"):
        path = spec_with_features(tmp_path, "gcp", {"x": bad})
        with pytest.raises(SpecError) as error:
            load_spec_file(path, "gcp")
        assert "feature_groups.0.features.x" in error.value.lines[0] and "vector(<dimension>)" in error.value.lines[0], bad


def test_unstorable_features_lists_every_problem():
    spec = load_stack("gcp-dev", STACKS_DIR).spec
    store = spec.feature_store.model_copy(deep=True)
    store.feature_groups[0].features.update({"a": "vector(4)", "b": "vector(16)"})
    assert unstorable_features(store, "gcp") == []
    problems = unstorable_features(store, "azure")
    assert [p.split(":")[0] for p in problems] == [
        "feature_store.feature_groups.0.features.a",
        "feature_store.feature_groups.0.features.b",
    ]
    assert all("azure cannot store vector(" in p and " because " in p for p in problems)
