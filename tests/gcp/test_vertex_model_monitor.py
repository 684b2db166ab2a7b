"""The Vertex AI model monitor (dynamic provider) against the real GAPIC clients over a faked HTTP transport.

`aiplatform_v1.JobServiceClient` / `EndpointServiceClient` use the REST transport and anonymous
credentials; `responses` answers their requests from `FakeMonitoring`, which keeps monitoring jobs the way
Vertex AI does (one job per endpoint, objective configs only for deployed models, update applies the
fields its mask names, encryption fixed at creation). Request building, proto types and JSON are exercised
for real; no live call is made.
"""

from __future__ import annotations

import json
import re

import pytest
import responses
from google.cloud import aiplatform_v1
from google.longrunning import operations_pb2
from google.protobuf import any_pb2, empty_pb2, json_format
from pulumi.runtime import rpc

from components.gcp.model_monitor import MonitorClient, VertexModelMonitorProvider
from components.gcp.model_monitor_job import DEFAULT_THRESHOLD, ensure_valid, failures
from tests.support.fake_vertex import FakeVertex
from tests.support.dynamic import PREVIEW_UNKNOWN, as_engine_sends, dynamic_provider_server, rest_client, wire

HOST = "https://us-central1-aiplatform.googleapis.com"
PARENT = "projects/p/locations/us-central1"
ENDPOINT = f"{PARENT}/endpoints/123"
JOBS = f"{PARENT}/modelDeploymentMonitoringJobs"
CHANNEL = "projects/p/notificationChannels/42"


def _snake(path: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), path)


