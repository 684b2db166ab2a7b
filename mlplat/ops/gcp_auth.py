"""Application Default Credentials for the GCP operations, with errors as lines."""

from __future__ import annotations

from .results import OpsError

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
NO_CREDENTIALS = [
    "no Google Cloud credentials found",
    "  run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a key/config file",
]


def credentials():
    """(credentials, default project), refreshed once so bad credentials fail here, clearly."""
    import google.auth
    from google.auth import exceptions
    from google.auth.transport.requests import Request

    try:
        creds, project = google.auth.default(scopes=SCOPES)
    except exceptions.DefaultCredentialsError as error:
        raise OpsError(NO_CREDENTIALS + [f"  ({str(error).splitlines()[0]})"]) from None
    try:
        creds.refresh(Request())
    except exceptions.RefreshError as error:
        raise OpsError(f"Google Cloud credentials were rejected: {error}") from None
    except exceptions.TransportError as error:
        raise OpsError(f"cannot reach Google Cloud to check the credentials: {error}") from None
    return creds, project


def who(creds) -> str:
    email = getattr(creds, "service_account_email", None)
    if email and email != "default":
        return f"service account {email}"
    return "user credentials (application default)" if getattr(creds, "refresh_token", None) else type(creds).__name__
