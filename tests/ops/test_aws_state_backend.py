"""S3 state backend against moto in server mode (real HTTP through AWS_ENDPOINT_URL)."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.support.ops import run

from mlplat.ops import backend_aws
from mlplat.ops.results import OpsError


def _settings(bucket: str, region: str) -> dict:
    s3 = boto3.client("s3", region_name=region)
    return {
        "location": s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1",
        "versioning": s3.get_bucket_versioning(Bucket=bucket).get("Status"),
        "encryption": s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"],
        "public": s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"],
        "policy": json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]),
        "lifecycle": s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"],
    }


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_creates_hardened_bucket_then_second_run_is_a_no_op(aws_env, region):
    first = backend_aws.ensure_backend("state-bucket", region)
    assert first.created is True
    assert first.url == f"s3://state-bucket?region={region}"
    assert len(first.changes) == 6, first.changes
    settings = _settings("state-bucket", region)
    assert settings["location"] == region
    assert settings["versioning"] == "Enabled"
    assert settings["encryption"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert settings["public"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True
    }
    (statement,) = settings["policy"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert set(statement["Resource"]) == {"arn:aws:s3:::state-bucket", "arn:aws:s3:::state-bucket/*"}
    (rule,) = settings["lifecycle"]
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 90
    assert rule["Status"] == "Enabled"

    second = backend_aws.ensure_backend("state-bucket", region)
    assert second.created is False
    assert second.changes == []
    assert _settings("state-bucket", region) == settings


def test_existing_bucket_is_completed_and_user_settings_kept(aws_env):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="existing")
    user_statement = {
        "Sid": "UserReadOnly", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::existing/*",
    }
    s3.put_bucket_policy(Bucket="existing", Policy=json.dumps({"Version": "2012-10-17", "Statement": [user_statement]}))
    s3.put_bucket_versioning(Bucket="existing", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="existing", Key="keep.json", Body=b"{}")

    result = backend_aws.ensure_backend("existing", "us-east-1")
    assert result.created is False
    assert "enabled versioning" not in result.changes
    assert any("merged into the existing policy" in c for c in result.changes)
    sids = [s["Sid"] for s in json.loads(s3.get_bucket_policy(Bucket="existing")["Policy"])["Statement"]]
    assert sids == ["UserReadOnly", backend_aws.TLS_SID]
    # The object is still there (read from moto's in-process store: over plain HTTP the new TLS-only
    # statement denies the read, which moto enforces).
    from botocore.exceptions import ClientError
    from moto.s3.models import s3_backends

    assert "keep.json" in s3_backends["123456789012"]["aws"].buckets["existing"].keys
    with pytest.raises(ClientError) as denied:
        s3.get_object(Bucket="existing", Key="keep.json")
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_bucket_in_another_region_is_an_error(aws_env):
    boto3.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="elsewhere", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    with pytest.raises(OpsError) as error:
        backend_aws.ensure_backend("elsewhere", "us-east-1")
    assert "is in eu-west-1" in str(error.value)


def test_no_credentials(aws_env, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(OpsError) as error:
        backend_aws.ensure_backend("state-bucket", "us-east-1")
    assert error.value.lines[0] == "no AWS credentials found"


def test_cli_bootstrap_aws_text_and_json(aws_env):
    first = run(["bootstrap", "backend", "--cloud", "aws", "--region", "eu-west-1", "--bucket", "cli-state"])
    assert first.exit_code == 0, first.output
    assert "created bucket cli-state" in first.stdout
    assert "pulumi login 's3://cli-state?region=eu-west-1'" in first.stdout
    second = run(["bootstrap", "backend", "--cloud", "aws", "--region", "eu-west-1", "--bucket", "cli-state", "--format", "json"])
    assert second.exit_code == 0, second.output
    report = json.loads(second.stdout)
    assert report == {
        "cloud": "aws", "url": "s3://cli-state?region=eu-west-1", "created": False, "changes": [],
        "login": "pulumi login 's3://cli-state?region=eu-west-1'",
    }
    text = run(["bootstrap", "backend", "--cloud", "aws", "--region", "eu-west-1", "--bucket", "cli-state"])
    assert "no changes" in text.stdout


def test_cli_bootstrap_aws_default_bucket_name_uses_account(aws_env):
    result = run(["bootstrap", "backend", "--cloud", "aws", "--region", "us-east-1", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["url"] == "s3://mlplat-state-123456789012-us-east-1?region=us-east-1"


def test_cli_bootstrap_aws_errors_are_lines_not_tracebacks(aws_env, monkeypatch):
    result = run(["bootstrap", "backend", "--cloud", "aws", "--bucket", "x-state"])
    assert result.exit_code == 2
    assert "--region" in result.stderr
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = run(["bootstrap", "backend", "--cloud", "aws", "--region", "us-east-1", "--bucket", "x-state"])
    assert result.exit_code == 1
    assert "no AWS credentials found" in result.stderr
    assert "Traceback" not in result.output
