"""Azure physical names built from the spec: the components name their resources with these functions, and
`spec_names` lists the same names for `validate` (no Pulumi, no provider SDK here).

Globally unique services (storage, Key Vault, registries, search) have tight alphabets and lengths, so
they get a compact stem plus a stable hash of subscription and platform."""

from __future__ import annotations

import hashlib
import re
from typing import Iterator

from ..naming import SpecName, bounded_name, platform_name

WORKSPACE_NAME_MAX = 33
ENDPOINT_NAME_MAX = 32  # Azure ML online endpoint names: 3-32 characters, unique per region
REGISTRY_NAME_MAX = 33
# AmlCompute cluster names are 2-16 characters (3-24 is for compute instances): the service's own
# message, quoted in hashicorp/terraform-provider-azurerm#14817; rule in components/catalog/naming_rules.py.
COMPUTE_NAME_MAX = 16


def unique_name(subscription: str | None, prefix: str, purpose: str, max_length: int = 24,
                hyphens: bool = False) -> str:
    """Stable, globally unique-ish name: same spec + subscription -> same name on every run."""
    seed = f"{subscription or ''}/{prefix}/{purpose}"
    digest = hashlib.sha256(seed.encode()).hexdigest()[:6]
    stem = f"{prefix}-{purpose}" if hyphens else re.sub(r"[^a-z0-9]", "", f"{prefix}{purpose}")
    stem = stem[: max_length - len(digest) - (1 if hyphens else 0)].rstrip("-")
    return f"{stem}-{digest}" if hyphens else f"{stem}{digest}"


def _hashed(full: str, limit: int) -> str:
    """`full` when it fits (unchanged for every existing deployment), else a shortened stem plus a stable
    hash of the full name."""
    if len(full) <= limit:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:6]
    return f"{full[: limit - 7].rstrip('-_')}-{digest}"


def workspace_name(prefix: str, part: str) -> str:
    """`<platform>-<env>-<part>` within the workspace name limit."""
    return _hashed(platform_name(prefix, part), WORKSPACE_NAME_MAX)


def endpoint_name(prefix: str, name: str) -> str:
    """`<platform>-<env>-<name>` within the online (and batch) endpoint name limit."""
    full = platform_name(prefix, name)
    if len(full) <= ENDPOINT_NAME_MAX:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:6]
    return f"{full[: ENDPOINT_NAME_MAX - 7].rstrip('-')}-{digest}"


def compute_name(prefix: str) -> str:
    """`<platform>-<env>-gpu`, shortened to the 16 characters AmlCompute clusters allow."""
    return prefix[: COMPUTE_NAME_MAX - len("-gpu")].rstrip("-") + "-gpu"


def use_case_compute_name(use_case: str) -> str:
    return bounded_name(f"{use_case}-gpu", COMPUTE_NAME_MAX)


_ML = "azure-native:machinelearningservices:"


def spec_names(spec, subscription: str | None = None) -> Iterator[SpecName]:
    """Every physical name the Azure components build from `spec`, with the spec field it comes from."""
    p, unique = spec.prefix, (lambda *args, **kw: unique_name(subscription, spec.prefix, *args, **kw))
    yield SpecName("azure-native:resources:ResourceGroup", platform_name(p, "rg"))
    yield SpecName(f"{_ML}Workspace", workspace_name(p, "mlw"))
    yield SpecName("azure-native:keyvault:Vault", unique("kv", 24, hyphens=True))
    yield SpecName("azure-native:storage:StorageAccount", unique("st"))
    yield SpecName("azure-native:containerregistry:Registry", unique("acr", 50))
    if spec.budget:
        yield SpecName("azure-native:consumption:Budget", platform_name(p, "budget"))
    if spec.training:
        yield SpecName(f"{_ML}Compute", compute_name(p))
    if spec.registry:
        yield SpecName("azure-native:containerregistry:Registry", unique("serving", 50))
    if spec.feature_store:
        yield SpecName(f"{_ML}Workspace", workspace_name(p, "fs"))
        if spec.feature_store.online:
            yield SpecName("azure-native:redis:Redis", unique("fs-redis", 63, hyphens=True))
        for i, group in enumerate(spec.feature_store.feature_groups):
            yield SpecName(f"{_ML}FeaturesetContainerEntity", group.name, ("feature_store", "feature_groups", i, "name"))
    for i, endpoint in enumerate(spec.endpoints):
        field = ("endpoints", i, "name")
        yield SpecName(f"{_ML}OnlineEndpoint", endpoint_name(p, endpoint.name), field)
        if endpoint.monitoring and endpoint.monitoring.drift:
            yield SpecName(f"{_ML}Schedule", platform_name(p, endpoint.name, "monitor"), field)
    if spec.vector_search:
        yield SpecName("azure-native:search:Service", unique("search", 60, hyphens=True))
    if spec.rag:
        yield SpecName("azure-native:cognitiveservices:Account", unique("openai", 60, hyphens=True))
    if spec.promotion:
        yield SpecName(f"{_ML}Registry", unique(f"to{spec.promotion.to}", REGISTRY_NAME_MAX, hyphens=True),
                       ("promotion", "to"))
    for i, use_case in enumerate(spec.use_cases):
        field = ("use_cases", i, "name")
        if use_case.budget is not None:
            yield SpecName("azure-native:consumption:Budget", platform_name(p, use_case.name, "budget"), field)
        if use_case.gpu_share is not None:
            yield SpecName(f"{_ML}Compute", use_case_compute_name(use_case.name), field)
    for i, item in enumerate(spec.batch_inference):
        yield SpecName(f"{_ML}BatchEndpoint", endpoint_name(p, f"batch-{item.name}"), ("batch_inference", i, "name"))
