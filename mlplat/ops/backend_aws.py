"""Pulumi state backend on AWS: an S3 bucket, created and hardened with boto3.

Settings enforced: versioning, default encryption (SSE-S3, or SSE-KMS with a key), all public access
blocked, a bucket policy denying non-TLS requests, and a lifecycle rule expiring old object versions.
Idempotent: each setting is read first and only written when missing; existing user settings that
already satisfy a requirement are kept (an existing policy or lifecycle is merged into, never replaced).
Nothing is ever deleted.

boto3 honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3 (S3-compatible endpoints, local emulators).
"""

from __future__ import annotations

import json

from .results import BackendResult, OpsError, Progress, no_progress

TLS_SID = "MlplatDenyInsecureTransport"
LIFECYCLE_ID = "mlplat-expire-noncurrent-versions"
DEFAULT_NONCURRENT_DAYS = 90


def default_bucket_name(account_id: str, region: str) -> str:
    return f"mlplat-state-{account_id}-{region}"[:63]


def login_url(bucket: str, region: str) -> str:
    return f"s3://{bucket}?region={region}"


def _code(error) -> str:
    return error.response.get("Error", {}).get("Code", "")


def _session(region: str):
    import boto3

    return boto3.session.Session(region_name=region)


def account_id(region: str) -> str:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        return _session(region).client("sts").get_caller_identity()["Account"]
    except NoCredentialsError:
        raise OpsError(no_credentials_lines()) from None
    except ClientError as error:
        raise OpsError(f"AWS credentials rejected: {_code(error)}: {error.response['Error'].get('Message', '')}") from None
    except BotoCoreError as error:
        raise OpsError(f"cannot reach AWS: {error}") from None


def no_credentials_lines() -> list[str]:
    return [
        "no AWS credentials found",
        "  set AWS_PROFILE (after `aws sso login`), or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where an",
        "  instance/task role is available",
    ]


def ensure_backend(
    bucket: str,
    region: str,
    kms_key_id: str | None = None,
    noncurrent_days: int = DEFAULT_NONCURRENT_DAYS,
    progress: Progress = no_progress,
) -> BackendResult:
    """Create (if missing) and harden the S3 state bucket; return what changed."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        s3 = _session(region).client("s3")
        return _ensure(s3, bucket, region, kms_key_id, noncurrent_days, progress)
    except NoCredentialsError:
        raise OpsError(no_credentials_lines()) from None
    except ClientError as error:
        operation = getattr(error, "operation_name", "request")
        raise OpsError(
            f"S3 {operation} on bucket {bucket!r} failed: {_code(error)}: {error.response['Error'].get('Message', '')}"
        ) from None
    except BotoCoreError as error:
        raise OpsError(f"cannot reach S3: {error}") from None


def _ensure(s3, bucket: str, region: str, kms_key_id, noncurrent_days: int, progress: Progress) -> BackendResult:
    from botocore.exceptions import ClientError

    changes: list[str] = []
    created = False
    progress(f"checking bucket s3://{bucket} in {region}")
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status == 403 or _code(error) in ("403", "Forbidden"):
            raise OpsError(
                f"bucket {bucket!r} exists but this identity cannot access it (owned by another account, or "
                "denied by policy); choose another --bucket"
            ) from None
        if status != 404 and _code(error) not in ("404", "NoSuchBucket", "NotFound"):
            raise
        progress(f"creating bucket s3://{bucket}")
        arguments = {"Bucket": bucket}
        if region != "us-east-1":
            arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**arguments)
        created = True
        changes.append(f"created bucket {bucket} in {region}")

    location = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"
    if location != region:
        raise OpsError(f"bucket {bucket!r} is in {location}, not {region}; pass --region {location} or another --bucket")

    progress("checking versioning")
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        changes.append("enabled versioning")

    progress("checking default encryption")
    rules = []
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"].get("Rules", [])
    except ClientError as error:
        if _code(error) != "ServerSideEncryptionConfigurationNotFoundError":
            raise
    defaults = [r.get("ApplyServerSideEncryptionByDefault", {}) for r in rules]
    if kms_key_id:
        satisfied = any(d.get("SSEAlgorithm") == "aws:kms" and d.get("KMSMasterKeyID") == kms_key_id for d in defaults)
        wanted = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": kms_key_id}
    else:
        satisfied = any(d.get("SSEAlgorithm") in ("AES256", "aws:kms", "aws:kms:dsse") for d in defaults)
        wanted = {"SSEAlgorithm": "AES256"}
    if not satisfied:
        rule = {"ApplyServerSideEncryptionByDefault": wanted, "BucketKeyEnabled": bool(kms_key_id)}
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})
        changes.append(f"set default encryption ({wanted['SSEAlgorithm']})")

    progress("checking public access block")
    block_all = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    current = {}
    try:
        current = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except ClientError as error:
        if _code(error) != "NoSuchPublicAccessBlockConfiguration":
            raise
    if any(not current.get(key) for key in block_all):
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block_all)
        changes.append("blocked all public access")

    progress("checking TLS-only bucket policy")
    policy = None
    try:
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except ClientError as error:
        if _code(error) != "NoSuchBucketPolicy":
            raise
    statements = policy.get("Statement", []) if policy else []
    if isinstance(statements, dict):
        statements = [statements]
    if not any(isinstance(s, dict) and s.get("Sid") == TLS_SID for s in statements):
        tls_only = {
            "Sid": TLS_SID,
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
        document = {"Version": (policy or {}).get("Version", "2012-10-17"), "Statement": [*statements, tls_only]}
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(document))
        changes.append("added bucket policy statement denying non-TLS requests" + (" (merged into the existing policy)" if policy else ""))

    progress("checking lifecycle for old versions")
    lifecycle_rules = []
    try:
        lifecycle_rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket).get("Rules", [])
    except ClientError as error:
        if _code(error) != "NoSuchLifecycleConfiguration":
            raise
    if not any(r.get("ID") == LIFECYCLE_ID for r in lifecycle_rules):
        rule = {
            "ID": LIFECYCLE_ID,
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "NoncurrentVersionExpiration": {"NoncurrentDays": noncurrent_days},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        }
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": [*lifecycle_rules, rule]}
        )
        changes.append(f"added lifecycle rule expiring noncurrent versions after {noncurrent_days} days")

    return BackendResult(url=login_url(bucket, region), created=created, changes=changes)
