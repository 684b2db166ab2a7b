"""The Pulumi state backend of each cloud (S3, Azure Blob, GCS), chosen by one registration per cloud.

`ensure_backend(cloud, request)` creates or completes the backend with safe settings (idempotent, never
deletes); each cloud's function reads what it needs from the `BackendRequest` (flags, else the stack's
config) and raises `BackendUsageError` naming the missing flag before any cloud call."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Optional

from .results import Progress, no_progress


class BackendUsageError(ValueError):
    """A flag the cloud's backend needs is missing (a usage error, not a cloud refusal)."""


@dataclass(frozen=True)
class BackendRequest:
    region: Optional[str] = None
    bucket: Optional[str] = None
    kms_key: Optional[str] = None
    subscription: Optional[str] = None
    resource_group: str = "mlplat-state"
    storage_account: Optional[str] = None
    container: str = "pulumi-state"
    project: Optional[str] = None
    fix_existing: bool = False
    config: dict = field(default_factory=dict)  # the --stack's config: provider settings used as defaults


EnsureBackend = Callable[[BackendRequest, Progress], object]
_BACKENDS: dict[str, EnsureBackend] = {}


def register_backend(cloud: str, ensure: EnsureBackend) -> None:
    _BACKENDS[cloud] = ensure


def ensure_backend(cloud: str, request: BackendRequest, progress: Progress = no_progress):
    """The backend's result (`url`, `changes`, `to_dict()`); OpsError when the cloud refuses."""
    ensure = _BACKENDS.get(cloud)
    if ensure is None:
        raise BackendUsageError(f"no state backend is registered for {cloud}")
    return ensure(request, progress)


def _aws(request: BackendRequest, progress: Progress):
    from . import backend_aws

    if not request.region:
        raise BackendUsageError("--region is required for --cloud aws (or pass --stack)")
    bucket = request.bucket or backend_aws.default_bucket_name(backend_aws.account_id(request.region), request.region)
    return backend_aws.ensure_backend(bucket, request.region, kms_key_id=request.kms_key, progress=progress)


def _azure(request: BackendRequest, progress: Progress):
    from . import backend_azure

    subscription = (request.subscription or request.config.get("azure-native:subscriptionId")
                    or os.environ.get("AZURE_SUBSCRIPTION_ID"))
    if not subscription:
        raise BackendUsageError("--subscription is required for --cloud azure (or set AZURE_SUBSCRIPTION_ID, or pass --stack)")
    if not request.region:
        raise BackendUsageError("--region (the Azure location, e.g. westeurope) is required for --cloud azure (or pass --stack)")
    account = request.storage_account or backend_azure.default_account_name(subscription, request.resource_group)
    return backend_azure.ensure_backend(subscription, request.resource_group, account, request.container, request.region,
                                        progress=progress)


def _gcp(request: BackendRequest, progress: Progress):
    from . import backend_gcp

    project = request.project or request.config.get("gcp:project")
    if not project:
        raise BackendUsageError("--project is required for --cloud gcp (or pass --stack)")
    if not request.region:
        raise BackendUsageError("--region (the GCS bucket location, e.g. us-central1 or EU) is required for --cloud gcp")
    return backend_gcp.ensure_backend(project, request.bucket or backend_gcp.default_bucket_name(project), request.region,
                                      progress=progress, fix_existing=request.fix_existing)


register_backend("aws", _aws)
register_backend("azure", _azure)
register_backend("gcp", _gcp)
