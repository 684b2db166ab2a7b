"""Closing the loop: scheduled and drift-triggered retraining, scheduled batch inference, and promotion
of approved models to the next environment's stack (docs/retraining.md).

Schedules are five-field unix cron expressions in UTC (minute hour day-of-month month day-of-week), the
notation Cloud Scheduler and Azure ML's `CronTrigger` take as is; AWS EventBridge Scheduler's six-field
`cron(...)` form is derived by `aws_cron`. Locations are paths in the platform's own stores, written
`data/<path>` or `artifacts/<path>`: each cloud turns them into its bucket/container URL, so a batch job
can never read or write outside the platform.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from .base import NAME_PATTERN, Environment, SpecModel

STORES = ("data", "artifacts")
DEFAULT_COMMAND = ["python", "train.py"]
ENVIRONMENT_ORDER = [e.value for e in Environment]  # dev -> staging -> prod

# (name, lowest, highest, names allowed) of the five unix cron fields.
_CRON_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    ("day of week", 0, 7, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),
)
_ATOM = re.compile(r"^(\*|[A-Za-z0-9]+(-[A-Za-z0-9]+)?)(/\d+)?$")


def cron_error(expression: str) -> str | None:
    """Why `expression` is not a five-field unix cron expression, or None."""
    fields = expression.split()
    if len(fields) != 5:
        return f"{expression!r} must have 5 fields (minute hour day-of-month month day-of-week), has {len(fields)}"
    for text, (name, low, high, names) in zip(fields, _CRON_FIELDS):
        for atom in text.split(","):
            if not _ATOM.match(atom):
                return f"{expression!r}: {name} {atom!r} is not *, a value, a range or a step"
            base, _, step = atom.partition("/")
            if step and int(step) == 0:
                return f"{expression!r}: {name} step {atom!r} must be at least 1"
            for value in [] if base == "*" else base.split("-"):
                if value.upper() in names:
                    continue
                if not value.isdigit() or not low <= int(value) <= high:
                    return f"{expression!r}: {name} {value!r} is outside {low}-{high}"
            if "-" in base:
                first, last = (_cron_number(value, low, names) for value in base.split("-"))
                if first > last:
                    # Cron implementations disagree on wrap-around ranges (some refuse them, some run nothing).
                    start, end = base.split("-")
                    top = 6 if name == "day of week" else high  # 7 is Sunday again
                    head = start if first >= top else f"{start}-{top}"
                    return (f"{expression!r}: {name} range {base!r} runs backwards ({first} is above {last}); "
                            f"split it, e.g. '{head},{low}-{end}'")
    if fields[2] != "*" and fields[4] != "*":
        # Unix cron ORs the two; EventBridge Scheduler takes only one, so a portable spec sets one.
        return f"{expression!r}: set day-of-month or day-of-week, not both (the other '*')"
    return None


def _cron_number(value: str, low: int, names: tuple[str, ...]) -> int:
    """The number of a validated cron value: itself, or a name's position (JAN = 1, SUN = 0)."""
    return names.index(value.upper()) + low if value.upper() in names else int(value)


def _checked_cron(value: str | None) -> str | None:
    problem = value and cron_error(value)
    if problem:
        raise ValueError(problem)
    return value


def aws_cron(expression: str) -> str:
    """The EventBridge Scheduler form `cron(min hour dom month dow year)` of a validated unix cron
    expression: one of day-of-month/day-of-week must be `?`, and days of week count 1 (SUN) to 7 (SAT)
    (EventBridge "Cron expressions reference")."""
    minute, hour, dom, month, dow = expression.split()
    if dow == "*":
        dow = "?"
    elif dom == "*":
        dom = "?"
        dow = ",".join(_aws_days(atom) for atom in dow.split(","))
    return f"cron({minute} {hour} {dom} {month} {dow} *)"


def _aws_days(atom: str) -> str:
    """A unix day-of-week atom in EventBridge numbering (SUN = 1 ... SAT = 7; unix 0 and 7 are Sunday)."""
    base, _, step = atom.partition("/")
    names = _CRON_FIELDS[4][3]
    if "-" in base and _cron_number(base.split("-")[1], 0, names) == 7:
        # A range up to unix 7 (Sunday) would end at 1, before its start: list its days instead.
        first = _cron_number(base.split("-")[0], 0, names)
        days = sorted({day % 7 + 1 for day in range(first, 8, int(step or 1))})
        return ",".join(str(day) for day in days)

    def shift(match: re.Match) -> str:
        return str(int(match.group(0)) % 7 + 1)

    # Numbers before any step are days; a step's divisor stays as it is.
    return re.sub(r"\d+", shift, base) + (f"/{step}" if step else "")


def store_path(location: str) -> tuple[str, str]:
    """(store, key prefix) of a validated `data/...` or `artifacts/...` location."""
    store, _, rest = location.partition("/")
    return store, rest