class FakeMonitoring:
    """Vertex AI's job service (monitoring jobs) and the endpoint's deployed models behind HTTP."""

    def __init__(self):
        self.deployed = ["d1", "d2"]
        self.jobs: dict[str, aiplatform_v1.ModelDeploymentMonitoringJob] = {}
        self.calls: list[tuple[str, dict]] = []
        self._next = 0

    def install(self, mock: responses.RequestsMock) -> None:
        routes = [
            ("GET", rf"/v1/{ENDPOINT}$", self.get_endpoint),
            ("POST", rf"/v1/{JOBS}$", self.create_job),
            ("GET", rf"/v1/{JOBS}$", self.list_jobs),
            ("GET", rf"/v1/{JOBS}/[^/:]+$", self.get_job),
            ("PATCH", rf"/v1/{JOBS}/[^/:]+$", self.update_job),
            ("DELETE", rf"/v1/{JOBS}/[^/:]+$", self.delete_job),
            ("POST", rf"/v1/{JOBS}/[^/:]+:pause$", self.pause_job),
            ("POST", rf"/v1/{JOBS}/[^/:]+:resume$", self.resume_job),
        ]
        for method, path, handler in routes:
            url = re.compile(re.escape(HOST) + path.rstrip("$") + r"(\?.*)?$")
            mock.add_callback(method, url, callback=FakeVertex._wrap(handler))

    @staticmethod
    def _not_found(name):
        return 404, {"error": {"code": 404, "message": f"{name} not found", "status": "NOT_FOUND"}}

    @staticmethod
    def _invalid(message):
        return 400, {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}

    def _check(self, job) -> str | None:
        ids = [c.deployed_model_id for c in job.model_deployment_monitoring_objective_configs]
        if not ids or not set(ids) <= set(self.deployed):
            return f"objective configs for {ids}, deployed {self.deployed}"
        if not job.model_deployment_monitoring_schedule_config.monitor_interval.total_seconds():
            return "monitor_interval is required"
        return None

    def get_endpoint(self, path, body, query):
        self.calls.append(("get_endpoint", {}))
        models = [aiplatform_v1.DeployedModel(id=i) for i in self.deployed]
        return 200, FakeVertex._message(aiplatform_v1.Endpoint(name=ENDPOINT, deployed_models=models))

    def create_job(self, path, body, query):
        job = aiplatform_v1.ModelDeploymentMonitoringJob.from_json(json.dumps(body))
        self.calls.append(("create", {"job": job}))
        if any(j.endpoint == job.endpoint for j in self.jobs.values()):
            return 400, {"error": {"code": 400, "message": "the endpoint already has a monitoring job", "status": "FAILED_PRECONDITION"}}
        problem = self._check(job)
        if problem:
            return self._invalid(problem)
        self._next += 1
        job.name = f"{JOBS}/{self._next}"
        job.state = aiplatform_v1.JobState.JOB_STATE_PENDING
        job.bigquery_tables = [aiplatform_v1.ModelDeploymentMonitoringBigQueryTable(bigquery_table_path=f"bq://p.model_deployment_monitoring_123.serving_predict")]
        self.jobs[job.name] = job
        return 200, FakeVertex._message(job)

    def list_jobs(self, path, body, query):
        self.calls.append(("list", {}))
        listed = aiplatform_v1.ListModelDeploymentMonitoringJobsResponse(model_deployment_monitoring_jobs=list(self.jobs.values()))
        return 200, FakeVertex._message(listed)

    def get_job(self, path, body, query):
        name = path.split("/v1/")[1]
        self.calls.append(("get", {"name": name}))
        return (200, FakeVertex._message(self.jobs[name])) if name in self.jobs else self._not_found(name)

    def update_job(self, path, body, query):
        name = path.split("/v1/")[1]
        paths = [_snake(p) for p in query.get("updateMask", "").split(",") if p]
        sent = aiplatform_v1.ModelDeploymentMonitoringJob.from_json(json.dumps(body))
        self.calls.append(("update", {"paths": paths, "job": sent}))
        if name not in self.jobs:
            return self._not_found(name)
        if not paths or any(p not in aiplatform_v1.ModelDeploymentMonitoringJob.meta.fields for p in paths):
            return self._invalid(f"bad update mask {paths}")
        if "encryption_spec" in paths:
            return self._invalid("encryption_spec cannot be updated")
        job = aiplatform_v1.ModelDeploymentMonitoringJob(self.jobs[name])
        for field in paths:
            setattr(job, field, getattr(sent, field))
        problem = self._check(job)
        if problem:
            return self._invalid(problem)
        job.state = aiplatform_v1.JobState.JOB_STATE_RUNNING
        self.jobs[name] = job
        return 200, FakeVertex._done(f"{name}/operations/u", job)

    def _set_state(self, path, call, state):
        name = path.split("/v1/")[1].rsplit(":", 1)[0]
        self.calls.append((call, {"name": name}))
        if name not in self.jobs:
            return self._not_found(name)
        self.jobs[name].state = state
        return 200, {}

    def pause_job(self, path, body, query):
        return self._set_state(path, "pause", aiplatform_v1.JobState.JOB_STATE_PAUSED)

    def resume_job(self, path, body, query):
        return self._set_state(path, "resume", aiplatform_v1.JobState.JOB_STATE_RUNNING)

    def delete_job(self, path, body, query):
        name = path.split("/v1/")[1]
        self.calls.append(("delete", {"name": name}))
        if self.jobs.pop(name, None) is None:
            return self._not_found(name)
        packed = any_pb2.Any()
        packed.Pack(empty_pb2.Empty())
        return 200, json_format.MessageToDict(operations_pb2.Operation(name=f"{name}/operations/d", done=True, response=packed))

    def changes(self) -> list[str]:
        return [name for name, _ in self.calls if name in ("create", "update", "delete", "pause", "resume")]

    def only(self) -> aiplatform_v1.ModelDeploymentMonitoringJob:
        (job,) = self.jobs.values()
        return job


def _props(**extra) -> dict:
    return {
        "project": "p",
        "region": "us-central1",
        "endpoint": ENDPOINT,
        "display_name": "fraud-ml-prod-scoring-monitor",
        "features": ["amount", "merchant_category", "hour"],
        "baseline_uri": "gs://fraud-ml-prod-data/baselines/scoring/train.csv",
        "feature_drift_thresholds": {"amount": 0.2, "merchant_category": 0.1},
        "prediction_drift_thresholds": None,
        "interval_hours": 24,
        "sampling_rate": 0.5,
        "notification_channels": [CHANNEL, "77"],
        "emails": ["ml-oncall@example.com"],
        "kms_key_name": None,
        "labels": {"use-case": "fraud-scoring"},
        "logging_table": "bq://p.endpoint_logs.request_response_logging",
        "deployed_models": {"stable": {"deployed_model_id": "d1"}},
        **extra,
    }


