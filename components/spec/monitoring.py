"""Production monitoring: per-endpoint `monitoring:` (drift against a baseline, health alerts) and the
platform-level `alerts:` block (who is notified). See docs/monitoring.md.

Environment defaults: an endpoint without a `monitoring:` block gets health alerts in staging and prod
and nothing in dev; writing the block asks for monitoring in any environment (`enabled` defaults to
true then; `enabled: false` switches it off explicitly, which the prod policy flags).

Drift is watched only when a `baseline` is given: the managed monitors compare the endpoint's captured
traffic with statistics computed from that data set, so an endpoint whose capture is off (`logging:
false`, or an AWS serverless endpoint, which has none) cannot have a baseline (a validation error).
`baseline.features` is required: the drift alarms are per feature on AWS (CloudWatch
`feature_baseline_drift_<feature>`), the Vertex monitor takes a threshold per feature, and the alarm
identifiers the retraining triggers bind to must be known at plan time, not inferred from data at run
time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from .base import EMAIL_PATTERN, IDENTIFIER_PATTERN, Environment, SpecModel

# Distances (0-1) the managed monitors report per feature; the Vertex AI default drift threshold.
DEFAULT_DRIFT_THRESHOLD = 0.3
BASELINE_FORMATS = (".csv", ".jsonl")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def _rate(value):
    """A rate is a fraction 0-1 (`0.01`) or a percent string (`"1%"`); anything else fails with a hint."""
    if isinstance(value, str):
        match = _PERCENT.match(value)
        if not match:
            raise ValueError(f"use a fraction between 0 and 1 (0.01) or a percent string ('1%'), not {value!r}")
        return float(match.group(1)) / 100
    return value


Rate = Annotated[float, BeforeValidator(_rate), Field(gt=0, le=1)]


class BaselineSpec(SpecModel):
    uri: str = Field(
        min_length=1,
        description="The training/baseline data set, as a key in the platform's data store "
        "(e.g. baselines/fraud/train.csv): CSV with a header row, or JSON lines.",
    )
    features: list[Annotated[str, Field(pattern=IDENTIFIER_PATTERN)]] = Field(
        min_length=1, description="The input features whose drift is watched (columns of the baseline)."
    )

    @model_validator(mode="after")
    def _inside_the_platform(self) -> "BaselineSpec":
        if "://" in self.uri or self.uri.startswith("/"):
            raise ValueError(
                f"uri: {self.uri!r}: give a key in the platform's data store (e.g. baselines/<endpoint>/train.csv); "
                "the monitoring jobs read only the platform's own, encrypted storage"
            )
        if not self.uri.lower().endswith(BASELINE_FORMATS):
            raise ValueError(f"uri: {self.uri!r}: the baseline must be {' or '.join(BASELINE_FORMATS)}")
        if len(set(self.features)) != len(self.features):
            raise ValueError("features: names must be unique")
        return self

    @property
    def key(self) -> str:
        return self.uri.strip("/")

    @property
    def format(self) -> str:
        return "csv" if self.key.lower().endswith(".csv") else "jsonl"


class DriftSpec(SpecModel):
    threshold: float = Field(
        default=DEFAULT_DRIFT_THRESHOLD,
        gt=0,
        le=1,
        description="Distribution distance (0-1) above which a feature has drifted.",
    )


class PredictionDriftSpec(DriftSpec):
    outputs: list[Annotated[str, Field(pattern=IDENTIFIER_PATTERN)]] = Field(
        default_factory=lambda: ["prediction"],
        min_length=1,
        description="The response fields whose distribution is watched.",
    )


class HealthSpec(SpecModel):
    error_rate_5xx: Rate = Field(default=0.01, description="Share of requests answered 5xx (fraction or '1%').")
    error_rate_4xx: Rate = Field(default=0.05, description="Share of requests answered 4xx (fraction or '5%').")
    latency_p99_ms: int = Field(default=1000, gt=0, description="Model latency p99, milliseconds.")
    latency_p95_ms: int = Field(
        default=500, gt=0, description="Model latency p95, milliseconds (default 500, at most latency_p99_ms)."
    )
    stuck_at_max_replicas: bool = Field(
        default=True, description="Alert when an autoscaled endpoint stays at max_replicas (min < max only)."
    )

    @model_validator(mode="after")
    def _latencies(self) -> "HealthSpec":
        if "latency_p95_ms" not in self.model_fields_set:  # the default p95 never exceeds a chosen p99
            self.latency_p95_ms = min(self.latency_p95_ms, self.latency_p99_ms)
        if self.latency_p95_ms > self.latency_p99_ms:
            raise ValueError(
                f"latency_p95_ms: {self.latency_p95_ms} exceeds latency_p99_ms ({self.latency_p99_ms}); "
                "the p95 threshold must not be above the p99 one"
            )
        return self


class MonitoringSpec(SpecModel):
    enabled: bool | None = Field(
        default=None, description="Default: true when the block is written; without it, on in staging and prod."
    )
    baseline: BaselineSpec | None = Field(default=None, description="Without a baseline, no drift monitor.")
    data_drift: DriftSpec = Field(default_factory=DriftSpec)
    prediction_drift: PredictionDriftSpec = Field(default_factory=PredictionDriftSpec)
    schedule: Literal["hourly", "daily"] = "daily"
    health: HealthSpec = Field(default_factory=HealthSpec)

    @model_validator(mode="after")
    def _drift_needs_a_baseline(self) -> "MonitoringSpec":
        for signal in ("data_drift", "prediction_drift"):
            # A value equal to the default is what a resolved spec (plan JSON) carries back: not a request.
            default = type(self).model_fields[signal].default_factory()
            chosen = signal in self.model_fields_set and getattr(self, signal) != default
            if chosen and self.baseline is None:
                raise ValueError(f"{signal}: drift is measured against a baseline: add monitoring.baseline")
        return self

    @property
    def drift(self) -> bool:
        """True when a drift monitor is built (monitoring on and a baseline given)."""
        return bool(self.enabled) and self.baseline is not None

    @property
    def interval_hours(self) -> int:
        return 1 if self.schedule == "hourly" else 24


class AlertsSpec(SpecModel):
    emails: list[Annotated[str, Field(pattern=EMAIL_PATTERN)]] = Field(default_factory=list)
    webhook: str | None = Field(default=None, pattern=r"^https://\S+$", description="An https URL to POST alerts to.")

    @property
    def recipients(self) -> int:
        return len(self.emails) + (1 if self.webhook else 0)


def apply_monitoring(spec) -> None:
    """Fill `monitoring.enabled` per endpoint, then check what spans sections (capture, recipients).

    Runs after the other environment defaults, from `PlatformSpec`'s validator."""
    on_by_default = spec.environment != Environment.dev
    for endpoint in spec.endpoints:
        if endpoint.monitoring is None:
            endpoint.monitoring = MonitoringSpec(enabled=on_by_default)
        elif endpoint.monitoring.enabled is None:
            endpoint.monitoring.enabled = True
    for i, endpoint in enumerate(spec.endpoints):
        if endpoint.monitoring.drift and not endpoint.logging:
            raise ValueError(
                f"endpoints.{i}.monitoring.baseline: endpoint {endpoint.name} captures no traffic "
                "(logging: false), so there is nothing to compare with the baseline; set logging: true "
                "or remove the baseline"
            )
    watched = [e.name for e in spec.endpoints if e.monitoring.enabled]
    recipients = spec.alerts.recipients if spec.alerts else 0
    if spec.environment == Environment.prod and watched and not recipients:
        field = "alerts" if spec.alerts is None else "alerts.emails"
        raise ValueError(
            f"{field}: monitoring in prod ({', '.join(watched)}) must notify someone: "
            "add alerts.emails and/or alerts.webhook"
        )