def _location_error(location: str) -> str | None:
    store, _, rest = location.partition("/")
    if "://" in location or store not in STORES or not rest:
        return (
            f"{location!r} is outside the platform's buckets: give a path in its stores, "
            f"'data/<path>' or 'artifacts/<path>'"
        )
    if any(part in (".", "..") for part in rest.split("/")):
        # Object keys are literal, but a reader expects a path to stay below its prefix: refuse the doubt.
        return f"{location!r}: '.' and '..' segments are not allowed; give the path below {store}/ directly"
    return None


class RetrainingPipelineSpec(SpecModel):
    """A SageMaker pipeline (AWS) the retraining starts instead of the platform's training job: the pipeline's
    own steps then train and register (botocore sagemaker `StartPipelineExecution`: PipelineName,
    PipelineParameters of Name/Value)."""

    name: str = Field(pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$",
                      description="The pipeline's name, in this stack's account and region.")
    parameters: dict[str, str] = Field(default_factory=dict, max_length=200,
                                       description="Pipeline parameters of each execution (name -> value).")

    @field_validator("parameters")
    @classmethod
    def _parameters(cls, value: dict[str, str]) -> dict[str, str]:
        for name, given in value.items():
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", name):
                raise ValueError(f"{name!r}: a parameter name is 1-256 letters, digits, '-' or '_'")
            if len(given) > 1024:
                raise ValueError(f"{name}: a parameter value is at most 1024 characters")
        return value


class RetrainingSpec(SpecModel):
    name: str = Field(pattern=NAME_PATTERN)
    use_case: str | None = Field(default=None, pattern=NAME_PATTERN)
    schedule: str | None = Field(default=None, description="Five-field unix cron expression, UTC.")
    on_drift: bool = Field(default=False, description="Also run when `endpoint`'s drift monitor alerts.")
    endpoint: str | None = Field(default=None, description="The endpoint whose model this job retrains.")
    image: str | None = Field(default=None, description="Training image the job runs; required unless `pipeline` is set.")
    command: list[str] = Field(default_factory=lambda: list(DEFAULT_COMMAND))
    arguments: list[str] = Field(default_factory=list)
    register_to: str = Field(default="registry", description="Where the model goes: the platform's `registry`.")
    hours_per_run: float = Field(default=1, gt=0, le=168, description="Node-hours of one run (cost estimate).")
    runs_per_month: float | None = Field(
        default=None, ge=0, description="Runs per month for the cost estimate; default: derived from the schedule."
    )
    pipeline: RetrainingPipelineSpec | None = Field(
        default=None, description="Start this SageMaker pipeline instead of the training job (AWS only).")

    _cron = field_validator("schedule")(classmethod(lambda cls, value: _checked_cron(value)))

    @model_validator(mode="after")
    def _trigger(self) -> "RetrainingSpec":
        if self.schedule is None and not self.on_drift:
            raise ValueError("schedule: a retraining needs a schedule, on_drift: true, or both")
        if self.on_drift and self.endpoint is None:
            raise ValueError("endpoint: on_drift: true needs the endpoint whose drift monitor triggers it")
        if self.pipeline is not None:
            # By value, not by fields set: a re-validated dump of the spec carries every default.
            defaults = {"image": None, "command": DEFAULT_COMMAND, "arguments": []}
            unused = [f for f, default in defaults.items() if getattr(self, f) != default]
            if unused:
                raise ValueError(f"{unused[0]}: not used with pipeline (the pipeline's steps define the job); remove it")
        elif self.image is None:
            # No cloud has a training image to fall back to: AWS's job definition holds a placeholder, and the
            # Azure/GCP training components build no image of their own.
            raise ValueError(f"image: required: the training image the job runs {' '.join(self.command)!r} in "
                             "(e.g. <registry>/fraud/train:1), unless pipeline is set (AWS)")
        return self

    def monthly_runs(self) -> float:
        """Runs per month: the stated figure, else the schedule's (daily = 30, weekly = 4.3, ...)."""
        if self.runs_per_month is not None:
            return self.runs_per_month
        if self.schedule is None:
            return 0.0
        minute, hour, dom, month, dow = self.schedule.split()
        per_day = _count(minute, 60) * _count(hour, 24)
        days = 30.0
        if dom != "*":
            days = float(_count(dom, 31))
        elif dow != "*":
            days = _count(dow, 7) * 30 / 7
        months = _count(month, 12) / 12
        return round(per_day * days * months, 2)


