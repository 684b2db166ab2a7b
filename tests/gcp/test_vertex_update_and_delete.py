"""The Vertex AI deployer updates and deletes: traffic moves before anything is undeployed, versions changed
or removed outside Pulumi come back, and models still served are kept."""

from __future__ import annotations

from google.cloud import aiplatform_v1
import pytest

from components.gcp.vertex_deployer import REPLICA_MASK, display_name
from tests.support.fake_vertex import fake, provider  # noqa: F401 (fixtures)
from tests.support.fake_vertex import ENDPOINT, deployer_props, split_by_version


def test_update_of_the_split_only_moves_traffic(provider, fake):
    created = provider.create(deployer_props())
    fake.calls.clear()
    news = deployer_props(stable=75, canary=25)
    assert provider.diff(ENDPOINT, created.outs, news).changes
    assert provider.diff(ENDPOINT, created.outs, news).replaces == []
    updated = provider.update(ENDPOINT, created.outs, news)
    assert fake.changes() == ["update_endpoint"]
    assert split_by_version(updated.outs) == {"stable": 75, "canary": 25}
    assert fake.traffic == updated.outs["traffic_split"]


def test_update_of_a_canary_artifact_redeploys_it_before_retiring_the_old_one(provider, fake):
    created = provider.create(deployer_props())
    old_canary = created.outs["deployed"]["canary"]
    fake.calls.clear()
    updated = provider.update(ENDPOINT, created.outs, deployer_props(canary_artifact="gs://b/models/ep/canary-v2/"))
    assert fake.changes() == ["upload_model", "deploy_model", "update_endpoint", "undeploy_model", "delete_model"]
    new_canary = updated.outs["deployed"]["canary"]
    assert new_canary["deployed_model_id"] != old_canary["deployed_model_id"]
    assert updated.outs["deployed"]["stable"] == created.outs["deployed"]["stable"]
    assert old_canary["model"] not in fake.models
    assert split_by_version(updated.outs) == {"stable": 90, "canary": 10}


def _undeploy_outside_pulumi(fake, deployed_model_id):
    """What `gcloud ai endpoints undeploy-model` (or the console) does: traffic first, then undeploy."""
    fake.deployed.pop(deployed_model_id)
    rest = {k: v for k, v in fake.traffic.items() if k in fake.deployed}
    fake.traffic = {k: (100 if i == 0 else 0) for i, k in enumerate(rest)} if rest else {}


def test_a_version_undeployed_outside_pulumi_is_redeployed_and_its_model_kept(provider, fake):
    created = provider.create(deployer_props())
    canary = created.outs["deployed"]["canary"]
    _undeploy_outside_pulumi(fake, canary["deployed_model_id"])
    fake.calls.clear()
    updated = provider.update(ENDPOINT, created.outs, deployer_props())  # same inputs: the state is stale
    assert "upload_model" not in fake.names()  # the uploaded model is reused...
    assert "delete_model" not in fake.names()  # ...and never deleted while deployed
    redeployed = updated.outs["deployed"]["canary"]
    assert redeployed["model"] == canary["model"] and redeployed["deployed_model_id"] != canary["deployed_model_id"]
    assert canary["model"] in fake.models
    assert fake.deployed[redeployed["deployed_model_id"]].model == canary["model"]
    assert split_by_version(updated.outs) == {"stable": 90, "canary": 10} and fake.traffic == updated.outs["traffic_split"]
    # ...and the next run is a no-op, not the same failure again.
    fake.calls.clear()
    provider.update(ENDPOINT, updated.outs, deployer_props())
    assert fake.changes() == ["update_endpoint"]


def test_an_endpoint_emptied_outside_pulumi_gets_every_version_back(provider, fake):
    created = provider.create(deployer_props())
    for item in created.outs["deployed"].values():
        _undeploy_outside_pulumi(fake, item["deployed_model_id"])
    assert fake.deployed == {} and fake.traffic == {}
    fake.calls.clear()
    updated = provider.update(ENDPOINT, created.outs, deployer_props())
    deploys = [args["traffic_split"] for name, args in fake.calls if name == "deploy_model"]
    # The first deploy takes all traffic; the second joins the first one's 100, not a split of 0.
    assert deploys[0] == {"0": 100}
    assert deploys[1] == {updated.outs["deployed"]["stable"]["deployed_model_id"]: 100, "0": 0}
    assert split_by_version(updated.outs) == {"stable": 90, "canary": 10} and fake.traffic == updated.outs["traffic_split"]
    assert "delete_model" not in fake.names()


