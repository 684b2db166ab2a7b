"""The pricing rules a resource catalogue row can name (`RULES`), each turning a planned resource's inputs into
the charges it is billed by (`mlplat/finops/charges.py`). Which rule prices a type, with which parameters, is
a fact of its row in components/catalog/resources; `mlplat/finops/sku.py` looks the row up and calls the rule."""

from __future__ import annotations

import math
from typing import Callable

from .charges import HOURS_PER_MONTH, Charge, Resolution, Resource


def _get(data, *path, default=None):
    for key in path:
        if not isinstance(data, dict):
            return default
        data = data.get(key)
        if data is None:
            return default
    return data


def _hours(count: float, what: str) -> tuple[float, str]:
    return count * HOURS_PER_MONTH, f"{count:g} {what} x {HOURS_PER_MONTH} h"


def _hourly(sku: str, count: float, what: str, spot: bool = False) -> Charge:
    """An always-on charge: `count` units billed every hour of the month."""
    quantity, basis = _hours(count, what)
    return Charge(sku, quantity=quantity, kind="idle", basis=basis, spot=spot)


# -- AWS ------------------------------------------------------------------------------------------------
def _aws_vpc_endpoint(r: Resource) -> Resolution:
    if (r.inputs.get("vpcEndpointType") or "Gateway") == "Gateway":
        return Resolution("free", note="gateway endpoints (S3, DynamoDB) are free")
    zones = len(r.inputs.get("subnetIds") or []) or 1
    qty, basis = _hours(zones, "AZ")
    return Resolution("priced", [Charge("vpc/interface-endpoint-az", qty, basis=basis)])


def _aws_opensearch_collection(r: Resource) -> Resolution:
    standby = (r.inputs.get("standbyReplicas") or "ENABLED").upper() == "ENABLED"
    ocus = 2 if standby else 1
    qty, basis = _hours(ocus, "OCU minimum" + (" (standby replicas)" if standby else " (standby disabled)"))
    return Resolution(
        "priced",
        [
            Charge("aoss/ocu", qty, basis=basis),
            Charge("aoss/storage", kind="usage", driver="vector_stored_gb", basis="usage.vector_stored_gb"),
        ],
    )


def _aws_endpoint_config(r: Resource) -> Resolution:
    variants = r.inputs.get("productionVariants") or []
    charges = []
    for variant in variants:
        if variant.get("serverlessConfig"):
            return Resolution("usage-only", note="serverless inference: billed per request and duration")
        instance = variant.get("instanceType")
        count = variant.get("initialInstanceCount", 1)
        if instance is None:
            continue
        charges.append(
            Charge(
                f"sagemaker-hosting/{instance}",
                kind="endpoint",
                basis=f"variant {variant.get('variantName', '?')}",
                params={"initial": count, "weight": variant.get("initialVariantWeight", 1.0)},
            )
        )
    return Resolution("priced", charges) if charges else Resolution("free", note="no instance-backed variant")


def _aws_batch_compute(r: Resource) -> Resolution:
    resources = r.inputs.get("computeResources") or {}
    kind = (resources.get("type") or "EC2").upper()
    if kind in ("FARGATE", "FARGATE_SPOT"):
        return Resolution("usage-only", note="Fargate: billed per vCPU/GB-second of jobs")
    spot = kind == "SPOT"
    charges = []
    for instance in resources.get("instanceTypes") or []:
        charges.append(Charge(f"ec2/{instance}", kind="usage", driver="training_gpu_hours", spot=spot,
                              basis="usage.training_gpu_hours / GPUs per instance"))
    unpriced = []
    min_vcpus = resources.get("minVcpus") or 0
    if isinstance(min_vcpus, (int, float)) and min_vcpus > 0:
        # Batch keeps at least minVcpus running: whole instances of the (first) allowed type, always on.
        instance = (resources.get("instanceTypes") or [None])[0]
        vcpus = _ec2_vcpus(instance)
        if vcpus:
            count = math.ceil(min_vcpus / vcpus)
            charges.insert(0, _hourly(f"ec2/{instance}", count,
                                      f"instance(s) kept by minVcpus {min_vcpus:g} ({vcpus} vCPUs each)", spot=spot))
        else:
            unpriced.append(f"minVcpus {min_vcpus:g} keeps instances running, but the vCPUs of {instance} are not "
                            "in the catalog (components/catalog/gpus.yaml)")
    return Resolution("priced", charges, unpriced=unpriced)


