"""Vertex AI Model Monitoring on an endpoint's traffic: a Pulumi dynamic provider.

Neither pulumi-gcp nor terraform-provider-google has a resource for a `ModelDeploymentMonitoringJob`, so
this provider manages one with google-cloud-aiplatform (JobServiceClient, imported lazily):

- create: one objective config per model deployed on the endpoint (listed from the endpoint), the
  schedule, the sampling rate, the alerting and the key. A re-run after a lost state adopts the job of
  the same display name on the same endpoint (brought to the wanted configuration) instead of failing on
  Vertex AI's one-job-per-endpoint rule.
- update: thresholds, features, baseline, schedule, sampling, recipients and labels change in place
  (update with a field mask naming only what changed); the monitored deployed models follow the
  endpoint: every update re-lists them and rewrites the objective configs when the set moved.
- paused: pauses the job (no analysis, no alert: a planned change) and resumes it, without recreating it.
- delete: deletes the job; a job already gone is success.
- check: the inputs Vertex AI would refuse fail the preview, naming the property.
- diff: another endpoint, project, region or key (the job's encryption cannot be changed) replaces; an
  input unknown during a preview is a change, not a replacement.
- read (refresh): re-reads the job's state; a job deleted outside Pulumi is reported gone.

What the inputs mean for the job (signals, thresholds, baseline, name rules): `model_monitor_job`.

The request-response table (`logging_table`) is not an input of the v1 API: Vertex AI logs the traffic it
analyses itself (the job's `bigquery_tables`); the table is kept in the outputs next to them so the
monitor's outputs say where the endpoint's own log is.

Credentials and numbers as in `vertex_deployer`: Application Default Credentials, impersonating
`impersonate_service_account` when set; the engine hands numbers as floats (24 -> 24.0).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from .model_monitor_job import INTERVAL_HOURS, build_job, ensure_valid, failures
from .vertex_client import OPERATION_TIMEOUT, credentials
from .vertex_versions import has_unknown as _has_unknown

# Inputs whose change means another job (replace), and for each in-place input the field mask path of
# `UpdateModelDeploymentMonitoringJobRequest` it rewrites (None: kept in the outputs only).
REPLACE_KEYS = ("project", "region", "endpoint", "kms_key_name")
OBJECTIVES = "model_deployment_monitoring_objective_configs"
UPDATE_MASKS: dict[str, Optional[str]] = {
    "display_name": "display_name",
    "features": OBJECTIVES,
    "baseline_uri": OBJECTIVES,
    "feature_drift_thresholds": OBJECTIVES,
    "prediction_drift_thresholds": OBJECTIVES,
    "deployed_models": OBJECTIVES,
    "interval_hours": "model_deployment_monitoring_schedule_config",
    "sampling_rate": "logging_sampling_strategy",
    "notification_channels": "model_monitoring_alert_config",
    "emails": "model_monitoring_alert_config",
    "labels": "labels",
    "logging_table": None,
    "paused": None,  # pause/resume, not an update
}
# Inputs about the provider itself, not the job: a change needs no cloud call.
CLIENT_KEYS = ("impersonate_service_account", "impersonate_delegates")


class MonitorClient:
    """The Vertex AI calls the monitor makes. Pass `job_client`/`endpoint_client` (GAPIC JobServiceClient /
    EndpointServiceClient, e.g. over another transport) or let it build them for the region."""

    def __init__(self, region: str, job_client=None, endpoint_client=None, credentials=None):
        if job_client is None or endpoint_client is None:
            from google.cloud import aiplatform_v1

            options = {"api_endpoint": f"{region}-aiplatform.googleapis.com"}
            job_client = job_client or aiplatform_v1.JobServiceClient(credentials=credentials, client_options=options)
            endpoint_client = endpoint_client or aiplatform_v1.EndpointServiceClient(
                credentials=credentials, client_options=options
            )
        self.jobs = job_client
        self.endpoints = endpoint_client

    def deployed_model_ids(self, endpoint: str) -> list[str]:
        ids = sorted(d.id for d in self.endpoints.get_endpoint(name=endpoint).deployed_models)
        if not ids:
            raise ValueError(
                f"endpoint {endpoint} has no deployed model to monitor: deploy a model first "
                "(the monitor depends on the endpoint's deployment)"
            )
        return ids

    def find(self, parent: str, display_name: str, endpoint: str):
        for job in self.jobs.list_model_deployment_monitoring_jobs(parent=parent):
            if job.display_name == display_name and job.endpoint == endpoint:
                return job
        return None

    def create(self, parent: str, job):
        return self.jobs.create_model_deployment_monitoring_job(parent=parent, model_deployment_monitoring_job=job)

    def get(self, name: str):
        return self.jobs.get_model_deployment_monitoring_job(name=name)

    def update(self, name: str, job, paths: list[str]):
        from google.protobuf import field_mask_pb2

        job.name = name
        operation = self.jobs.update_model_deployment_monitoring_job(
            model_deployment_monitoring_job=job, update_mask=field_mask_pb2.FieldMask(paths=paths)
        )
        return operation.result(timeout=OPERATION_TIMEOUT)

    def set_paused(self, name: str, paused: bool) -> None:
        if paused:
            self.jobs.pause_model_deployment_monitoring_job(name=name)
        else:
            self.jobs.resume_model_deployment_monitoring_job(name=name)

    def delete(self, name: str) -> None:
        from google.api_core.exceptions import NotFound

        try:
            self.jobs.delete_model_deployment_monitoring_job(name=name).result(timeout=OPERATION_TIMEOUT)
        except NotFound:
            pass  # already gone is done


class VertexModelMonitorProvider(ResourceProvider):
    """Inputs: those of VertexModelMonitorArgs, `region` as the job's location, plus
    impersonate_service_account / impersonate_delegates (how the provider authenticates)."""

    def __init__(self, client_factory=None):
        super().__init__()
        self._client_factory = client_factory

    def client(self, props: dict) -> MonitorClient:
        if self._client_factory is not None:
            return self._client_factory(props)
        return MonitorClient(props["region"], credentials=credentials(props))

    def check(self, _olds: dict, news: dict) -> CheckResult:
        return CheckResult(news, [CheckFailure(path, reason) for path, reason in failures(news)])

    def create(self, props: dict) -> CreateResult:
        ensure_valid(props)
        client = self.client(props)
        parent = f"projects/{props['project']}/locations/{props['region']}"
        deployed = client.deployed_model_ids(props["endpoint"])
        wanted = build_job(props, deployed)
        existing = client.find(parent, props["display_name"], props["endpoint"])
        if existing is None:
            job = client.create(parent, wanted)
        else:  # created by a run whose state was lost: take it over with the wanted configuration
            job = client.update(existing.name, wanted, sorted({p for p in UPDATE_MASKS.values() if p}))
        if bool(props.get("paused")) != (job.state.name == "JOB_STATE_PAUSED"):
            client.set_paused(job.name, bool(props.get("paused")))
            job = client.get(job.name)
        return CreateResult(id_=job.name, outs=self._outs(props, job, deployed))

    def diff(self, _id: str, olds: dict, news: dict) -> DiffResult:
        """An input computed by a resource changing in the same preview (the endpoint being replaced, a
        channel being created) is unknown: a change, not a replacement; `up` sees the value."""
        keys = (*REPLACE_KEYS, *UPDATE_MASKS, *CLIENT_KEYS)
        unknown = [key for key in keys if _has_unknown(news.get(key))]
        replaces = [key for key in REPLACE_KEYS if key not in unknown and olds.get(key) != news.get(key)]
        changed = [key for key in (*UPDATE_MASKS, *CLIENT_KEYS) if key not in unknown and olds.get(key) != news.get(key)]
        return DiffResult(
            changes=bool(replaces or changed or unknown),
            replaces=replaces,
            stables=[key for key in REPLACE_KEYS if key not in replaces and key not in unknown],
            delete_before_replace=True,  # Vertex AI allows one monitoring job per endpoint
        )

    def update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        ensure_valid(news)
        client = self.client(news)
        deployed = client.deployed_model_ids(news["endpoint"])
        paths = {UPDATE_MASKS[key] for key in UPDATE_MASKS if olds.get(key) != news.get(key)}
        if deployed != list(olds.get("deployed_model_ids") or []):
            paths.add(OBJECTIVES)
        paths.discard(None)
        if paths:
            client.update(id_, build_job(news, deployed), sorted(paths))
        if bool(olds.get("paused")) != bool(news.get("paused")):
            client.set_paused(id_, bool(news.get("paused")))
        return UpdateResult(outs=self._outs(news, client.get(id_), deployed))

    def read(self, id_: str, props: dict) -> ReadResult:
        from google.api_core.exceptions import NotFound

        try:
            job = self.client(props).get(id_)
        except NotFound:
            return ReadResult(id_="", outs={})
        deployed = sorted(c.deployed_model_id for c in job.model_deployment_monitoring_objective_configs)
        return ReadResult(id_=id_, outs=self._outs(props, job, deployed))

    def delete(self, id_: str, props: dict) -> None:
        self.client(props).delete(id_)

    @staticmethod
    def _outs(props: dict, job, deployed: list[str]) -> dict:
        tables = sorted(t.bigquery_table_path for t in job.bigquery_tables)
        return {**props, "job_name": job.name, "state": job.state.name, "deployed_model_ids": deployed,
                "bigquery_tables": tables}


@dataclasses.dataclass
class VertexModelMonitorArgs:
    """What the monitoring component hands the monitor (see the module docstring for the semantics)."""

    project: pulumi.Input[str]
    region: pulumi.Input[str]
    endpoint: pulumi.Input[str]  # projects/../locations/../endpoints/..
    display_name: str
    features: list[str]
    baseline_uri: pulumi.Input[str]  # gs://...csv|jsonl|tfrecord or bq://project.dataset.table
    feature_drift_thresholds: dict[str, float]
    prediction_drift_thresholds: Optional[dict[str, float]] = None
    interval_hours: int = 24
    sampling_rate: float = 1.0
    notification_channels: list[pulumi.Input[str]] = dataclasses.field(default_factory=list)
    emails: list[str] = dataclasses.field(default_factory=list)
    kms_key_name: Optional[pulumi.Input[str]] = None
    labels: dict[str, str] = dataclasses.field(default_factory=dict)
    logging_table: Optional[pulumi.Input[str]] = None  # bq:// of the endpoint's request-response table
    # Any output that changes when the endpoint's deployed models change (the deployment's `deployed`):
    # a change re-lists them, so the job monitors the models deployed now.
    deployed_models: Optional[pulumi.Input[Any]] = None
    paused: bool = False  # no analysis and no alert while True (e.g. during a planned change)
    impersonate_service_account: Optional[pulumi.Input[str]] = None
    impersonate_delegates: Optional[list[str]] = None


class VertexModelMonitor(pulumi.dynamic.Resource):
    """A Vertex AI model deployment monitoring job on one endpoint."""

    job_name: pulumi.Output[str]
    state: pulumi.Output[str]
    deployed_model_ids: pulumi.Output[Any]
    bigquery_tables: pulumi.Output[Any]

    def __init__(self, name: str, args: VertexModelMonitorArgs, opts: Optional[pulumi.ResourceOptions] = None):
        # Not dataclasses.asdict: it deep-copies, and the Outputs among the values must stay themselves.
        props = {field.name: getattr(args, field.name) for field in dataclasses.fields(args)}
        if props["interval_hours"] not in INTERVAL_HOURS:
            raise ValueError(f"{name}: interval_hours: one of {INTERVAL_HOURS}, got {props['interval_hours']}")
        outputs = {"job_name": None, "state": None, "deployed_model_ids": None, "bigquery_tables": None}
        super().__init__(VertexModelMonitorProvider(), name, {**props, **outputs}, opts)
