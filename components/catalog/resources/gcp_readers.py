"""The readers the policies call on GCP resource types (the rows: gcp.py)."""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

from . import Subject
from .props import get, is_known, lower, plain_list, truthy

PUBLIC_MEMBERS = ("allusers", "allauthenticatedusers")
BASIC_ROLES = {"roles/owner", "roles/editor"}


# ---------------------------------------------------------------------------------------------------
# Encryption, public access, network exposure


def _kms_key(path: str, message: str):
    def read(s: Subject):
        if not get(s.props, path):
            yield message.format(kind=s.type.rsplit(":", 1)[-1])
    return read


BUCKET_ENCRYPTION = _kms_key("encryption.defaultKmsKeyName",
                             "prod GCS bucket has no customer-managed key (encryption.defaultKmsKeyName).")
VERTEX_ENCRYPTION = _kms_key("encryptionSpec.kmsKeyName",
                             "prod {kind} has no customer-managed key (encryptionSpec.kmsKeyName).")
REPOSITORY_ENCRYPTION = _kms_key("kmsKeyName",
                                 "prod Artifact Registry repository has no customer-managed key (kmsKeyName).")


def bucket_public_access(s: Subject):
    pap = get(s.props, "publicAccessPrevention")
    if is_known(pap) and lower(pap) != "enforced":
        yield "GCS bucket does not enforce public access prevention (publicAccessPrevention = enforced)."
    ubla = get(s.props, "uniformBucketLevelAccess")
    if is_known(ubla) and not truthy(ubla):
        yield "GCS bucket does not use uniform bucket-level access."


def bucket_grant_public_access(s: Subject):
    members = plain_list(s.props, "members") + [get(s.props, "member"), get(s.props, "entity")]
    if any(isinstance(m, str) and m.lower().replace("-", "") in PUBLIC_MEMBERS for m in members):
        yield "GCS bucket IAM grants access to allUsers/allAuthenticatedUsers."


def index_endpoint_network(s: Subject):
    if truthy(get(s.props, "publicEndpointEnabled")):
        yield ("prod Vertex AI index endpoint is public; set publicEndpointEnabled = false and use "
               "network or Private Service Connect.")


def endpoint_network(s: Subject):
    if not get(s.props, "network") and not truthy(get(s.props, "privateServiceConnectConfig.enablePrivateServiceConnect")):
        yield "prod Vertex AI endpoint is public; set network or privateServiceConnectConfig."


def cluster_network(s: Subject):
    if not truthy(get(s.props, "privateClusterConfig.enablePrivateNodes")):
        yield "prod GKE cluster nodes have public IPs; enable private nodes."


# ---------------------------------------------------------------------------------------------------
# Keys and IAM


def service_account_key(s: Subject):
    yield "user-managed service account key; use workload identity."


def hmac_key(s: Subject):
    yield "GCS HMAC key (key-based access); use IAM."


def basic_role_grant(s: Subject):
    """Any GCP IAM member/binding/policy type (`.../iAMMember:...`, `...:BucketIAMBinding`) granting a basic role."""
    if "/iAM" in s.type or "IAM" in s.type.rsplit(":", 1)[-1]:
        role = get(s.props, "role")
        if isinstance(role, str) and role in BASIC_ROLES:
            yield f"grants the basic role {role}; use predefined or custom roles."