def monitored_endpoints(spec) -> list:
    """The endpoints with monitoring on, in spec order."""
    return [e for e in spec.endpoints if e.monitoring is not None and e.monitoring.enabled]


@dataclass(frozen=True)
class PlatformMonitoringSpec:
    """What the monitoring capability builds from: the monitored endpoints (with their spec) and the
    platform's recipients. One per platform: the notification target and the dashboard are shared."""

    endpoints: tuple  # EndpointSpec items whose monitoring is on
    alerts: AlertsSpec
    # Endpoints whose drift starts a retraining (`on_drift`): their drift alerts must also reach a machine.
    drift_triggers: frozenset = frozenset()

    @property
    def emails(self) -> list[str]:
        return list(self.alerts.emails)

    @property
    def webhook(self) -> str | None:
        return self.alerts.webhook


def monitoring_items(spec) -> list[tuple[str, PlatformMonitoringSpec]]:
    """The monitoring capability's items: one when any endpoint is monitored, else none."""
    watched = monitored_endpoints(spec)
    if not watched:
        return []
    triggers = frozenset(item.endpoint for item in spec.retraining if item.on_drift)
    return [("monitoring", PlatformMonitoringSpec(tuple(watched), spec.alerts or AlertsSpec(), triggers))]


def endpoint_monitoring_gaps(cloud, endpoint) -> list[str]:
    """What `cloud` (a registered CloudProvider) cannot watch on this monitored endpoint, in words."""
    from ..cloud import CloudFeature

    monitoring, lacking = endpoint.monitoring, cloud.unsupported_features()
    gaps = []
    if not monitoring.drift:
        gaps.append("no baseline: drift is not monitored (add monitoring.baseline)")
    else:
        features = (CloudFeature.DRIFT_MONITOR, CloudFeature.PREDICTION_DRIFT, CloudFeature.DRIFT_BASELINE_FROM_DATA,
                    CloudFeature.MODEL_QUALITY)
        for feature in features:
            if feature in lacking:
                gaps.append(f"{feature.value}: {lacking[feature]}")
    if CloudFeature.ERROR_RATE_ALERTS in lacking:
        gaps.append(f"{CloudFeature.ERROR_RATE_ALERTS.value}: {lacking[CloudFeature.ERROR_RATE_ALERTS]}")
    return gaps


def monitoring_gaps(spec) -> list[dict]:
    """The plan's gaps for monitoring: one line per monitored endpoint and missing signal."""
    from ..cloud import CloudFeature
    from ..registry import cloud_of

    cloud = cloud_of(spec.cloud)
    gaps = [
        {"capability": "monitoring", "cloud": cloud.name, "gap": f"endpoint {endpoint.name}: {gap}"}
        for endpoint in monitored_endpoints(spec)
        for gap in endpoint_monitoring_gaps(cloud, endpoint)
    ]
    lacking = cloud.unsupported_features()
    drift_watched = any(endpoint.monitoring.drift for endpoint in monitored_endpoints(spec))
    if drift_watched and spec.alerts is not None and spec.alerts.webhook and CloudFeature.DRIFT_WEBHOOK in lacking:
        gaps.append({"capability": "monitoring", "cloud": cloud.name,
                     "gap": f"{CloudFeature.DRIFT_WEBHOOK.value}: {lacking[CloudFeature.DRIFT_WEBHOOK]}"})
    return gaps
