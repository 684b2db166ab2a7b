"""Azure credentials for the operations: DefaultAzureCredential, errors as lines, who am I."""

from __future__ import annotations

import base64
import json

from .results import OpsError

ARM_SCOPE = "https://management.azure.com/.default"
NO_CREDENTIALS = [
    "no Azure credentials found",
    "  run `az login`, or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET (or a federated token), or run",
    "  where a managed identity is available",
]


def default_credential():
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential()


def token_claims(credential) -> dict:
    """Get an ARM token (fails clearly without credentials) and return its (unverified) claims."""
    from azure.core.exceptions import ClientAuthenticationError

    try:
        token = credential.get_token(ARM_SCOPE).token
    except ClientAuthenticationError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise OpsError(NO_CREDENTIALS + [f"  ({first})"]) from None
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def who(claims: dict) -> str:
    user = claims.get("upn") or claims.get("unique_name") or claims.get("preferred_username")
    if user:
        return f"user {user}"
    if claims.get("appid"):
        return f"application {claims['appid']}"
    return "an Azure identity"