@pytest.fixture
def fake():
    service = FakeMonitoring()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        service.install(mock)
        yield service


@pytest.fixture
def provider(fake):
    def client(props):
        return MonitorClient(
            props["region"], rest_client(aiplatform_v1.JobServiceClient), rest_client(aiplatform_v1.EndpointServiceClient)
        )

    return VertexModelMonitorProvider(client_factory=client)


def _skew(job) -> dict[str, dict[str, float]]:
    return {
        c.deployed_model_id: {
            f: t.value for f, t in c.objective_config.training_prediction_skew_detection_config.skew_thresholds.items()
        }
        for c in job.model_deployment_monitoring_objective_configs
    }


def test_create_monitors_every_deployed_model_against_the_baseline(provider, fake):
    created = provider.create(as_engine_sends(_props()))  # numbers as the engine sends them (24 -> 24.0)
    job = fake.only()
    assert created.id == job.name and created.outs["job_name"] == job.name
    assert created.outs["state"] == "JOB_STATE_PENDING"
    assert created.outs["deployed_model_ids"] == ["d1", "d2"]
    wanted = {"amount": 0.2, "merchant_category": 0.1, "hour": DEFAULT_THRESHOLD}
    assert _skew(job) == {"d1": wanted, "d2": wanted}
    objective = job.model_deployment_monitoring_objective_configs[0].objective_config
    assert list(objective.training_dataset.gcs_source.uris) == [_props()["baseline_uri"]]
    assert objective.training_dataset.data_format == "csv"
    assert "prediction_drift_detection_config" not in objective  # not asked for
    assert job.model_deployment_monitoring_schedule_config.monitor_interval.total_seconds() == 24 * 3600
    assert job.logging_sampling_strategy.random_sample_config.sample_rate == 0.5
    alerts = job.model_monitoring_alert_config
    assert list(alerts.email_alert_config.user_emails) == ["ml-oncall@example.com"]
    assert list(alerts.notification_channels) == [CHANNEL, "projects/p/notificationChannels/77"]
    assert job.labels == {"use-case": "fraud-scoring"} and job.endpoint == ENDPOINT
    assert created.outs["bigquery_tables"] == ["bq://p.model_deployment_monitoring_123.serving_predict"]
    assert created.outs["logging_table"] == _props()["logging_table"]


def test_create_sets_prediction_drift_a_bigquery_baseline_and_the_key(provider, fake):
    key = "projects/p/locations/us-central1/keyRings/r/cryptoKeys/k"
    provider.create(_props(prediction_drift_thresholds={"amount": 0.25}, baseline_uri="bq://p.ml.training",
                           kms_key_name=key, interval_hours=1))
    job = fake.only()
    objective = job.model_deployment_monitoring_objective_configs[0].objective_config
    assert objective.training_dataset.bigquery_source.input_uri == "bq://p.ml.training"
    assert objective.prediction_drift_detection_config.drift_thresholds["amount"].value == 0.25
    assert job.encryption_spec.kms_key_name == key
    assert job.model_deployment_monitoring_schedule_config.monitor_interval.total_seconds() == 3600


def test_a_rerun_after_a_lost_state_adopts_the_job_instead_of_failing(provider, fake):
    first = provider.create(_props())
    again = provider.create(_props(feature_drift_thresholds={"amount": 0.4}))
    assert fake.changes() == ["create", "update"] and len(fake.jobs) == 1
    assert again.id == first.id and _skew(fake.only())["d1"]["amount"] == 0.4


