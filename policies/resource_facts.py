"""Per-type knowledge the policies share: which resource types are taggable, stateful, network-exposed,
GPU-bearing, budgets, per cloud; and safe readers for analyzer properties.

Kept free of pulumi_policy imports at module level except the unknown-value marker, so the pack starts
fast. Cloud SDK modules are imported lazily, one module per type token seen, and cached.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import inspect
import json
import re
from collections import Counter
from functools import lru_cache
from collections.abc import Mapping, Sequence
from typing import Any, Iterable, Optional

try:  # the unknown-value marker raised by the pack's property proxy during preview
    from pulumi_policy.proxy import UnknownValueError
except ImportError:  # pragma: no cover - pulumi_policy is a dependency of the pack
    class UnknownValueError(Exception):  # type: ignore[no-redef]
        pass


class _Unknown:
    """A value not known until the resource is created (computed during `pulumi preview`)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()

SDK_PACKAGES = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native", "gcp": "pulumi_gcp"}
CLOUD_OF_PACKAGE = {"aws": "aws", "azure-native": "azure", "gcp": "gcp"}

BUDGET_TYPES = {
    "aws:budgets/budget:Budget",
    "azure-native:consumption:Budget",
    "azure-native:consumption:BudgetByResourceGroupName",
    "azure-native:costmanagement:Budget",
    "gcp:billing/budget:Budget",
}

# Types holding data or keys whose deletion loses data: protected in prod.
STATEFUL_TYPES = {
    # AWS
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:kms/key:Key",
    "aws:sagemaker/featureGroup:FeatureGroup",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    "aws:ecr/repository:Repository",
    "aws:opensearch/serverlessCollection:ServerlessCollection",
    "aws:dynamodb/table:Table",
    "aws:efs/fileSystem:FileSystem",
    # Azure
    "azure-native:storage:StorageAccount",
    "azure-native:keyvault:Vault",
    "azure-native:keyvault:Key",
    "azure-native:machinelearningservices:Workspace",
    "azure-native:machinelearningservices:Registry",
    "azure-native:search:Service",
    "azure-native:containerregistry:Registry",
    "azure-native:documentdb:DatabaseAccount",
    # GCP
    "gcp:storage/bucket:Bucket",
    "gcp:kms/keyRing:KeyRing",
    "gcp:kms/cryptoKey:CryptoKey",
    "gcp:artifactregistry/repository:Repository",
    "gcp:bigquery/dataset:Dataset",
    "gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore",
    "gcp:vertex/aiFeatureStore:AiFeatureStore",
    "gcp:vertex/aiFeatureGroup:AiFeatureGroup",
    "gcp:vertex/aiIndex:AiIndex",
    "gcp:vertex/aiMetadataStore:AiMetadataStore",
}

TRAINING_COMPONENTS = ("TrainingCluster", "Training")
ENDPOINT_COMPONENTS = ("Endpoint",)


# ---------------------------------------------------------------------------------------------------
# Type tokens


def package_of(type_token: str) -> str:
    return type_token.split(":", 1)[0]


def cloud_of(type_token: str) -> Optional[str]:
    return CLOUD_OF_PACKAGE.get(package_of(type_token))


def tag_property(type_token: str) -> Optional[str]:
    """`tags` on AWS and Azure, `labels` on GCP (`userLabels` on GCP types whose `labels` is configuration, e.g.
    monitoring notification channels; `resourceLabels` on GKE clusters); None for other packages."""
    cloud = cloud_of(type_token)
    if cloud is None:
        return None
    if cloud != "gcp":
        return "tags"
    names = sdk_input_names(type_token) or frozenset()
    if "user_labels" in names:
        return "userLabels"
    if "labels" not in names and "resource_labels" in names:  # GKE clusters: resourceLabels are the GCP labels
        return "resourceLabels"
    return "labels"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _module_path(type_token: str) -> Optional[tuple[str, str]]:
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] not in SDK_PACKAGES:
        return None
    module = parts[1].split("/")[0]
    if parts[0] == "azure-native" and "/" in parts[1]:  # versioned azure-native module, e.g. storage/v20230101
        module = parts[1].replace("/", ".")
    return f"{SDK_PACKAGES[parts[0]]}.{module}", parts[2]


@lru_cache(maxsize=None)
def _package_dir(package: str) -> Optional[str]:
    spec = importlib.util.find_spec(package)
    return spec.submodule_search_locations[0] if spec and spec.submodule_search_locations else None


_INIT_RE = re.compile(r"def _internal_init\(__self__,(.*?)\):", re.S)
_ARG_RE = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*:", re.M)