def _ec2_vcpus(instance: str | None) -> int | None:
    """vCPUs of an EC2 instance type the catalog knows (GPU shapes and the CPU endpoint shape)."""
    if not isinstance(instance, str):
        return None
    from components.catalog import gpus

    for shape in gpus.all_shapes():
        if shape.cloud == "aws" and shape.instance_type == instance:
            return shape.vcpus
    cpu = gpus.cpu_shape_details("aws")
    return cpu.vcpus if cpu.instance_type == instance else None


# -- Azure ----------------------------------------------------------------------------------------------
def _azure_storage_account(r: Resource) -> Resolution:
    sku = (_get(r.inputs, "sku", "name") or "Standard_LRS").split("_")[-1]
    return Resolution("priced", [Charge(f"storage/hot-{sku}", kind="usage", driver="stored_gb", basis="share of usage.stored_gb")])


def _azure_key(r: Resource) -> Resolution:
    kty = (_get(r.inputs, "properties", "kty") or "").upper()
    if kty.endswith("-HSM"):
        return Resolution("priced", [Charge("keyvault/hsm-key", 1, basis="1 HSM key x 1 month")])
    return Resolution("usage-only", note="software key: billed per 10,000 operations")


def _azure_registry(r: Resource) -> Resolution:
    tier = _get(r.inputs, "sku", "name") or "Basic"
    return Resolution("priced", [Charge(f"acr/{tier}", 1, basis=f"{tier} registry x 1 month")])


def _azure_compute(r: Resource) -> Resolution:
    props = r.inputs.get("properties") or {}
    kind = props.get("computeType")
    inner = props.get("properties") or {}
    if kind != "AmlCompute":
        return Resolution("usage-only", note=f"{kind} compute: billed by the attached service")
    vm = inner.get("vmSize")
    spot = (inner.get("vmPriority") or "Dedicated") == "LowPriority"
    floor = _get(inner, "scaleSettings", "minNodeCount", default=0) or 0
    charges = [Charge(f"vm/{vm}", kind="usage", driver="training_gpu_hours", spot=spot,
                      basis="usage.training_gpu_hours / GPUs per instance")]
    if floor:
        qty, basis = _hours(floor, "minimum node")
        charges.insert(0, Charge(f"vm/{vm}", qty, basis=basis, spot=spot))
    return Resolution("priced", charges)


def _azure_online_deployment(r: Resource) -> Resolution:
    props = r.inputs.get("properties") or r.inputs.get("onlineDeploymentProperties") or {}
    instance = props.get("instanceType")
    count = _get(r.inputs, "sku", "capacity", default=1)
    # Each deployment keeps its own instances (sku.capacity, autoscaled between the endpoint's min and max)
    # and serves the share of requests the endpoint's traffic map gives it (its role: stable or canary).
    name = r.inputs.get("deploymentName") or r.name
    traffic = r.traffic if r.traffic is not None else _get(r.parent_inputs, "properties", "traffic")
    params = {"initial": count, "weight": 1.0}
    basis = f"deployment {name}"
    if isinstance(traffic, dict) and traffic:
        share = traffic.get(name, 0)
        share = float(share) / 100 if isinstance(share, (int, float)) else 1.0
        params["traffic_share"] = share
        basis += f", {share:.0%} of the endpoint's traffic"
    return Resolution("priced", [Charge(f"vm/{instance}", kind="endpoint", basis=basis, params=params)])


def _vertex_model_versions(r: Resource) -> Resolution:
    """mlplat's Vertex AI model deployer: one dedicated deployment per model version it deploys."""
    versions = r.inputs.get("versions")
    if not isinstance(versions, list):
        return Resolution("unknown", note="Vertex AI model deployer without `versions`: nothing to price")
    charges = [
        Charge(f"vertex-prediction/{v.get('machine_type')}", kind="endpoint", basis=f"version {v.get('name')}",
               params={"initial": int(v.get("min_replicas") or 1), "weight": float(v.get("weight") or 0)})
        for v in versions
    ]
    return Resolution("priced", charges)


def _azure_search(r: Resource) -> Resolution:
    tier = _get(r.inputs, "sku", "name") or "basic"
    units = (r.inputs.get("replicaCount") or 1) * (r.inputs.get("partitionCount") or 1)
    qty, basis = _hours(units, f"search unit(s) ({tier})")
    return Resolution("priced", [Charge(f"search/{tier}", qty, basis=basis)])