def test_an_update_of_thresholds_rewrites_only_the_objectives_in_place(provider, fake):
    created = provider.create(_props())
    news = _props(feature_drift_thresholds={"amount": 0.05, "merchant_category": 0.1})
    result = provider.diff(created.id, as_engine_sends(created.outs, True), as_engine_sends(news, True))
    assert result.changes and result.replaces == []
    fake.calls.clear()
    updated = provider.update(created.id, as_engine_sends(created.outs), as_engine_sends(news))
    (update,) = [args for name, args in fake.calls if name == "update"]
    assert update["paths"] == ["model_deployment_monitoring_objective_configs"]
    assert fake.changes() == ["update"]
    assert _skew(fake.only())["d2"]["amount"] == 0.05
    assert updated.outs["job_name"] == created.id and updated.outs["state"] == "JOB_STATE_RUNNING"
    # The state after the update matches the program: the next preview shows nothing.
    assert not provider.diff(created.id, as_engine_sends(updated.outs, True), as_engine_sends(news, True)).changes


def test_schedule_sampling_recipients_and_labels_update_with_their_own_mask(provider, fake):
    created = provider.create(_props())
    fake.calls.clear()
    news = _props(interval_hours=1, sampling_rate=0.2, emails=["risk@example.com"], labels={"team": "risk"})
    provider.update(created.id, created.outs, news)
    (update,) = [args for name, args in fake.calls if name == "update"]
    assert update["paths"] == ["labels", "logging_sampling_strategy", "model_deployment_monitoring_schedule_config",
                               "model_monitoring_alert_config"]
    job = fake.only()
    assert job.model_deployment_monitoring_schedule_config.monitor_interval.total_seconds() == 3600
    assert list(job.model_monitoring_alert_config.email_alert_config.user_emails) == ["risk@example.com"]
    assert job.labels == {"team": "risk"}


def test_the_monitored_models_follow_the_endpoint(provider, fake):
    created = provider.create(_props())
    fake.deployed = ["d2", "d3"]  # a new version was deployed, an old one retired
    news = _props(deployed_models={"canary": {"deployed_model_id": "d3"}})
    assert provider.diff(created.id, created.outs, news).changes
    updated = provider.update(created.id, created.outs, news)
    assert set(_skew(fake.only())) == {"d2", "d3"} and updated.outs["deployed_model_ids"] == ["d2", "d3"]


def test_an_update_with_nothing_for_vertex_makes_no_call(provider, fake):
    created = provider.create(_props())
    fake.calls.clear()
    updated = provider.update(created.id, created.outs, _props(logging_table="bq://p.other.table"))
    assert fake.changes() == [] and updated.outs["logging_table"] == "bq://p.other.table"


def test_delete_deletes_the_job_and_a_missing_job_is_success(provider, fake):
    created = provider.create(_props())
    provider.delete(created.id, created.outs)
    assert fake.jobs == {}
    provider.delete(created.id, created.outs)  # deleted outside Pulumi, or a retried delete
    assert fake.changes() == ["create", "delete", "delete"]


def test_refresh_reads_the_state_and_reports_a_deleted_job_gone(provider, fake):
    created = provider.create(_props())
    fake.only().state = aiplatform_v1.JobState.JOB_STATE_RUNNING
    refreshed = provider.read(created.id, created.outs)
    assert refreshed.id == created.id and refreshed.outs["state"] == "JOB_STATE_RUNNING"
    fake.jobs.clear()
    assert provider.read(created.id, created.outs).id == ""


def test_an_endpoint_without_deployed_models_is_a_clear_error(provider, fake):
    fake.deployed = []
    with pytest.raises(ValueError, match="has no deployed model to monitor"):
        provider.create(_props())
    assert fake.changes() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"feature_drift_thresholds": {"amount": 1.5}}, r"feature_drift_thresholds\.amount: .*\(0, 1\]"),
        ({"feature_drift_thresholds": {"amount": 0}}, r"feature_drift_thresholds\.amount"),
        ({"feature_drift_thresholds": {"zip": 0.1}}, r"feature_drift_thresholds\.zip: not one of features"),
        ({"prediction_drift_thresholds": {"amount": -1}}, r"prediction_drift_thresholds\.amount"),
        ({"interval_hours": 6}, r"interval_hours: one of \(1, 24\)"),
        ({"sampling_rate": 0}, r"sampling_rate"),
        ({"baseline_uri": "s3://bucket/train.csv"}, r"baseline_uri"),
        ({"baseline_uri": "gs://bucket/train.parquet"}, r"baseline_uri"),
        ({"features": []}, r"features"),
        ({"display_name": "x" * 129}, r"display_name: 1 to 128"),
    ],
)
def test_bad_inputs_name_the_field(change, message):
    with pytest.raises(ValueError, match=message):
        ensure_valid(_props(**change))