@lru_cache(maxsize=None)
def sdk_input_names(type_token: str) -> Optional[frozenset]:
    """The input argument names (snake_case) the installed SDK class of `type_token` accepts, or None when the
    SDK or class is not installed. Reads the class's generated source file (fast: the SDK modules are large),
    falling back to importing only the module of this token; cached per token."""
    located = _module_path(type_token)
    if located is None:
        return None
    module, cls_name = located
    package, _, rest = module.partition(".")
    base = _package_dir(package)
    if base:
        path = os.path.join(base, *rest.split("."), _snake(cls_name) + ".py")
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
            if f"class {cls_name}(pulumi." in text:
                match = _INIT_RE.search(text)
                if match:
                    return frozenset(_ARG_RE.findall(match.group(1)))
        except OSError:
            pass
    try:
        mod = importlib.import_module(module)
        cls = getattr(mod, cls_name)
        init = getattr(cls, "_internal_init", None) or cls.__init__
        return frozenset(inspect.signature(init).parameters)
    except Exception:  # noqa: BLE001 - unknown module/class: the policies treat the type as unknown
        return None


def is_taggable(type_token: str) -> bool:
    """True when the resource type's SDK class accepts `tags` (AWS, Azure) or `labels` (GCP)."""
    prop = tag_property(type_token)
    if prop is None:
        return False
    names = sdk_input_names(type_token)
    return bool(names) and _snake(prop) in names


# ---------------------------------------------------------------------------------------------------
# Reading analyzer properties (unknown-safe)


def get(props: Any, path: str, default: Any = None) -> Any:
    """props["a"]["b"][0]... along a dotted path ("a.b.0"); UNKNOWN when a value on the path is computed."""
    current = props
    try:
        for part in path.split("."):
            if current is None:
                return default
            if isinstance(current, Mapping):
                current = current.get(part)
            elif isinstance(current, Sequence) and not isinstance(current, (str, bytes)) and part.isdigit():
                index = int(part)
                current = current[index] if index < len(current) else None
            else:
                return default
    except UnknownValueError:
        return UNKNOWN
    return default if current is None else current


def plain(value: Any) -> Any:
    """A deep plain copy (dict/list) of a proxied value; UNKNOWN exactly where a value is computed (each
    key/item on its own: one computed field does not hide its known siblings)."""

    def item(read) -> Any:
        try:
            return plain(read())
        except UnknownValueError:
            return UNKNOWN

    try:
        if isinstance(value, Mapping):
            return {k: item(lambda k=k: value[k]) for k in value}
        if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
            return [item(lambda i=i: value[i]) for i in range(len(value))]
        return value
    except UnknownValueError:
        return UNKNOWN


def is_known(value: Any) -> bool:
    return value is not UNKNOWN


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def lower(value: Any) -> str:
    return value.lower() if isinstance(value, str) else ""


def tags_of(type_token: str, props: Any, provider_props: Any = None) -> Optional[dict]:
    """The resource's tags/labels merged over the provider's default tags/labels; None if unknown."""
    prop = tag_property(type_token)
    if prop is None:
        return {}
    own = plain(get(props, prop, {}))
    if own is UNKNOWN:
        return None
    merged: dict = {}
    if provider_props is not None:
        defaults = plain(get(provider_props, "defaultTags.tags" if prop == "tags" else "defaultLabels", {}))
        if isinstance(defaults, str):  # provider inputs are JSON-encoded strings on the wire
            try:
                defaults = json.loads(defaults)
                if prop == "tags":
                    defaults = defaults.get("tags", {})
            except (ValueError, AttributeError):
                defaults = {}
        if isinstance(defaults, dict):
            merged.update(defaults)
    if isinstance(own, dict):
        merged.update(own)
    return merged


def environment_of(type_token: str, props: Any) -> Optional[str]:
    tags = tags_of(type_token, props) or {}
    for key, value in tags.items():
        if isinstance(key, str) and key.lower() == "environment" and isinstance(value, str):
            return value.lower()
    return None


def stack_environment(resources: Iterable[Any]) -> Optional[str]:
    """The stack's environment: the most common `environment` tag/label over its resources."""
    counts: Counter = Counter()
    for resource in resources:
        env = environment_of(resource.resource_type, resource.props)
        if env:
            counts[env] += 1
    return counts.most_common(1)[0][0] if counts else None


def urn_component_types(urn: str) -> list[str]:
    """The parent type chain in a URN (`urn:pulumi:stack::project::A$B$type::name`), outermost first."""
    parts = urn.split("::")
    if len(parts) < 4:
        return []
    return parts[2].split("$")[:-1]