def test_delete_keeps_a_model_that_another_deployed_model_still_serves(provider, fake):
    created = provider.create(deployer_props(canary=0, stable=100))
    stable = created.outs["deployed"]["stable"]
    # Someone deployed the same model a second time on the endpoint, outside Pulumi.
    fake.deployed["999"] = aiplatform_v1.DeployedModel(id="999", model=stable["model"], display_name="manual")
    fake.traffic = {stable["deployed_model_id"]: 0, "999": 100}
    provider.delete(ENDPOINT, created.outs)
    assert list(fake.deployed) == ["999"] and stable["model"] in fake.models
    assert "delete_model" not in fake.names()


@pytest.mark.parametrize(
    "change",
    [
        {"service_account": "other@p.iam.gserviceaccount.com"},
        {"kms_key": "projects/p/locations/us-central1/keyRings/r/cryptoKeys/k"},
    ],
    ids=["service-account", "kms-key"],
)
def test_a_key_or_service_account_change_redeploys_every_version(provider, fake, change):
    created = provider.create(deployer_props())
    fake.calls.clear()
    news = deployer_props(**change)
    assert provider.diff(ENDPOINT, created.outs, news).changes
    updated = provider.update(ENDPOINT, created.outs, news)
    assert fake.names().count("deploy_model") == 2 and fake.names().count("undeploy_model") == 2
    for deployed in fake.deployed.values():
        assert deployed.service_account == news["service_account"]
    for item in updated.outs["deployed"].values():
        uploaded = fake.models[item["model"]]
        assert uploaded.encryption_spec.kms_key_name == (news["kms_key"] or "")


def test_a_label_change_relabels_the_models_in_place(provider, fake):
    created = provider.create(deployer_props())
    fake.calls.clear()
    updated = provider.update(ENDPOINT, created.outs, deployer_props(labels={"use-case": "fraud-scoring", "team": "risk"}))
    assert fake.changes() == ["update_model", "update_model", "update_endpoint"]
    assert all(m.labels == {"use-case": "fraud-scoring", "team": "risk"} for m in fake.models.values())
    assert updated.outs["deployed"] == created.outs["deployed"]


def test_promotion_removes_the_canary(provider, fake):
    created = provider.create(deployer_props())
    canary = created.outs["deployed"]["canary"]
    updated = provider.update(ENDPOINT, created.outs, deployer_props(stable=100, canary=0))
    assert set(updated.outs["deployed"]) == {"stable"}
    assert canary["deployed_model_id"] not in fake.deployed and canary["model"] not in fake.models
    assert fake.traffic == {created.outs["deployed"]["stable"]["deployed_model_id"]: 100}


def test_update_of_replicas_mutates_in_place(provider, fake):
    created = provider.create(deployer_props())
    fake.calls.clear()
    provider.update(ENDPOINT, created.outs, deployer_props(replicas=(2, 6)))
    mutations = [args for name, args in fake.calls if name == "mutate_deployed_model"]
    assert len(mutations) == 2 and all(m["paths"] == REPLICA_MASK for m in mutations)
    assert "deploy_model" not in fake.names() and "undeploy_model" not in fake.names()
    assert {(d.dedicated_resources.min_replica_count, d.dedicated_resources.max_replica_count) for d in fake.deployed.values()} == {(2, 6)}


def test_delete_undeploys_and_deletes_everything_it_owns(provider, fake):
    created = provider.create(deployer_props())
    provider.delete(ENDPOINT, created.outs)
    assert fake.deployed == {} and fake.models == {} and fake.traffic == {}
    # Deleting again (already gone) is fine.
    provider.delete(ENDPOINT, created.outs)
