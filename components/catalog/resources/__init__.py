"""The resource catalogue: per provider type token, everything the rest of mlplat needs to know about it.

A row (`ResourceType`) says which capabilities the type serves, whether and how it is tagged, whether it is
stateful (protected in prod), how the cost model prices it, which roles it plays for the policies (a budget,
an S3 bucket's encryption companion...) and the readers the policies call per concern (encryption, public
access, public network, local auth, IAM, rotation...). The rows live in one module per cloud
(`aws.py`, `azure.py`, `gcp.py`), each registered by one `register_catalog` line at the end of this module,
which also holds the record type and the lookup.

Readers take a `Subject` (the resource as a policy sees it) and yield findings: a message, or
(message, urn) for a finding about another resource of the stack (a bucket's companion).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

# The type token every Python dynamic resource registers under, whatever its provider.
DYNAMIC_TYPE = "pulumi-python:dynamic:Resource"

PRICED, FREE_STATUS, USAGE_ONLY, UNPRICED = "priced", "free", "usage-only", "unknown"
NO_CHARGE = "no charge of its own"


@dataclass(frozen=True)
class Pricing:
    """How the cost model prices a type: `rule` names a pricing function of mlplat/finops/pricing_rules.py
    called with `params`; free and usage-only types carry the note shown in the estimate; `unknown` is a type mlplat
    knows but cannot price yet (reported as unknown, never as $0)."""

    status: str
    rule: Optional[str] = None
    params: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""


def priced(rule: str, **params: Any) -> Pricing:
    return Pricing(PRICED, rule, params)


def free(note: str = NO_CHARGE) -> Pricing:
    return Pricing(FREE_STATUS, note=note)


def usage_only(note: str) -> Pricing:
    return Pricing(USAGE_ONLY, note=note)


def unpriced(note: str) -> Pricing:
    return Pricing(UNPRICED, note=note)


FREE = free()


@dataclass(frozen=True)
class Subject:
    """A resource as a reader sees it: its type and props (plain dict or analyzer proxy), its URN, the other
    resources of the stack (stack policies) and the policy settings."""

    type: str
    props: Any
    urn: str = ""
    name: str = ""
    stack: Sequence[Any] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    resource: Any = None  # the analyzer resource itself (property dependencies, options)


Reader = Callable[[Subject], Iterable[Any]]


@dataclass(frozen=True)
class ResourceType:
    token: str
    capabilities: tuple[str, ...]  # the capabilities whose components create it ("base": shared layer)
    pricing: Pricing
    tags: Optional[str] = None  # the input carrying tags/labels (tags, labels, userLabels...); None: untaggable
    stateful: bool = False  # holds data or keys whose deletion loses data: protected in prod
    roles: frozenset[str] = frozenset()  # what the policies look it up as (budget, s3-bucket, ...)
    readers: Mapping[str, Reader] = field(default_factory=dict)  # concern -> reader
    aliases: tuple[str, ...] = ()  # other spellings of the same type (older SDK modules, V2 classes)
    # What it uses at run time that none of its inputs references, as (capability, type token) pairs: an
    # endpoint's model is pulled from the registry, an index is built from the documents store. The plan's
    # dependencies cannot show these; the diagram draws them from here.
    reads: tuple[tuple[str, str], ...] = ()

    @property
    def tokens(self) -> tuple[str, ...]:
        return (self.token, *self.aliases)


def row(token: str, capabilities: str | tuple[str, ...], pricing: Pricing, *, tags: Optional[str] = None,
        stateful: bool = False, roles: Iterable[str] = (), readers: Optional[Mapping[str, Reader]] = None,
        aliases: tuple[str, ...] = (), reads: tuple[tuple[str, str], ...] = ()) -> ResourceType:
    caps = (capabilities,) if isinstance(capabilities, str) else tuple(capabilities)
    return ResourceType(token, caps, pricing, tags, stateful, frozenset(roles), dict(readers or {}), aliases, reads)


@dataclass(frozen=True)
class DynamicProvider:
    """One of mlplat's own dynamic providers. Every dynamic resource registers as DYNAMIC_TYPE; this one is
    recognised by the input names it always registers (`inputs`), a fact declared here next to its row, so
    nothing about what is registered changes."""

    module: str  # where the provider lives (documentation)
    inputs: frozenset[str]
    row: ResourceType


@dataclass(frozen=True)
class CloudCatalog:
    cloud: str
    package: str  # the Pulumi provider package of the type tokens (aws, azure-native, gcp)
    sdk: str  # the Python SDK module of that provider (pulumi_aws, ...)
    rows: tuple[ResourceType, ...]
    dynamic: tuple[DynamicProvider, ...] = ()
    default_readers: Mapping[str, Reader] = field(default_factory=dict)  # concern -> reader for types without one


@dataclass(frozen=True)
class CatalogSource:
    """Where a cloud's catalogue lives: the module holding its `CATALOG` rows and the module holding its
    checkov mirrors (`MIRRORS`, `COVERED`). Named, not imported: the row modules import this package's record
    types, so they are loaded on first lookup rather than when this package is imported."""

    rows: str
    mirrors: str


_SOURCES: dict[str, CatalogSource] = {}


def register_catalog(cloud: str, rows: str, mirrors: str) -> None:
    """Register a cloud's catalogue modules (absolute, or relative to this package with a leading dot)."""
    _SOURCES[cloud] = CatalogSource(rows, mirrors)
    for cached in (clouds, _index, all_mirrors, _mirror_index):
        cached.cache_clear()