def in_component(urn: str, names: Iterable[str]) -> bool:
    for component in urn_component_types(urn):
        kind = component.rsplit(":", 1)[-1]
        if kind in names:
            return True
    return False


def parse_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return plain(value)


# ---------------------------------------------------------------------------------------------------
# GPU shapes: instance/VM/accelerator names -> neutral GPU class of the spec, GPUs and vCPUs per node

_AWS_FAMILY_GPU = [
    (re.compile(r"^(ml\.)?g4dn\."), "t4"),
    (re.compile(r"^(ml\.)?g6\."), "l4"),
    (re.compile(r"^(ml\.)?gr6\."), "l4"),
    (re.compile(r"^(ml\.)?g5\."), "a10g"),
    (re.compile(r"^(ml\.)?p4de\."), "a100-80gb"),
    (re.compile(r"^(ml\.)?p4d\."), "a100"),
    (re.compile(r"^(ml\.)?p5\."), "h100"),
    (re.compile(r"^(ml\.)?(p2|p3|p3dn|g3|g4ad|g6e|p5e|p5en|p6-b200|trn1|inf2)\."), "other"),
]
_AWS_SIZE_VCPUS = {"xlarge": 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32, "12xlarge": 48, "16xlarge": 64,
                   "24xlarge": 96, "32xlarge": 128, "48xlarge": 192, "large": 2, "metal": 96}
_AWS_FAMILY_ONLY = {"g4dn": "t4", "g6": "l4", "g5": "a10g", "p4d": "a100", "p4de": "a100-80gb", "p5": "h100",
                    "p3": "other", "p2": "other"}

_AZURE_VM_GPU = [
    (re.compile(r"^standard_nc\d+as_t4_v3$", re.I), "t4"),
    (re.compile(r"^standard_nv\d+ads_a10_v5$", re.I), "a10g"),
    (re.compile(r"^standard_nc\d+ads_a100_v4$", re.I), "a100-80gb"),
    (re.compile(r"^standard_nd96amsr_a100_v4$", re.I), "a100-80gb"),
    (re.compile(r"^standard_nd96asr_v4$", re.I), "a100"),
    (re.compile(r"^standard_nd\d+isr_h100_v5$", re.I), "h100"),
    (re.compile(r"^standard_nc\d+ads_h100_v5$", re.I), "h100"),
    (re.compile(r"^standard_n[cdv]\d+", re.I), "other"),
]

_GCP_ACCELERATOR_GPU = {
    "nvidia-tesla-t4": "t4",
    "nvidia-l4": "l4",
    "nvidia-tesla-a100": "a100",
    "nvidia-a100-80gb": "a100-80gb",
    "nvidia-h100-80gb": "h100",
    "nvidia-h100-mega-80gb": "h100",
}
_GCP_MACHINE_GPU = [
    (re.compile(r"^a2-ultragpu-"), "a100-80gb"),
    (re.compile(r"^a2-(high|mega)gpu-"), "a100"),
    (re.compile(r"^a3-"), "h100"),
    (re.compile(r"^g2-"), "l4"),
]


def aws_gpu_class(instance_type: str) -> Optional[str]:
    """GPU class of an EC2/SageMaker instance type or family (None for CPU instances)."""
    name = instance_type.lower()
    if name in _AWS_FAMILY_ONLY:
        return _AWS_FAMILY_ONLY[name]
    for pattern, gpu in _AWS_FAMILY_GPU:
        if pattern.match(name):
            return gpu
    return None


def aws_instance_vcpus(instance_type: str) -> Optional[int]:
    size = instance_type.lower().rsplit(".", 1)[-1] if "." in instance_type else None
    return _AWS_SIZE_VCPUS.get(size) if size else None


def azure_gpu_class(vm_size: str) -> Optional[str]:
    for pattern, gpu in _AZURE_VM_GPU:
        if pattern.match(vm_size or ""):
            return gpu
    return None


def gcp_gpu_classes(node_config: Any) -> list[str]:
    found: list[str] = []
    accelerators = plain(get(node_config, "guestAccelerators", [])) or []
    if isinstance(accelerators, list):
        for accelerator in accelerators:
            kind = accelerator.get("type") if isinstance(accelerator, dict) else None
            if isinstance(kind, str):
                found.append(_GCP_ACCELERATOR_GPU.get(kind.lower(), "other"))
    machine = get(node_config, "machineType")
    if not found and isinstance(machine, str):
        for pattern, gpu in _GCP_MACHINE_GPU:
            if pattern.match(machine.lower()):
                found.append(gpu)
    return found
