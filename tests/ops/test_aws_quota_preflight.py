"""AWS preflight against moto in server mode (real HTTP through AWS_ENDPOINT_URL).

moto's Service Quotas backend only knows VPC quotas, so the tests configure the quota values by
replacing the handlers of moto's own Service Quotas responder (in this process, behind the same HTTP
server): boto3 still serialises the real requests and parses real HTTP responses.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import yaml

from mlplat.ops import quota_aws
from mlplat.ops.preflight import GpuNeed
from components.spec import parse_spec
from tests.support.ops import by_check, run


class QuotaTable:
    """What the fake Service Quotas answers: applied and default values, or AccessDenied."""

    def __init__(self):
        self.applied: dict[tuple[str, str], float] = {}
        self.defaults: dict[tuple[str, str], float] = {}
        self.sagemaker_applied: dict[str, float] = {}
        self.sagemaker_defaults: dict[str, float] = {}
        self.ec2_listed: dict[str, tuple[str, float]] = {}  # quota name -> (code, applied value), by list
        self.denied = False
        self.requests: list[tuple[str, dict]] = []


@pytest.fixture
def quotas(aws_env, monkeypatch):
    from moto.core.exceptions import JsonRESTError
    from moto.servicequotas.exceptions import NoSuchResource
    from moto.servicequotas.responses import ServiceQuotasResponse

    table = QuotaTable()

    def quota(service, code, name, value):
        return {"ServiceCode": service, "QuotaCode": code, "QuotaName": name, "Value": value, "Unit": "None",
                "QuotaArn": f"arn:aws:servicequotas:us-east-1::{service}/{code}", "Adjustable": True, "GlobalQuota": False}

    def handler(kind):
        def respond(self):
            params = json.loads(self.body)
            table.requests.append((kind, params))
            if table.denied:
                raise JsonRESTError("AccessDeniedException", "User is not authorized to perform servicequotas action")
            service = params.get("ServiceCode")
            if kind in ("get", "get_default"):
                values = table.applied if kind == "get" else table.defaults
                key = (service, params["QuotaCode"])
                if key not in values:
                    raise NoSuchResource()
                return json.dumps({"Quota": quota(service, key[1], key[1], values[key])})
            if service == "ec2":
                listed = table.ec2_listed if kind == "list" else {}
                return json.dumps({"Quotas": [quota(service, c, n, v) for n, (c, v) in listed.items()]})
            values = table.sagemaker_applied if kind == "list" else table.sagemaker_defaults
            items = [quota(service, f"L-{i:08d}", name, v) for i, (name, v) in enumerate(values.items())] if service == "sagemaker" else []
            return json.dumps({"Quotas": items})
        return respond

    monkeypatch.setattr(ServiceQuotasResponse, "get_service_quota", handler("get"))
    monkeypatch.setattr(ServiceQuotasResponse, "get_aws_default_service_quota", handler("get_default"), raising=False)
    monkeypatch.setattr(ServiceQuotasResponse, "list_service_quotas", handler("list"), raising=False)
    monkeypatch.setattr(ServiceQuotasResponse, "list_aws_default_service_quotas", handler("list_default"))
    return table


def _spec(region="us-east-1"):
    return parse_spec({"name": "fraud", "environment": "dev", "cloud": "aws", "region": region,
                       "finops": {"cost_center": "cc", "owner": "o@example.com", "team": "t"}}, "test")


A100 = SimpleNamespace(instance_type="p4d.24xlarge", sagemaker_instance_type="ml.p4d.24xlarge",
                       sagemaker_endpoint_instance_type="ml.p4d.24xlarge", vcpus=96, gpus=8)
G5 = SimpleNamespace(instance_type="g5.xlarge", sagemaker_instance_type="ml.g5.xlarge",
                     sagemaker_endpoint_instance_type="ml.g5.xlarge", vcpus=4, gpus=1)


def _training(shape=A100, count=2, spot=True):
    return GpuNeed("training", "a100", shape.gpus, count, spot, shape)


def _endpoint(name, count, shape=G5):
    return GpuNeed(f"endpoint {name}", "a10g", 1, count, False, shape)


def test_all_checks_pass_with_enough_quota(quotas):
    quotas.applied[("ec2", "L-7212CCBC")] = 192  # P spot: 2 x 96 vCPUs
    quotas.sagemaker_applied["ml.g5.xlarge for endpoint usage"] = 4
    checks = quota_aws.preflight(_spec(), {"aws:region": "us-east-1"},
                                 [_training(), _endpoint("a", 2), _endpoint("b", 2)])
    found = by_check(checks)
    assert found["credentials"].status == "pass" and "123456789012" in found["credentials"].detail
    assert found["region"].status == "pass"
    assert found["quota training"].status == "pass"
    assert "192 vCPUs of 'All P4, P3 and P2 Spot Instance Requests' (L-7212CCBC)" in found["quota training"].detail
    assert found["quota endpoint a, endpoint b"].status == "pass"
    assert "4 x ml.g5.xlarge" in found["quota endpoint a, endpoint b"].detail


def test_quota_too_low_fails_with_the_numbers(quotas):
    quotas.applied[("ec2", "L-7212CCBC")] = 96
    quotas.sagemaker_applied["ml.g5.xlarge for endpoint usage"] = 1
    checks = by_check(quota_aws.preflight(_spec(), {}, [_training(), _endpoint("a", 3)]))
    assert checks["quota training"].status == "fail"
    assert "quota is 96" in checks["quota training"].detail and "at least 192" in checks["quota training"].detail
    assert checks["quota endpoint a"].status == "fail"
    assert "at least 3" in checks["quota endpoint a"].detail


def test_on_demand_g_family_and_default_quota_fallback(quotas):
    quotas.defaults[("ec2", "L-DB2E81BA")] = 8  # no applied value: the AWS default is used
    checks = by_check(quota_aws.preflight(_spec(), {}, [_training(G5, count=2, spot=False)]))
    assert checks["quota training"].status == "pass"
    assert "'Running On-Demand G and VT instances' (L-DB2E81BA); AWS default quota is 8" in checks["quota training"].detail
    assert ("get", {"ServiceCode": "ec2", "QuotaCode": "L-DB2E81BA"}) in quotas.requests


def test_sagemaker_default_list_and_unknown_type(quotas):
    quotas.sagemaker_defaults["ml.g5.xlarge for endpoint usage"] = 2
    h100 = SimpleNamespace(instance_type="p5.48xlarge", sagemaker_instance_type="ml.p5.48xlarge",
                           sagemaker_endpoint_instance_type="ml.p5.48xlarge", vcpus=192, gpus=8)
    checks = by_check(quota_aws.preflight(_spec(), {}, [_endpoint("a", 2), _endpoint("big", 1, h100)]))
    assert checks["quota endpoint a"].status == "pass" and "AWS default quota is 2" in checks["quota endpoint a"].detail
    assert checks["quota endpoint big"].status == "fail"
    assert "no SageMaker quota named 'ml.p5.48xlarge for endpoint usage'" in checks["quota endpoint big"].detail


def test_forbidden_quota_reads_are_failed_checks(quotas):
    quotas.denied = True
    checks = by_check(quota_aws.preflight(_spec(), {}, [_training(), _endpoint("a", 1)]))
    assert checks["credentials"].status == "pass"
    assert checks["quota training"].status == "fail"
    assert "AccessDeniedException" in checks["quota training"].detail
    assert "servicequotas:GetServiceQuota" in checks["quota training"].detail
    assert checks["quota endpoint a"].status == "fail"
    assert "servicequotas:ListServiceQuotas" in checks["quota endpoint a"].detail


def test_region_mismatch(quotas):
    checks = by_check(quota_aws.preflight(_spec(), {"aws:region": "eu-west-1"}, []))
    assert checks["region"].status == "fail" and "aws:region is eu-west-1" in checks["region"].detail


def test_no_credentials_skips_the_rest(quotas, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    checks = quota_aws.preflight(_spec(), {}, [_training()])
    assert [(c.check, c.status) for c in checks] == [("credentials", "fail"), ("region", "skip"), ("quota training", "skip")]
    assert "no AWS credentials found" in checks[0].detail
    assert quotas.requests == []


def test_family_groups():
    assert quota_aws.ec2_family_group("p4d.24xlarge") == "p"
    assert quota_aws.ec2_family_group("g6e.12xlarge") == "g"
    assert quota_aws.ec2_family_group("vt1.3xlarge") == "g"
    assert quota_aws.ec2_family_group("m5.large") is None


# -- the command, with the real GPU catalog ------------------------------------------------------------


@pytest.fixture
def aws_stack(tmp_path, monkeypatch):
    spec = {
        "name": "fraud", "environment": "prod", "cloud": "aws", "region": "us-east-1",
        "finops": {"cost_center": "cc", "owner": "o@example.com", "team": "t"},
        "training": {"gpu": "a100", "gpus_per_node": 8, "max_nodes": 2, "spot": True},
        "endpoints": [{"name": "scorer", "compute": "a10g", "max_replicas": 3,
                       "model": {"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/scorer:1"}}, {"name": "api", "compute": "cpu"}],
        "alerts": {"emails": ["o@example.com"]},  # prod endpoints are monitored: someone is notified
    }
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.fraud-prod.yaml").write_text(
        yaml.safe_dump({"config": {"aws:region": "us-east-1", "mlplat:platform": spec}})
    )
    monkeypatch.setenv("MLPLAT_PROJECT_DIR", str(tmp_path))
    return "fraud-prod"


def test_cli_preflight_passes(quotas, aws_stack):
    quotas.applied[("ec2", "L-7212CCBC")] = 192
    quotas.sagemaker_applied["ml.g5.xlarge for endpoint usage"] = 3
    result = run(["preflight", "--stack", aws_stack])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["check", "result", "detail"]
    assert any(line.startswith("quota training") and " PASS " in line and "p4d.24xlarge" in line for line in lines)
    assert any(line.startswith("quota endpoint scorer") and " PASS " in line for line in lines)
    assert "all checks passed" in result.stdout


def test_cli_preflight_fails_with_exit_1_and_json(quotas, aws_stack):
    quotas.applied[("ec2", "L-7212CCBC")] = 96
    quotas.sagemaker_applied["ml.g5.xlarge for endpoint usage"] = 3
    result = run(["preflight", "--stack", aws_stack, "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["passed"] is False
    statuses = {c["check"]: c["status"] for c in report["checks"]}
    assert statuses == {"credentials": "pass", "region": "pass", "quota training": "fail", "quota endpoint scorer": "pass"}


H100 = SimpleNamespace(instance_type="p5.48xlarge", sagemaker_instance_type="ml.p5.48xlarge",
                       sagemaker_endpoint_instance_type="ml.p5.48xlarge", vcpus=192, gpus=8)


def test_p5_spot_has_its_own_quota_found_by_name(quotas):
    quotas.applied[("ec2", "L-7212CCBC")] = 10_000  # the P4/P3/P2 spot quota must not be used for P5
    quotas.ec2_listed["All P5 Spot Instance Requests"] = ("L-C4BD4855", 192)
    checks = by_check(quota_aws.preflight(_spec(), {}, [GpuNeed("training", "h100", 8, 2, True, H100)]))
    assert checks["quota training"].status == "fail"
    assert "384 vCPUs of 'All P5 Spot Instance Requests' (L-C4BD4855); applied quota is 192" in checks["quota training"].detail
    quotas.ec2_listed["All P5 Spot Instance Requests"] = ("L-C4BD4855", 384)
    checks = by_check(quota_aws.preflight(_spec(), {}, [GpuNeed("training", "h100", 8, 2, True, H100)]))
    assert checks["quota training"].status == "pass"
    quotas.ec2_listed.clear()
    checks = by_check(quota_aws.preflight(_spec(), {}, [GpuNeed("training", "h100", 8, 2, True, H100)]))
    assert checks["quota training"].status == "fail" and "no EC2 quota named 'All P5 Spot" in checks["quota training"].detail
    # On demand, P5 counts against "Running On-Demand P instances".
    quotas.applied[("ec2", "L-417A185B")] = 384
    checks = by_check(quota_aws.preflight(_spec(), {}, [GpuNeed("training", "h100", 8, 2, False, H100)]))
    assert checks["quota training"].status == "pass" and "L-417A185B" in checks["quota training"].detail
