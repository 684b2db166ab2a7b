"""The Vertex AI deployer creates: uploads, deploys and splits traffic, converging when a run is repeated
after a partial or timed-out one, with what the engine sends over the wire."""

from __future__ import annotations

from google.cloud import aiplatform_v1
from google.longrunning import operations_pb2

from components.gcp.vertex_deployer import OPERATION_TIMEOUT, display_name, fingerprint
from tests.support.fake_vertex import fake, provider  # noqa: F401 (fixtures)
from tests.support.fake_vertex import ENDPOINT, PARENT, as_engine_sends, deployer_props, split_by_version


def test_create_uploads_deploys_and_splits(provider, fake):
    result = provider.create(deployer_props())
    assert result.id == ENDPOINT
    assert fake.names().count("upload_model") == 2 and fake.names().count("deploy_model") == 2
    assert split_by_version(result.outs) == {"stable": 90, "canary": 10}
    assert fake.traffic == result.outs["traffic_split"]
    for deployed in fake.deployed.values():
        assert deployed.dedicated_resources.min_replica_count == 1
        assert deployed.dedicated_resources.max_replica_count == 4
        assert deployed.dedicated_resources.machine_spec.machine_type == "n1-standard-4"
        assert deployed.service_account == "workloads@p.iam.gserviceaccount.com"
    uploaded = [args["model"] for name, args in fake.calls if name == "upload_model"]
    assert {m.artifact_uri for m in uploaded} == {"gs://b/models/ep/stable/", "gs://b/models/ep/canary/"}
    assert all(m.labels["use-case"] == "fraud-scoring" for m in uploaded)


def test_engine_floats_are_sent_as_integers(provider, fake):
    """The engine turns 1 into 1.0; proto integer fields refuse floats (TypeError) unless converted."""
    props = deployer_props(replicas=(1, 4))
    props["versions"][0].update(machine_type="g2-standard-4", accelerator_type="NVIDIA_L4", accelerator_count=1)
    sent = as_engine_sends(props)
    assert isinstance(sent["versions"][0]["min_replicas"], float)  # the premise
    created = provider.create(sent)
    stable = fake.deployed[created.outs["deployed"]["stable"]["deployed_model_id"]]
    assert stable.dedicated_resources.machine_spec.accelerator_count == 1
    assert stable.dedicated_resources.machine_spec.accelerator_type == aiplatform_v1.AcceleratorType.NVIDIA_L4
    assert (stable.dedicated_resources.min_replica_count, stable.dedicated_resources.max_replica_count) == (1, 4)
    # Replica changes and split changes take the same float route.
    updated = provider.update(ENDPOINT, as_engine_sends(created.outs), as_engine_sends(deployer_props(75, 25, replicas=(2, 6)) | {"versions": [
        {**sent["versions"][0], "weight": 75.0, "min_replicas": 2.0, "max_replicas": 6.0},
        {**sent["versions"][1], "weight": 25.0, "min_replicas": 2.0, "max_replicas": 6.0},
    ]}))
    assert split_by_version(updated.outs) == {"stable": 75, "canary": 25}
    assert {(d.dedicated_resources.min_replica_count, d.dedicated_resources.max_replica_count) for d in fake.deployed.values()} == {(2, 6)}
    assert fingerprint(props, props["versions"][0]) == fingerprint(sent, sent["versions"][0])


def test_create_is_idempotent_after_a_partial_run(provider, fake):
    first = provider.create(deployer_props())
    uploads = fake.names().count("upload_model")
    again = provider.create(deployer_props())  # e.g. the engine lost the state after the cloud calls succeeded
    assert fake.names().count("upload_model") == uploads
    assert fake.names().count("deploy_model") == 2
    assert len(fake.deployed) == 2
    assert again.outs["deployed"] == first.outs["deployed"]


def test_a_rerun_reuses_a_model_uploaded_by_a_timed_out_run(provider, fake):
    props = deployer_props(canary=0, stable=100)
    version = props["versions"][0]
    orphan = f"{PARENT}/models/uploaded-earlier"
    fake.models[orphan] = aiplatform_v1.Model(name=orphan, display_name=display_name(props, version))
    created = provider.create(props)
    assert "upload_model" not in fake.names()
    assert created.outs["deployed"]["stable"]["model"] == orphan


def test_a_rerun_waits_for_a_deployment_still_in_flight_and_adopts_it(provider, fake):
    props = deployer_props(canary=0, stable=100)
    version = props["versions"][0]
    model = f"{PARENT}/models/m-inflight"
    fake.models[model] = aiplatform_v1.Model(name=model, display_name=display_name(props, version))
    pending = f"{ENDPOINT}/operations/777"
    fake.operations[pending] = operations_pb2.Operation(name=pending, done=False)

    def finish():  # the previous run's deployModel completes while this run waits
        fake.deployed["555"] = aiplatform_v1.DeployedModel(id="555", model=model, display_name=display_name(props, version))
        fake.traffic = {"555": 100}

    fake.on_poll[pending] = finish
    created = provider.create(props)
    assert "get_operation" in fake.names()
    assert "deploy_model" not in fake.names() and "upload_model" not in fake.names()
    assert created.outs["deployed"]["stable"]["deployed_model_id"] == "555"
    assert list(fake.deployed) == ["555"]


def test_the_wait_reads_every_page_of_operations_and_skips_finished_ones(provider, fake):
    props = deployer_props(canary=0, stable=100)
    version = props["versions"][0]
    model = f"{PARENT}/models/m-inflight"
    fake.models[model] = aiplatform_v1.Model(name=model, display_name=display_name(props, version))
    for n in range(3):  # the endpoint's history: finished operations first
        done = f"{ENDPOINT}/operations/{n}"
        fake.operations[done] = operations_pb2.Operation(name=done, done=True)
    pending = f"{ENDPOINT}/operations/777"  # on the second page
    fake.operations[pending] = operations_pb2.Operation(name=pending, done=False)
    fake.operations_page_size = 2

    def finish():
        fake.deployed["555"] = aiplatform_v1.DeployedModel(id="555", model=model, display_name=display_name(props, version))
        fake.traffic = {"555": 100}

    fake.on_poll[pending] = finish
    created = provider.create(props)
    assert [args["page_token"] for name, args in fake.calls if name == "list_operations"] == ["", "2"]
    assert [args["name"] for name, args in fake.calls if name == "get_operation"] == [pending]  # done ones not polled
    assert "deploy_model" not in fake.names()
    assert created.outs["deployed"]["stable"]["deployed_model_id"] == "555"


def test_long_running_operations_wait_an_hour():
    assert OPERATION_TIMEOUT >= 3600

def test_create_takes_and_returns_what_goes_over_the_wire(provider, fake):
    sent = as_engine_sends(deployer_props())  # what Create receives: numbers as floats
    assert sent["versions"][0]["weight"] == 90.0 and isinstance(sent["versions"][0]["weight"], float)
    created = provider.create(sent)
    assert split_by_version(created.outs) == {"stable": 90, "canary": 10}
    stored = as_engine_sends(created.outs)  # what the engine keeps as the state
    assert stored["deployed"] == created.outs["deployed"]
    # The next preview compares the state with what the program sends (unknowns kept): no change...
    assert not provider.diff(ENDPOINT, as_engine_sends(created.outs, keep_unknowns=True), as_engine_sends(deployer_props(), keep_unknowns=True)).changes
    # ...and the next update starts from the stored state: nothing is redeployed.
    fake.calls.clear()