@pytest.mark.parametrize("key", ["endpoint", "project", "region", "kms_key_name"])
def test_another_endpoint_project_region_or_key_replaces(provider, key):
    created = provider.create(_props())
    result = provider.diff(created.id, created.outs, _props(**{key: "projects/q/other"}))
    assert result.replaces == [key] and key not in result.stables
    assert result.delete_before_replace  # one monitoring job per endpoint


@pytest.mark.parametrize(
    "unknown",
    [
        {"endpoint": PREVIEW_UNKNOWN},  # the endpoint is being replaced in the same preview
        {"notification_channels": [CHANNEL, PREVIEW_UNKNOWN]},  # a channel being created
        {"kms_key_name": PREVIEW_UNKNOWN},
        {"deployed_models": PREVIEW_UNKNOWN},  # the deployment is changing
    ],
    ids=["endpoint", "channel", "key", "deployment"],
)
def test_preview_unknowns_are_changes_not_replacements(provider, unknown):
    created = provider.create(_props())
    olds = as_engine_sends(created.outs, keep_unknowns=True)
    result = provider.diff(created.id, olds, as_engine_sends(_props(**unknown), keep_unknowns=True))
    assert result.changes is True and result.replaces == []
    assert not set(unknown) & set(result.stables)
    assert not provider.diff(created.id, olds, as_engine_sends(_props(), keep_unknowns=True)).changes


def test_the_serialized_provider_runs_in_the_dynamic_provider_process(provider, tmp_path):
    """What `pulumi up` does: the provider dill-serialised into the inputs, loaded by `python -m
    pulumi.dynamic` started elsewhere, Diff and Check over gRPC with unknowns."""
    import os

    from pulumi.dynamic.dynamic import serialize_provider
    from pulumi.runtime.proto import provider_pb2

    serialized = serialize_provider(VertexModelMonitorProvider())
    created = provider.create(_props())
    olds = dict(as_engine_sends(created.outs), __provider=serialized)
    news = dict(_props(), __provider=serialized)
    cases = [
        (news, "DIFF_NONE", []),
        (dict(news, feature_drift_thresholds={"amount": 0.05}), "DIFF_SOME", []),
        (dict(news, endpoint=rpc.UNKNOWN), "DIFF_SOME", []),
        (dict(news, endpoint=f"{PARENT}/endpoints/456"), "DIFF_SOME", ["endpoint"]),
        (dict(news, region="europe-west4"), "DIFF_SOME", ["region"]),
    ]
    with dynamic_provider_server(tmp_path) as stub:
        for new, changes, replaces in cases:
            response = stub.Diff(provider_pb2.DiffRequest(id=created.id, olds=wire(olds), news=wire(new)), timeout=120)
            assert (provider_pb2.DiffResponse.DiffChanges.Name(response.changes), list(response.replaces)) == (changes, replaces)
        urn = "urn:pulumi:s::p::pulumi-python:dynamic:Resource::m"
        checked = stub.Check(provider_pb2.CheckRequest(urn=urn, olds=wire(olds), news=wire(news)), timeout=120)
        assert not checked.failures
        bad = dict(news, interval_hours=6)
        checked = stub.Check(provider_pb2.CheckRequest(urn=urn, olds=wire(olds), news=wire(bad)), timeout=120)
        assert [(f.property, f.reason) for f in checked.failures] == [("interval_hours", "one of (1, 24), got 6")]
    assert str(tmp_path) != os.getcwd()