def _count(field: str, size: int) -> int:
    """How many values a cron field selects out of `size` (approximate for names)."""
    total = 0
    for atom in field.split(","):
        base, _, step = atom.partition("/")
        if base == "*":
            span = size
        elif "-" in base:
            low, high = base.split("-")
            span = int(high) - int(low) + 1 if low.isdigit() and high.isdigit() else 1
        else:
            span = 1 if not step else size
        total += max(1, span // int(step)) if step else span
    return min(total, size)


class BatchInferenceSpec(SpecModel):
    name: str = Field(pattern=NAME_PATTERN)
    use_case: str | None = Field(default=None, pattern=NAME_PATTERN)
    endpoint: str = Field(description="Score with this endpoint's stable model version (its model, image, network).")
    input: str = Field(description="'data/<path>' or 'artifacts/<path>' in the platform's stores.")
    output: str = Field(description="'data/<path>' or 'artifacts/<path>' in the platform's stores.")
    schedule: str = Field(description="Five-field unix cron expression, UTC.")
    instance_count: int = Field(default=1, ge=1, le=100)
    hours_per_run: float = Field(default=1, gt=0, le=168, description="Node-hours of one run (cost estimate).")

    _cron = field_validator("schedule")(classmethod(lambda cls, value: _checked_cron(value)))

    @field_validator("input", "output")
    @classmethod
    def _inside(cls, value: str | None) -> str | None:
        problem = value and _location_error(value)
        if problem:
            raise ValueError(problem)
        return value

    def monthly_runs(self) -> float:
        return RetrainingSpec.model_construct(schedule=self.schedule, runs_per_month=None).monthly_runs()


class PromotionSpec(SpecModel):
    to: str = Field(description="The next environment, whose stack deploys models approved here.")
    principal: str = Field(
        min_length=1,
        description="That environment's account id (AWS), subscription id (Azure) or project id (GCP).",
    )
    identity: str | None = Field(
        default=None,
        description="Azure only: the object (principal) id of that environment's platform identity, its stack "
        "output `base.extras.identity_principal_id` (a role assignment needs it; a subscription id does not give it).",
    )


def check_loop(spec) -> None:
    """Cross-section checks: named endpoints exist (and are monitored for on_drift), promotion goes to
    the next existing environment, and a registry exists to promote from."""
    endpoints = {endpoint.name: endpoint for endpoint in spec.endpoints}
    use_cases = [use_case.name for use_case in spec.use_cases]
    for section in ("retraining", "batch_inference"):
        for i, item in enumerate(getattr(spec, section)):
            if item.use_case and item.use_case not in use_cases:
                raise ValueError(f"{section}.{i}.use_case: use case {item.use_case!r} is not declared in use_cases "
                                 f"(declared: {use_cases})")
    names = [r.name for r in spec.retraining]
    if len(set(names)) != len(names):
        raise ValueError("retraining: names must be unique")
    for i, item in enumerate(spec.retraining):
        if item.endpoint is not None and item.endpoint not in endpoints:
            raise ValueError(f"retraining.{i}.endpoint: no endpoint named {item.endpoint!r} (endpoints: {list(endpoints)})")
        if item.on_drift:
            monitoring = endpoints[item.endpoint].monitoring
            if monitoring is None or not monitoring.drift:
                why = "monitoring is off" if monitoring is None or not monitoring.enabled else "monitoring has no baseline"
                raise ValueError(
                    f"retraining.{i}.on_drift: needs endpoint monitoring with a drift monitor: endpoint "
                    f"{item.endpoint!r} has none to trigger on ({why}; see docs/monitoring.md)"
                )
            from ..cloud import CloudFeature
            from ..registry import cloud_of

            lacking = cloud_of(spec.cloud).unsupported_features().get(CloudFeature.DRIFT_RETRAINING)
            if lacking:
                raise ValueError(f"retraining.{i}.on_drift: not on {spec.cloud.value}: {lacking}")
        if item.pipeline is not None:
            from ..cloud import CloudFeature
            from ..registry import cloud_of

            lacking = cloud_of(spec.cloud).feature_gap(CloudFeature.RETRAINING_PIPELINE)
            if lacking:
                raise ValueError(f"retraining.{i}.pipeline: not on {spec.cloud.value}: {lacking}")
        if spec.training is None and item.pipeline is None:
            raise ValueError(f"retraining.{i}: needs the training section (jobs run on its spot capacity)")
        if item.register_to != "registry" or spec.registry is None:
            raise ValueError(f"retraining.{i}.register_to: must be 'registry', and the spec needs a registry section")
    names = [b.name for b in spec.batch_inference]
    if len(set(names)) != len(names):
        raise ValueError("batch_inference: names must be unique")
    for i, item in enumerate(spec.batch_inference):
        if item.endpoint not in endpoints:
            raise ValueError(
                f"batch_inference.{i}.endpoint: no endpoint named {item.endpoint!r} (endpoints: {list(endpoints)})"
            )
    from ..registry import cloud_of

    for i, item in enumerate(spec.batch_inference):
        problem = cloud_of(spec.cloud).batch_inference_problem(spec, item)
        if problem:
            raise ValueError(f"batch_inference.{i}{'.' if problem.startswith('endpoint:') else ': '}{problem}")
    if spec.promotion is not None:
        here = ENVIRONMENT_ORDER.index(spec.environment.value)
        later = ENVIRONMENT_ORDER[here + 1:]
        if spec.promotion.to not in later:
            raise ValueError(
                f"promotion.to: environment {spec.promotion.to!r} does not exist after {spec.environment.value} "
                f"(promote to one of {later or 'nothing: prod is the last environment'})"
            )
        if spec.registry is None:
            raise ValueError("promotion: needs the registry section (approved models are promoted from it)")

        problem = cloud_of(spec.cloud).promotion_principal_error(spec.promotion.principal)
        if problem:
            raise ValueError(f"promotion.principal: {problem}")
        problem = cloud_of(spec.cloud).promotion_identity_error(spec.promotion.identity)
        if problem:
            raise ValueError(f"promotion.identity: {problem}")
