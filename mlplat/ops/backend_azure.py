"""Pulumi state backend on Azure: a resource group, a storage account and a blob container.

Settings enforced: HTTPS only, TLS 1.2 minimum, no anonymous blob access; blob versioning, blob soft
delete and container soft delete (30 days); the container is private. Idempotent (read, then write only
what is missing); nothing is ever deleted. Credentials: DefaultAzureCredential.
"""

from __future__ import annotations

import hashlib

from .results import BackendResult, OpsError, Progress, no_progress

SOFT_DELETE_DAYS = 30
SKU = "Standard_LRS"  # available in every region; versioning and soft delete protect the state


def default_account_name(subscription: str, resource_group: str) -> str:
    """Storage account names are global, 3-24 lowercase letters and digits: derive a stable one."""
    digest = hashlib.sha256(f"{subscription}/{resource_group}".encode()).hexdigest()[:12]
    return f"mlplatstate{digest}"


def login_url(account: str, container: str) -> str:
    return f"azblob://{container}?storage_account={account}"


def ensure_backend(
    subscription: str, resource_group: str, account: str, container: str, location: str,
    progress: Progress = no_progress, credential=None,
) -> BackendResult:
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

    from .azure_auth import NO_CREDENTIALS, default_credential

    credential = credential or default_credential()
    try:
        return _ensure(credential, subscription, resource_group, account, container, location, progress)
    except ClientAuthenticationError as error:
        raise OpsError(NO_CREDENTIALS + [f"  ({str(error).strip().splitlines()[0] if str(error).strip() else error})"]) from None
    except HttpResponseError as error:
        code = getattr(error.error, "code", None) or error.status_code
        message = getattr(error.error, "message", None) or error.message
        hint = ""
        if error.status_code == 403:
            hint = " (needs Contributor, or Storage Account Contributor, on the subscription or resource group)"
        raise OpsError(f"Azure request failed: {code}: {message}{hint}") from None


def _ensure(credential, subscription, resource_group, account, container, location, progress) -> BackendResult:
    from azure.core.exceptions import ResourceNotFoundError
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.storage import StorageManagementClient
    from azure.mgmt.storage.models import (
        BlobContainer,
        BlobServiceProperties,
        DeleteRetentionPolicy,
        Sku,
        StorageAccountCheckNameAvailabilityParameters,
        StorageAccountCreateParameters,
        StorageAccountUpdateParameters,
    )

    changes: list[str] = []
    created = False
    resources = ResourceManagementClient(credential, subscription)
    storage = StorageManagementClient(credential, subscription)

    progress(f"checking resource group {resource_group}")
    if not resources.resource_groups.check_existence(resource_group):
        resources.resource_groups.create_or_update(resource_group, {"location": location, "tags": {"managed-by": "mlplat"}})
        changes.append(f"created resource group {resource_group} in {location}")

    progress(f"checking storage account {account}")
    try:
        current = storage.storage_accounts.get_properties(resource_group, account)
    except ResourceNotFoundError:
        current = None
    if current is None:
        availability = storage.storage_accounts.check_name_availability(
            StorageAccountCheckNameAvailabilityParameters(name=account, type="Microsoft.Storage/storageAccounts")
        )
        if not availability.name_available:
            raise OpsError(f"storage account name {account!r} is not available: {availability.message} (pass --storage-account)")
        progress(f"creating storage account {account} (this takes a minute)")
        storage.storage_accounts.begin_create(
            resource_group,
            account,
            StorageAccountCreateParameters(
                sku=Sku(name=SKU),
                kind="StorageV2",
                location=location,
                enable_https_traffic_only=True,
                minimum_tls_version="TLS1_2",
                allow_blob_public_access=False,
                tags={"managed-by": "mlplat"},
            ),
        ).result()
        created = True
        changes.append(f"created storage account {account} ({SKU}, HTTPS only, TLS 1.2, no public blob access)")
    else:
        if current.location and current.location.replace(" ", "").lower() != location.replace(" ", "").lower():
            raise OpsError(f"storage account {account!r} is in {current.location}, not {location}; pass --region {current.location}")
        fixes = {}
        if current.enable_https_traffic_only is False:
            fixes["enable_https_traffic_only"] = True
        if current.minimum_tls_version not in ("TLS1_2", "TLS1_3"):
            fixes["minimum_tls_version"] = "TLS1_2"
        if current.allow_blob_public_access is not False:
            fixes["allow_blob_public_access"] = False
        if fixes:
            storage.storage_accounts.update(resource_group, account, StorageAccountUpdateParameters(**fixes))
            changes.append("hardened storage account: " + ", ".join(f"{k}={v}" for k, v in fixes.items()))

    progress("checking blob versioning and soft delete")
    service = storage.blob_services.get_service_properties(resource_group, account)
    blob_retention = service.delete_retention_policy
    container_retention = service.container_delete_retention_policy
    wanted = {}
    if not service.is_versioning_enabled:
        wanted["is_versioning_enabled"] = True
        changes.append("enabled blob versioning")
    if not (blob_retention and blob_retention.enabled):
        wanted["delete_retention_policy"] = DeleteRetentionPolicy(enabled=True, days=SOFT_DELETE_DAYS)
        changes.append(f"enabled blob soft delete ({SOFT_DELETE_DAYS} days)")
    if not (container_retention and container_retention.enabled):
        wanted["container_delete_retention_policy"] = DeleteRetentionPolicy(enabled=True, days=SOFT_DELETE_DAYS)
        changes.append(f"enabled container soft delete ({SOFT_DELETE_DAYS} days)")
    if wanted:
        storage.blob_services.set_service_properties(resource_group, account, BlobServiceProperties(**wanted))

    progress(f"checking container {container}")
    try:
        storage.blob_containers.get(resource_group, account, container)
    except ResourceNotFoundError:
        storage.blob_containers.create(resource_group, account, container, BlobContainer(public_access="None"))
        changes.append(f"created private container {container}")
    return BackendResult(url=login_url(account, container), created=created, changes=changes)
