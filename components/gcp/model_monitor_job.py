"""The Vertex AI `ModelDeploymentMonitoringJob` a monitor's inputs describe, and the checks those inputs
must pass (the provider in `model_monitor` runs them in Check, so a preview names the bad property).

Signals (names as in `model_monitoring.proto`):
- `feature_drift_thresholds`: drift of each feature of the served traffic from the baseline (the
  training data): `training_prediction_skew_detection_config.skew_thresholds`, with the baseline as
  `training_dataset` (built as the google-cloud-aiplatform SDK builds it). Every feature in `features` is
  monitored; one without its own threshold gets DEFAULT_THRESHOLD.
- `prediction_drift_thresholds` (optional): drift of the served traffic between successive monitoring
  windows: `prediction_drift_detection_config.drift_thresholds`.
A threshold is a distribution distance (L-infinity for categorical features, Jensen-Shannon divergence for
numerical ones: `ThresholdConfig`), so it lies in (0, 1]; a zero threshold would never alert.

Name rules (`display_name`): 1 to 128 characters, any UTF-8 (`ModelDeploymentMonitoringJob.display_name`).
Schedule: hourly or daily; Vertex AI rounds `monitor_interval` up to whole hours.
"""

from __future__ import annotations

from typing import Any

from .vertex_versions import as_count as _count
from .vertex_versions import has_unknown as _has_unknown

DISPLAY_NAME_MAX = 128
INTERVAL_HOURS = (1, 24)
# Vertex AI's backend default for a feature without a threshold (google-cloud-aiplatform,
# aiplatform/model_monitoring/objective.py: "alert threshold 0.3 (Backend default)"), set explicitly so the
# job states it.
DEFAULT_THRESHOLD = 0.3
BASELINE_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".tfrecord": "tf-record"}


def failures(props: dict) -> list[tuple[str, str]]:
    """(property path, reason) for every known input Vertex AI would refuse; unknown inputs (a preview)
    are left to the next check, when their values are known."""
    found: list[tuple[str, str]] = []

    def known(key: str) -> Any:
        value = props.get(key)
        return None if _has_unknown(value) else value

    name = known("display_name")
    if name is not None and not 1 <= len(name) <= DISPLAY_NAME_MAX:
        found.append(("display_name", f"1 to {DISPLAY_NAME_MAX} characters, got {len(name)}"))
    features = known("features")
    if features is not None and not features:
        found.append(("features", "name at least one feature to monitor"))
    for field in ("feature_drift_thresholds", "prediction_drift_thresholds"):
        for feature, value in (known(field) or {}).items():
            if field == "feature_drift_thresholds" and features and feature not in features:
                found.append((f"{field}.{feature}", f"not one of features {list(features)}"))
            elif not _has_unknown(value) and not 0 < _number(value) <= 1:
                found.append((f"{field}.{feature}", f"a distribution distance in (0, 1], got {value!r}"))
    hours = props.get("interval_hours")  # required: None is refused too
    if not _has_unknown(hours) and _number(hours) not in INTERVAL_HOURS:
        shown = f"{_number(hours):g}" if _number(hours) == _number(hours) else repr(hours)
        found.append(("interval_hours", f"one of {INTERVAL_HOURS}, got {shown}"))
    rate = props.get("sampling_rate")
    if not _has_unknown(rate) and not 0 < _number(rate) <= 1:
        found.append(("sampling_rate", f"in (0, 1], got {rate!r}"))
    uri = known("baseline_uri")
    if uri is not None and _baseline_format(uri) is None:
        formats = ", ".join(BASELINE_FORMATS)
        found.append(("baseline_uri", f"bq://project.dataset.table or gs://... ending in {formats}, got {uri!r}"))
    return found