def crypto_key_rotation(s: Subject):
    max_days = s.settings.get("maxRotationDays", 365)
    if (get(s.props, "purpose") or "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
        return  # Cloud KMS rotates only symmetric keys automatically
    period = get(s.props, "rotationPeriod")
    if not is_known(period):
        return
    numeric = isinstance(period, str) and period.endswith("s") and period[:-1].replace(".", "", 1).isdigit()
    seconds = float(period[:-1]) if numeric else None
    if seconds is None:
        yield "Cloud KMS key has no rotationPeriod."
    elif seconds > max_days * 86400:
        yield f"Cloud KMS key rotates every {seconds / 86400:.0f} days; the limit is {max_days}."


# ---------------------------------------------------------------------------------------------------
# Training capacity (GKE node pools with GPUs) and GPU classes (from the GPU catalog)

# Accelerators and GPU-bundling machine families the GPU catalog does not offer, still recognised.
UNOFFERED_ACCELERATORS = {"nvidia-h100-mega-80gb": "h100"}
UNOFFERED_MACHINE_FAMILIES = {"a2-megagpu": "a100", "a3-megagpu": "h100", "a3-edgegpu": "h100"}
# Machine series whose GPUs are attached (guestAccelerators): the machine type alone names no GPU.
ATTACHED_GPU_SERIES = ("n1",)


@lru_cache(maxsize=1)
def _offered() -> tuple[dict, dict]:
    from components.catalog import gpus

    shapes = [s for s in gpus.all_shapes() if s.cloud == "gcp"]
    accelerators = {s.accelerator: s.gpu for s in shapes if s.accelerator}
    families = {s.instance_type.rsplit("-", 1)[0]: s.gpu for s in shapes
                if s.instance_type.split("-")[0] not in ATTACHED_GPU_SERIES}
    return accelerators, families


def gpu_classes(node_config) -> list[str]:
    """GPU classes of a node config: its accelerators, else the GPUs its machine type bundles."""
    accelerators, families = _offered()
    found: list[str] = []
    for accelerator in plain_list(node_config, "guestAccelerators"):
        kind = accelerator.get("type") if isinstance(accelerator, dict) else None
        if isinstance(kind, str):
            found.append(accelerators.get(kind.lower()) or UNOFFERED_ACCELERATORS.get(kind.lower(), "other"))
    machine = get(node_config, "machineType")
    if not found and isinstance(machine, str):
        family = machine.lower().rsplit("-", 1)[0]
        gpu = families.get(family) or UNOFFERED_MACHINE_FAMILIES.get(family)
        if gpu:
            found.append(gpu)
    return found


def _in_endpoint(urn: str) -> bool:
    parts = urn.split("::")
    return len(parts) >= 4 and any(t.rsplit(":", 1)[-1] == "Endpoint" for t in parts[2].split("$")[:-1])


def _is_training(s: Subject) -> bool:
    """A node pool with GPUs outside endpoints: the training capacity. A CPU-only system pool (cluster add-ons,
    job controllers) is not training capacity and stays on-demand for reliability."""
    return not _in_endpoint(s.urn) and bool(gpu_classes(get(s.props, "nodeConfig", {})))


def node_pool_spot(s: Subject):
    if not _is_training(s):
        return
    spot, preemptible = get(s.props, "nodeConfig.spot"), get(s.props, "nodeConfig.preemptible")
    if is_known(spot) and is_known(preemptible) and not (truthy(spot) or truthy(preemptible)):
        yield "GKE training node pool is on-demand; set nodeConfig.spot = true."


def scheduled_job_spot(s: Subject):
    """A Cloud Scheduler job that creates Vertex AI custom jobs (scheduled retraining) must ask for SPOT."""
    import base64
    import binascii
    import json

    uri, body = get(s.props, "httpTarget.uri"), get(s.props, "httpTarget.body")
    if not (isinstance(uri, str) and uri.endswith("/customJobs") and isinstance(body, str)):
        return
    try:
        strategy = json.loads(base64.b64decode(body)).get("jobSpec", {}).get("scheduling", {}).get("strategy")
    except (binascii.Error, ValueError, AttributeError):
        yield "scheduled Vertex AI custom job body is not base64 JSON; cannot check its capacity."
        return
    if strategy != "SPOT":
        yield f"scheduled training runs Vertex AI custom jobs with scheduling {strategy or 'unset'}; use SPOT."


def node_pool_scale_to_zero(s: Subject):
    autoscaling = get(s.props, "autoscaling")
    if not _is_training(s) or not is_known(autoscaling):
        return
    if not autoscaling:
        yield "GKE training node pool has no autoscaling; enable autoscaling with minNodeCount = 0."
        return
    for key in ("minNodeCount", "totalMinNodeCount"):
        value = get(autoscaling, key, 0)
        if isinstance(value, (int, float)) and value > 0:
            yield f"GKE training node pool keeps {int(value)} nodes running; set autoscaling.{key} = 0."


def node_pool_gpus(s: Subject):
    if not _is_training(s):
        return None
    node_config = get(s.props, "nodeConfig", {})
    shape = get(node_config, "machineType") or "accelerator"
    nodes = None
    for key in ("totalMaxNodeCount", "maxNodeCount"):
        value = get(s.props, f"autoscaling.{key}")
        if isinstance(value, (int, float)):
            nodes = int(value)
            break
    return [(gpu, str(shape)) for gpu in gpu_classes(node_config)], nodes


NODE_POOL = {"training_spot": node_pool_spot, "training_scale_to_zero": node_pool_scale_to_zero,
             "training_gpus": node_pool_gpus}


def min_instances(s: Subject) -> Optional[float]:
    """Instances a Cloud Run service keeps running when idle."""
    return get(s.props, "template.scaling.minInstanceCount", 0)


def budget_amount(s: Subject):
    return get(s.props, "amount.specifiedAmount.units")
