"""Bearer tokens for the clouds' REST listing APIs (catalogue refreshes); None without a credential, so the
caller reports the cloud skipped instead of failing."""

from __future__ import annotations

GCP_COMPUTE_READONLY = "https://www.googleapis.com/auth/compute.readonly"
GCP_CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"


def azure_token() -> str | None:
    try:
        from azure.identity import DefaultAzureCredential

        return DefaultAzureCredential().get_token("https://management.azure.com/.default").token
    except Exception:  # noqa: BLE001 - no credential: the cloud is reported skipped
        return None


def gcp_token(scope: str = GCP_COMPUTE_READONLY) -> str | None:
    try:
        import google.auth
        import google.auth.transport.requests

        credentials, _ = google.auth.default(scopes=[scope])
        credentials.refresh(google.auth.transport.requests.Request())
        return credentials.token
    except Exception:  # noqa: BLE001 - no credential: the cloud is reported skipped
        return None