def _number(value: Any) -> float:
    """A number from an input; NaN (failing every range check) for anything else, e.g. "high"."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def ensure_valid(props: dict) -> None:
    """Raise a ValueError naming the first refused property (create and update run this again)."""
    for path, reason in failures(props):
        raise ValueError(f"{path}: {reason}")


def _baseline_format(uri: str) -> str | None:
    """"bigquery" for a table, the data format of files in Cloud Storage, None for anything else."""
    if uri.startswith("bq://") and uri.count(".") == 2:
        return "bigquery"
    if uri.startswith("gs://"):
        return next((f for extension, f in BASELINE_FORMATS.items() if uri.lower().endswith(extension)), None)
    return None


def training_dataset(uri: str):
    """The baseline as `ModelMonitoringObjectiveConfig.TrainingDataset`."""
    from google.cloud import aiplatform_v1

    dataset = aiplatform_v1.ModelMonitoringObjectiveConfig.TrainingDataset
    data_format = _baseline_format(uri)
    if data_format == "bigquery":
        return dataset(bigquery_source=aiplatform_v1.BigQuerySource(input_uri=uri))
    return dataset(gcs_source=aiplatform_v1.GcsSource(uris=[uri]), data_format=data_format)


def _thresholds(values: dict[str, float]) -> dict:
    from google.cloud import aiplatform_v1

    return {feature: aiplatform_v1.ThresholdConfig(value=float(value)) for feature, value in values.items()}


def objective_configs(props: dict, deployed_model_ids: list[str]) -> list:
    """One objective config per deployed model (Vertex AI configures each deployed model separately)."""
    from google.cloud import aiplatform_v1

    objective = aiplatform_v1.ModelMonitoringObjectiveConfig
    given = props.get("feature_drift_thresholds") or {}
    skew = {feature: given.get(feature, DEFAULT_THRESHOLD) for feature in props["features"]}
    config = objective(
        training_dataset=training_dataset(props["baseline_uri"]),
        training_prediction_skew_detection_config=objective.TrainingPredictionSkewDetectionConfig(
            skew_thresholds=_thresholds(skew)
        ),
    )
    if props.get("prediction_drift_thresholds"):
        config.prediction_drift_detection_config = objective.PredictionDriftDetectionConfig(
            drift_thresholds=_thresholds(props["prediction_drift_thresholds"])
        )
    return [
        aiplatform_v1.ModelDeploymentMonitoringObjectiveConfig(deployed_model_id=model, objective_config=config)
        for model in deployed_model_ids
    ]


def channel_name(project: str, channel: str) -> str:
    """A Cloud Monitoring channel as the alert config names it: projects/<project>/notificationChannels/<id>."""
    return channel if channel.startswith("projects/") else f"projects/{project}/notificationChannels/{channel}"


def build_job(props: dict, deployed_model_ids: list[str]):
    """The wanted `ModelDeploymentMonitoringJob` (name and output-only fields left empty)."""
    from google.cloud import aiplatform_v1
    from google.protobuf import duration_pb2

    alerts = aiplatform_v1.ModelMonitoringAlertConfig(
        enable_logging=True,  # anomalies also go to Cloud Logging, where log-based alerts can read them
        notification_channels=[channel_name(props["project"], c) for c in props.get("notification_channels") or []],
    )
    if props.get("emails"):
        alerts.email_alert_config = aiplatform_v1.ModelMonitoringAlertConfig.EmailAlertConfig(
            user_emails=list(props["emails"])
        )
    sampling = aiplatform_v1.SamplingStrategy.RandomSampleConfig(sample_rate=float(props["sampling_rate"]))
    job = aiplatform_v1.ModelDeploymentMonitoringJob(
        display_name=props["display_name"],
        endpoint=props["endpoint"],
        model_deployment_monitoring_objective_configs=objective_configs(props, deployed_model_ids),
        model_deployment_monitoring_schedule_config=aiplatform_v1.ModelDeploymentMonitoringScheduleConfig(
            monitor_interval=duration_pb2.Duration(seconds=3600 * _count(props["interval_hours"]))
        ),
        logging_sampling_strategy=aiplatform_v1.SamplingStrategy(random_sample_config=sampling),
        model_monitoring_alert_config=alerts,
        labels=dict(props.get("labels") or {}),
    )
    if props.get("kms_key_name"):
        job.encryption_spec = aiplatform_v1.EncryptionSpec(kms_key_name=props["kms_key_name"])
    return job