def _azure_redis(r: Resource) -> Resolution:
    sku = r.inputs.get("sku") or {}
    name = f"{sku.get('name', 'Standard')}_{sku.get('family', 'C')}{int(sku.get('capacity', 1))}"
    qty, basis = _hours(1, f"cache ({name})")
    return Resolution("priced", [Charge(f"redis/{name}", qty, basis=basis)])


# -- GCP ------------------------------------------------------------------------------------------------
def _gcp_crypto_key(r: Resource) -> Resolution:
    hsm = (_get(r.inputs, "versionTemplate", "protectionLevel") or "SOFTWARE") == "HSM"
    sku = "kms/hsm-key-version" if hsm else "kms/key-version"
    return Resolution("priced", [Charge(sku, 1, basis="1 active key version x 1 month")])


def _gcp_node_pool(r: Resource) -> Resolution:
    config = r.inputs.get("nodeConfig") or {}
    machine = config.get("machineType") or "e2-medium"
    spot = bool(config.get("spot") or config.get("preemptible"))
    # The program sets totalMinNodeCount (whole pool); minNodeCount is per zone (x node locations).
    floor = _get(r.inputs, "autoscaling", "totalMinNodeCount", default=None)
    if floor is None:
        per_zone = _get(r.inputs, "autoscaling", "minNodeCount", default=None)
        if per_zone is not None:
            floor = per_zone * max(len(r.inputs.get("nodeLocations") or []), 1)
    if floor is None:
        floor = r.inputs.get("nodeCount", r.inputs.get("initialNodeCount", 1)) or 0
    accelerators = config.get("guestAccelerators") or []
    if accelerators:
        # GPU shapes are priced whole (machine + attached GPUs), as the GPU catalog lists them.
        first = accelerators[0]
        skus = [f"compute/{machine}+{first.get('type')}x{int(first.get('count', 1))}"]
    else:
        skus = [f"compute/{machine}"]
    gpu_pool = bool(accelerators)
    charges = []
    for sku in skus:
        if floor:
            qty, basis = _hours(floor, "minimum node")
            charges.append(Charge(sku, qty, basis=basis, spot=spot))
        if gpu_pool:
            charges.append(Charge(sku, kind="usage", driver="training_gpu_hours", spot=spot,
                                  basis="usage.training_gpu_hours / GPUs per node", params={"node_skus": skus}))
    return Resolution("priced", charges)


def _gcp_deployed_index(r: Resource) -> Resolution:
    dedicated = r.inputs.get("dedicatedResources")
    if dedicated:
        machine = _get(dedicated, "machineSpec", "machineType") or "e2-standard-2"
        floor = dedicated.get("minReplicaCount") or 1
    else:
        machine = "e2-standard-16"
        floor = _get(r.inputs, "automaticResources", "minReplicaCount") or 2
    qty, basis = _hours(floor, f"minimum replica(s) ({machine})")
    return Resolution("priced", [Charge(f"vertex-vector-search/{machine}", qty, basis=basis)])


def _gcp_online_store(r: Resource) -> Resolution:
    if r.inputs.get("bigtable"):
        floor = _get(r.inputs, "bigtable", "autoScaling", "minNodeCount") or 1
        qty, basis = _hours(floor, "minimum Bigtable node(s)")
        return Resolution("priced", [Charge("vertex-feature-store/bigtable-node", qty, basis=basis)])
    qty, basis = _hours(1, "optimized serving node (minimum)")
    return Resolution("priced", [Charge("vertex-feature-store/optimized-node", qty, basis=basis)])


def _gcp_endpoint_deployment(r: Resource) -> Resolution:
    resources = r.inputs.get("dedicatedResources") or _get(r.inputs, "deployedModel", "dedicatedResources") or {}
    machine = _get(resources, "machineSpec", "machineType") or "n1-standard-2"
    count = resources.get("minReplicaCount") or 1
    return Resolution("priced", [Charge(f"vertex-prediction/{machine}", kind="endpoint", basis="deployed model",
                                        params={"initial": count, "weight": 1.0})])


def _stored_gb(r: Resource, sku: str) -> Resolution:
    return Resolution("priced", [Charge(sku, kind="usage", driver="stored_gb", basis="share of usage.stored_gb")])