def test_the_component_registers_the_args_with_their_outputs_resolved():
    """VertexModelMonitor as the monitoring component builds it: Outputs among the args (the endpoint's
    name, channels, the key) reach the engine as values, with the serialised provider."""
    import pulumi

    from components.gcp.model_monitor import VertexModelMonitor, VertexModelMonitorArgs
    from mlplat.offline_plan import runner

    registered: list[dict] = []

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            registered.append(dict(args.inputs))
            return "job-id", {**args.inputs, "job_name": f"{JOBS}/1", "state": "JOB_STATE_PENDING"}

        def call(self, args):
            return {}

    props = _props(kms_key_name="projects/p/locations/us-central1/keyRings/r/cryptoKeys/k")
    outputs = {"endpoint", "notification_channels", "kms_key_name", "logging_table"}
    args = {k: v for k, v in props.items() if k not in outputs}
    seen: dict = {}
    with runner._LOCK:  # noqa: SLF001 - the Pulumi runtime is process-global
        pulumi.runtime.set_mocks(Mocks(), project="mlplat", stack="test", preview=False)

        def program():
            monitor = VertexModelMonitor("scoring-monitor", VertexModelMonitorArgs(
                **args,
                endpoint=pulumi.Output.from_input(ENDPOINT),
                notification_channels=[pulumi.Output.from_input(CHANNEL)],
                kms_key_name=pulumi.Output.from_input(props["kms_key_name"]),
                logging_table=pulumi.Output.from_input(props["logging_table"]),
            ))
            return pulumi.Output.all(monitor.job_name, monitor.state).apply(lambda v: seen.update(job=v[0], state=v[1]))

        pulumi.runtime.mocks.test(program)()
    (inputs,) = registered
    assert inputs["endpoint"] == ENDPOINT and inputs["notification_channels"] == [CHANNEL]
    assert inputs["kms_key_name"] == props["kms_key_name"] and inputs["interval_hours"] == 24
    assert inputs["__provider"]  # the dill-serialised provider the engine's plugin loads
    assert seen == {"job": f"{JOBS}/1", "state": "JOB_STATE_PENDING"}


def test_the_component_refuses_an_interval_vertex_does_not_schedule():
    from components.gcp.model_monitor import VertexModelMonitor, VertexModelMonitorArgs

    props = {k: v for k, v in _props(interval_hours=12).items() if k != "deployed_models"}
    with pytest.raises(ValueError, match=r"scoring-monitor: interval_hours: one of \(1, 24\)"):
        VertexModelMonitor("scoring-monitor", VertexModelMonitorArgs(**props))


def test_pausing_for_a_planned_change_and_resuming_keep_the_job(provider, fake):
    created = provider.create(_props())
    fake.calls.clear()
    paused = provider.update(created.id, created.outs, _props(paused=True))
    assert fake.changes() == ["pause"] and paused.outs["state"] == "JOB_STATE_PAUSED"
    resumed = provider.update(created.id, paused.outs, _props(paused=False))
    assert fake.changes() == ["pause", "resume"] and resumed.outs["state"] == "JOB_STATE_RUNNING"
    assert resumed.outs["job_name"] == created.id and len(fake.jobs) == 1


def test_a_monitor_created_paused_is_paused(provider, fake):
    created = provider.create(_props(paused=True))
    assert fake.changes() == ["create", "pause"] and created.outs["state"] == "JOB_STATE_PAUSED"


def test_check_names_every_refused_property_and_skips_unknown_ones(provider):
    news = _props(sampling_rate=2, feature_drift_thresholds={"amount": 0}, interval_hours=6)
    result = provider.check({}, news)
    assert [f.property for f in result.failures] == ["feature_drift_thresholds.amount", "interval_hours", "sampling_rate"]
    preview = as_engine_sends(_props(baseline_uri=PREVIEW_UNKNOWN, features=PREVIEW_UNKNOWN), keep_unknowns=True)
    assert failures(preview) == []  # known when `up` runs, checked then
    assert provider.check({}, _props()).failures == []


def test_a_threshold_that_is_not_a_number_is_a_failure_not_a_crash():
    found = failures(_props(feature_drift_thresholds={"amount": "high"}, sampling_rate=None, interval_hours="daily"))
    assert found == [
        ("feature_drift_thresholds.amount", "a distribution distance in (0, 1], got 'high'"),
        ("interval_hours", "one of (1, 24), got 'daily'"),
        ("sampling_rate", "in (0, 1], got None"),
    ]