def _load(module: str):
    return importlib.import_module(module, __name__)


@lru_cache(maxsize=None)
def clouds() -> tuple[CloudCatalog, ...]:
    return tuple(_load(source.rows).CATALOG for source in _SOURCES.values())


@lru_cache(maxsize=None)
def _index() -> dict[str, ResourceType]:
    index: dict[str, ResourceType] = {}
    for cloud in clouds():
        for entry in (*cloud.rows, *(d.row for d in cloud.dynamic)):
            for token in entry.tokens:
                if token in index:
                    raise ValueError(f"resource catalogue: {token} has two rows")
                index[token] = entry
    return index


def all_rows() -> list[ResourceType]:
    """Every row, the dynamic providers' included (their tokens are `DYNAMIC_TYPE#<module>`)."""
    return [entry for cloud in clouds() for entry in (*cloud.rows, *(d.row for d in cloud.dynamic))]


def cloud_of(token: str) -> Optional[str]:
    """The cloud key of a provider type token (aws, azure, gcp), None for other packages."""
    package = token.split(":", 1)[0]
    return next((c.cloud for c in clouds() if c.package == package), None)


def catalog_of(cloud: Optional[str]) -> Optional[CloudCatalog]:
    return next((c for c in clouds() if c.cloud == cloud), None)


def dynamic_provider(inputs: Mapping[str, Any] | None) -> Optional[DynamicProvider]:
    keys = set(inputs or {})
    return next((d for c in clouds() for d in c.dynamic if d.inputs <= keys), None)


def lookup(token: str, inputs: Mapping[str, Any] | None = None) -> Optional[ResourceType]:
    """The row of a type token; for a dynamic resource, the row of the mlplat provider its inputs identify.
    None: a type this version of mlplat does not know."""
    if token == DYNAMIC_TYPE:
        provider = dynamic_provider(inputs)
        return provider.row if provider else None
    return _index().get(token)


def tokens_with_role(role: str) -> frozenset[str]:
    return frozenset(t for entry in all_rows() if role in entry.roles for t in entry.tokens)


def has_role(token: str, role: str) -> bool:
    entry = lookup(token)
    return entry is not None and role in entry.roles


def reader(token: str, concern: str) -> Optional[Reader]:
    """The reader a policy calls for `concern` on this type: the row's own, else its cloud's default."""
    entry = lookup(token)
    if entry is not None and concern in entry.readers:
        return entry.readers[concern]
    cloud = catalog_of(cloud_of(token))
    return cloud.default_readers.get(concern) if cloud else None


def read(subject: Subject, concern: str, default: Any = None) -> Any:
    """The value the type's `concern` reader reads from the subject (a fact, not findings); `default` when the
    type has no such reader."""
    reader_ = reader(subject.type, concern)
    return default if reader_ is None else reader_(subject)


def findings(subject: Subject, concern: str) -> list[tuple[str, Optional[str]]]:
    """(message, urn or None) for each finding the type's `concern` reader, and the checkov mirrors of the
    type for that concern (mirrors.py), make about the subject."""
    read = reader(subject.type, concern)
    found = list(read(subject)) if read is not None else []
    for entry in mirrors_for(subject.type, concern):
        found.extend(entry.findings(subject))
    return [f if isinstance(f, tuple) else (f, None) for f in found]


@lru_cache(maxsize=None)
def all_mirrors() -> tuple:
    """Every checkov check the pack mirrors: (mirrors, covered) over the clouds' `*_mirrors.py`."""
    mirrors, covered = [], []
    for source in _SOURCES.values():
        module = _load(source.mirrors)
        mirrors.extend(module.MIRRORS)
        covered.extend(module.COVERED)
    return tuple(mirrors), tuple(covered)


@lru_cache(maxsize=None)
def _mirror_index() -> dict[tuple[str, str], tuple]:
    index: dict[tuple[str, str], list] = {}
    for entry in all_mirrors()[0]:
        for token in entry.tokens:
            row_ = _index().get(token)
            for spelling in row_.tokens if row_ else (token,):
                index.setdefault((spelling, entry.concern), []).append(entry)
    return {key: tuple(value) for key, value in index.items()}


def mirrors_for(token: str, concern: str) -> tuple:
    return _mirror_index().get((token, concern), ())


def tag_input(token: str) -> Optional[str]:
    """The input carrying the type's tags/labels: the row's fact; for a type without a row, what the installed
    provider SDK class accepts (so a new type is still tag-checked before it gets a row)."""
    entry = lookup(token)
    if entry is not None:
        return entry.tags
    from .sdk import sdk_tag_input

    return sdk_tag_input(token)


def is_stateful(token: str) -> bool:
    entry = lookup(token)
    return entry is not None and entry.stateful


# The clouds of the catalogue, one line each (loaded on first lookup).
register_catalog("aws", rows=".aws", mirrors=".aws_mirrors")
register_catalog("azure", rows=".azure", mirrors=".azure_mirrors")
register_catalog("gcp", rows=".gcp", mirrors=".gcp_mirrors")