def _monthly(r: Resource, sku: str, what: str) -> Resolution:
    return Resolution("priced", [Charge(sku, 1, basis=f"1 {what} x 1 month")])


def _hourly_rule(r: Resource, sku: str, what: str) -> Resolution:
    return Resolution("priced", [_hourly(sku, 1, what)])


def _hourly_per_subnet(r: Resource, sku: str) -> Resolution:
    return Resolution("priced", [_hourly(sku, len(r.inputs.get("subnetIds") or []) or 1, "AZ")])


def _monitoring_runs(r: Resource, sku: str, hours_per_run: float) -> Resolution:
    """A scheduled monitoring job: runs per month (hourly or daily schedule) x the assumed hours per run.
    An Azure ML schedule whose action starts a job (retraining, batch scoring) is free: its job runs on the
    training cluster, priced from the retraining usage."""
    action = _get(r.inputs, "properties", "action") or {}
    if r.type.endswith(":Schedule") and (action.get("actionType") or action.get("action_type")) != "CreateMonitor":
        return Resolution("free", note="the schedule is free; its jobs run on the AmlCompute cluster (retraining runs)")
    expression = _get(r.inputs, "monitoringScheduleConfig", "scheduleConfig", "scheduleExpression") or ""
    frequency = _get(r.inputs, "properties", "trigger", "frequency") or ""
    hourly = expression.startswith("cron(0 * ") or frequency == "Hour"
    runs = HOURS_PER_MONTH if hourly else HOURS_PER_MONTH / 24
    basis = f"{runs:g} {'hourly' if hourly else 'daily'} runs x {hours_per_run:g} h (assumed run length)"
    return Resolution("priced", [Charge(sku, runs * hours_per_run, basis=basis)])


def _vertex_monitoring(r: Resource, sku: str, kb_per_request: float) -> Resolution:
    """Vertex AI Model Monitoring bills the GB of logged traffic it analyses: the endpoint's requests
    (usage.endpoint_requests_per_second) x the monitor's sampling rate x an assumed request size."""
    return Resolution("priced", [Charge(sku, kind="usage", driver="monitored_requests", params={
        "monitor": _get(r.inputs, "display_name") or r.name,
        "sampling_rate": float(_get(r.inputs, "sampling_rate", default=1.0)),
        "gb_per_request": kb_per_request / 1e6,
    }, basis=f"{kb_per_request:g} KB per request (assumed)")])


def _cloudwatch_alarm(r: Resource) -> Resolution:
    """Standard-resolution alarms are billed per metric they evaluate (metric math: each metric queried)."""
    metrics = sum(1 for query in r.inputs.get("metricQueries") or [] if query.get("metric")) or 1
    return Resolution("priced", [Charge("cloudwatch/alarm", metrics, basis=f"{metrics} metric(s) x 1 month")])


def _alert_conditions(r: Resource) -> Resolution:
    conditions = len(r.inputs.get("conditions") or []) or 1
    return Resolution("priced", [Charge("cloud-monitoring/alert-condition", conditions,
                                        basis=f"{conditions} condition(s) x 1 month")])


# The pricing rules a catalogue row can name, with the parameters the row gives.
RULES: dict[str, Callable[..., Resolution]] = {
    "stored_gb": _stored_gb,
    "monthly": _monthly,
    "hourly": _hourly_rule,
    "hourly_per_subnet": _hourly_per_subnet,
    "vpc_endpoint": _aws_vpc_endpoint,
    "opensearch_collection": _aws_opensearch_collection,
    "sagemaker_endpoint_config": _aws_endpoint_config,
    "batch_compute": _aws_batch_compute,
    "storage_account": _azure_storage_account,
    "key_vault_key": _azure_key,
    "container_registry": _azure_registry,
    "aml_compute": _azure_compute,
    "online_deployment": _azure_online_deployment,
    "search_service": _azure_search,
    "redis": _azure_redis,
    "crypto_key": _gcp_crypto_key,
    "node_pool": _gcp_node_pool,
    "deployed_index": _gcp_deployed_index,
    "feature_online_store": _gcp_online_store,
    "model_garden_deployment": _gcp_endpoint_deployment,
    "vertex_model_versions": _vertex_model_versions,
    "monitoring_runs": _monitoring_runs,
    "vertex_monitoring": _vertex_monitoring,
    "cloudwatch_alarm": _cloudwatch_alarm,
    "alert_conditions": _alert_conditions,
}
