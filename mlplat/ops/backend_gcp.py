"""Pulumi state backend on GCP: a GCS bucket, created and hardened with google-cloud-storage.

Settings enforced: object versioning, uniform bucket-level access, public access prevention
"enforced", and a lifecycle rule deleting noncurrent versions after 90 days. Idempotent (settings are
read, and only missing ones are patched); nothing is ever deleted. Credentials: Application Default
Credentials.

An existing bucket must belong to the given project (its project number is compared with the project's,
read from the project's Cloud Storage service agent). Switching an existing bucket to uniform bucket-level
access stops its object ACLs from applying and becomes irreversible after 90 days, so it is reported as a
required change and applied only with `fix_existing=True` (`mlplat bootstrap backend --fix-existing`).
"""

from __future__ import annotations

import re

from .results import BackendResult, OpsError, Progress, no_progress

DEFAULT_NONCURRENT_DAYS = 90


def default_bucket_name(project: str) -> str:
    return f"{project}-mlplat-state"[:63]


def login_url(bucket: str) -> str:
    return f"gs://{bucket}"


def _has_noncurrent_rule(bucket) -> bool:
    for rule in bucket.lifecycle_rules:
        condition = rule.get("condition", {})
        if rule.get("action", {}).get("type") == "Delete" and (
            "daysSinceNoncurrentTime" in condition or "numNewerVersions" in condition or condition.get("isLive") is False
        ):
            return True
    return False


def project_number(client, project: str) -> int | None:
    """The project's number, from its Cloud Storage service agent (service-NUMBER@gs-project-accounts...)."""
    email = client.get_service_account_email(project=project)
    match = re.match(r"service-(\d+)@", email or "")
    return int(match.group(1)) if match else None


def ensure_backend(
    project: str, bucket_name: str, location: str, noncurrent_days: int = DEFAULT_NONCURRENT_DAYS,
    progress: Progress = no_progress, fix_existing: bool = False,
) -> BackendResult:
    from google.api_core import exceptions
    from google.cloud import storage

    from .gcp_auth import credentials

    creds, _ = credentials()
    client = storage.Client(project=project, credentials=creds)
    try:
        progress(f"checking bucket gs://{bucket_name}")
        try:
            bucket = client.get_bucket(bucket_name)
        except exceptions.NotFound:
            progress(f"creating bucket gs://{bucket_name} in {location}")
            bucket = storage.Bucket(client, name=bucket_name)
            bucket.versioning_enabled = True
            bucket.iam_configuration.uniform_bucket_level_access_enabled = True
            bucket.iam_configuration.public_access_prevention = "enforced"
            bucket.add_lifecycle_delete_rule(days_since_noncurrent_time=noncurrent_days)
            client.create_bucket(bucket, project=project, location=location)
            return BackendResult(
                url=login_url(bucket_name),
                created=True,
                changes=[
                    f"created bucket {bucket_name} in {location.upper()}",
                    "enabled object versioning",
                    "enabled uniform bucket-level access",
                    "enforced public access prevention",
                    f"added lifecycle rule deleting noncurrent versions after {noncurrent_days} days",
                ],
            )
        if bucket.location and bucket.location.upper() != location.upper():
            raise OpsError(f"bucket {bucket_name!r} is in {bucket.location}, not {location.upper()}; pass --region {bucket.location} or another --bucket")
        owner = bucket.project_number
        expected = project_number(client, project)
        if owner is not None and expected is not None and owner != expected:
            raise OpsError([f"bucket {bucket_name!r} belongs to project number {owner}, not to {project!r} ({expected});",
                            "  bucket names are global: choose another --bucket (or pass the owning --project)"])
        if not bucket.iam_configuration.uniform_bucket_level_access_enabled and not fix_existing:
            raise OpsError([f"bucket {bucket_name!r} exists without uniform bucket-level access; required change:",
                            "  enable uniform bucket-level access (object ACLs stop applying; irreversible after 90 days)",
                            "  rerun with --fix-existing to apply it (nothing was changed)"])
        changes = []
        if not bucket.versioning_enabled:
            bucket.versioning_enabled = True
            changes.append("enabled object versioning")
        if not bucket.iam_configuration.uniform_bucket_level_access_enabled:
            bucket.iam_configuration.uniform_bucket_level_access_enabled = True
            changes.append("enabled uniform bucket-level access")
        if bucket.iam_configuration.public_access_prevention != "enforced":
            bucket.iam_configuration.public_access_prevention = "enforced"
            changes.append("enforced public access prevention")
        if not _has_noncurrent_rule(bucket):
            bucket.add_lifecycle_delete_rule(days_since_noncurrent_time=noncurrent_days)  # appends, keeps existing rules
            changes.append(f"added lifecycle rule deleting noncurrent versions after {noncurrent_days} days")
        if changes:
            progress("updating bucket settings")
            bucket.patch()
        return BackendResult(url=login_url(bucket_name), created=False, changes=changes)
    except exceptions.Forbidden as error:
        raise OpsError(
            [f"access to bucket {bucket_name!r} in project {project!r} was denied: {error.message}",
             "  bucket names are global: if another project owns it, choose another --bucket; otherwise grant",
             "  roles/storage.admin on the project"]
        ) from None
    except exceptions.GoogleAPICallError as error:
        raise OpsError(f"GCS request for bucket {bucket_name!r} failed: {error.code} {error.message}") from None
