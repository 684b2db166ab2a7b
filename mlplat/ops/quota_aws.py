"""Preflight on AWS with boto3: identity (STS), region (EC2), GPU quota (Service Quotas).

- Training runs on EC2 GPU instances: EC2 quotas are counted in vCPUs per instance family group:
  "Running On-Demand G and VT instances" (L-DB2E81BA), "Running On-Demand P instances" (L-417A185B),
  "All G and VT Spot Instance Requests" (L-3819A6DF), "All P4, P3 and P2 Spot Instance Requests" (L-7212CCBC)
  and, for P5 spot, its own "All P5 Spot Instance Requests" (looked up by name: list-service-quotas ec2).
  Needed: the shape's vCPUs x max_nodes.
- SageMaker endpoints have one quota per instance type, counted in instances, named
  "<ml instance type> for endpoint usage" (for example "ml.g5.xlarge for endpoint usage"); needed:
  max_replicas summed over the endpoints on that type.

The applied quota value is used; when the account has none, the AWS default value. boto3 honours
AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>) for alternative endpoints.
"""

from __future__ import annotations

from collections import defaultdict

from .results import CheckResult, Progress, no_progress

EC2_QUOTA_CODES = {
    ("g", False): ("L-DB2E81BA", "Running On-Demand G and VT instances"),
    ("p", False): ("L-417A185B", "Running On-Demand P instances"),
    ("g", True): ("L-3819A6DF", "All G and VT Spot Instance Requests"),
    ("p", True): ("L-7212CCBC", "All P4, P3 and P2 Spot Instance Requests"),
}
# Spot quotas of their own, found by name (no code is published in the EC2 documentation's quota table).
EC2_SPOT_QUOTA_BY_FAMILY = {"p5": "All P5 Spot Instance Requests"}
ACCEPTED_OPT_IN = {"opt-in-not-required", "opted-in"}


def ec2_family_group(instance_type: str) -> str | None:
    """'g' for G and VT instances, 'p' for P instances, None for anything else."""
    family = instance_type.split(".", 1)[0].lower()
    if family.startswith("p"):
        return "p"
    if family.startswith(("g", "vt")):
        return "g"
    return None


def _error_text(error) -> str:
    info = error.response.get("Error", {})
    return f"{info.get('Code', 'error')}: {info.get('Message', '')}".rstrip(": ")


def _is_denied(error) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    return code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthFailure") or \
        error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 403


def preflight(spec, config: dict, needs: list, progress: Progress = no_progress) -> list[CheckResult]:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
    from botocore.parsers import ResponseParserError

    region = spec.region
    session = boto3.session.Session(region_name=region)
    checks: list[CheckResult] = []

    progress("aws: who am I (sts get-caller-identity)")
    try:
        identity = session.client("sts").get_caller_identity()
        checks.append(CheckResult("credentials", "pass", f"account {identity['Account']} as {identity['Arn']}"))
    except NoCredentialsError:
        checks.append(CheckResult(
            "credentials", "fail",
            "no AWS credentials found: set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
        ))
    except (ClientError, BotoCoreError) as error:
        detail = _error_text(error) if isinstance(error, ClientError) else str(error)
        checks.append(CheckResult("credentials", "fail", f"AWS rejected the credentials: {detail}"))
    if checks[-1].status == "fail":
        return checks + _skipped(needs, "no usable credentials")

    progress(f"aws: is {region} enabled for this account (ec2 describe-regions)")
    provider_region = config.get("aws:region")
    if provider_region and provider_region != region:
        checks.append(CheckResult("region", "fail", f"stack config aws:region is {provider_region} but the spec's region is {region}; make them equal"))
    else:
        try:
            regions = session.client("ec2").describe_regions(AllRegions=True)["Regions"]
            found = next((r for r in regions if r["RegionName"] == region), None)
            if found is None:
                checks.append(CheckResult("region", "fail", f"{region} is not an AWS region this account knows"))
            elif found.get("OptInStatus", "opt-in-not-required") not in ACCEPTED_OPT_IN:
                checks.append(CheckResult("region", "fail", f"{region} is an opt-in region not enabled for this account (enable it in Account settings)"))
            else:
                checks.append(CheckResult("region", "pass", f"{region} is enabled"))
        except ClientError as error:
            status = "warn" if _is_denied(error) else "fail"
            checks.append(CheckResult("region", status, f"cannot list regions: {_error_text(error)}"))
        except (BotoCoreError, ResponseParserError) as error:
            checks.append(CheckResult("region", "fail", f"cannot reach EC2 in {region} (is it an AWS region?): {error}"))

    quotas = session.client("service-quotas")
    for need in needs:
        if need.workload == "training":
            progress(f"aws: EC2 vCPU quota for {need.shape.instance_type}")
            checks.append(_ec2_quota_check(quotas, need))
    endpoint_needs: dict[str, list] = defaultdict(list)
    for need in needs:
        if need.workload == "training":
            continue
        ml_type = getattr(need.shape, "sagemaker_endpoint_instance_type", None)
        if ml_type:
            endpoint_needs[_ml_type(ml_type)].append(need)
        else:
            checks.append(CheckResult(f"quota {need.workload}", "fail",
                                      f"{need.shape.instance_type} is not offered for SageMaker real-time endpoints"))
    if endpoint_needs:
        progress("aws: SageMaker endpoint quotas (service-quotas list-service-quotas sagemaker)")
        checks += _sagemaker_endpoint_checks(quotas, endpoint_needs)
    return checks


def _skipped(needs: list, why: str) -> list[CheckResult]:
    return [CheckResult("region", "skip", why)] + [CheckResult(f"quota {n.workload}", "skip", why) for n in needs]


def _ml_type(instance_type: str) -> str:
    return instance_type if instance_type.startswith("ml.") else f"ml.{instance_type}"


def _quota_value(quotas, service: str, code: str):
    """(value, source): the applied quota, else the AWS default."""
    from botocore.exceptions import ClientError

    try:
        return quotas.get_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]["Value"], "applied"
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchResourceException":
            raise
    return quotas.get_aws_default_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]["Value"], "AWS default"


def _quota_by_name(quotas, service: str, quota_name: str):
    """(value, source, code) of the quota named `quota_name`: applied, else the AWS default; None if absent."""
    for operation, source in (("list_service_quotas", "applied"), ("list_aws_default_service_quotas", "AWS default")):
        for page in quotas.get_paginator(operation).paginate(ServiceCode=service):
            for quota in page.get("Quotas", []):
                if quota.get("QuotaName") == quota_name:
                    return quota["Value"], source, quota.get("QuotaCode", "?")
    return None


def _ec2_quota_check(quotas, need) -> CheckResult:
    from botocore.exceptions import BotoCoreError, ClientError

    name = "quota training"
    instance_type = need.shape.instance_type
    group = ec2_family_group(instance_type)
    if group is None:
        return CheckResult(name, "warn", f"{instance_type}: not a G/VT or P instance; its quota is not checked")
    code, quota_name = EC2_QUOTA_CODES[(group, need.spot)]
    required = need.shape.vcpus * need.count
    family = instance_type.split(".", 1)[0].lower()
    try:
        if need.spot and family in EC2_SPOT_QUOTA_BY_FAMILY:
            quota_name = EC2_SPOT_QUOTA_BY_FAMILY[family]
            found = _quota_by_name(quotas, "ec2", quota_name)
            if found is None:
                return CheckResult(name, "fail", f"{instance_type} spot: no EC2 quota named '{quota_name}' in this region "
                                                 "(the instance family may not be offered here)")
            value, source, code = found
        else:
            value, source = _quota_value(quotas, "ec2", code)
    except ClientError as error:
        if _is_denied(error):
            return CheckResult(name, "fail", f"not allowed to read quota {code} ({quota_name}): {_error_text(error)}; "
                                             "needs servicequotas:GetServiceQuota and servicequotas:ListServiceQuotas")
        return CheckResult(name, "fail", f"cannot read quota {code} ({quota_name}): {_error_text(error)}")
    except BotoCoreError as error:
        return CheckResult(name, "fail", f"cannot reach Service Quotas: {error}")
    what = (f"{need.count} x {instance_type} ({need.shape.vcpus} vCPUs each{', spot' if need.spot else ''}) needs "
            f"{required} vCPUs of '{quota_name}' ({code}); {source} quota is {value:g}")
    if value >= required:
        return CheckResult(name, "pass", what)
    return CheckResult(name, "fail", what + f": request an increase to at least {required} in Service Quotas")


def _sagemaker_endpoint_checks(quotas, endpoint_needs: dict[str, list]) -> list[CheckResult]:
    from botocore.exceptions import BotoCoreError, ClientError

    names = {f"{ml_type} for endpoint usage": ml_type for ml_type in endpoint_needs}
    found: dict[str, tuple[float, str]] = {}
    try:
        for operation, source in (("list_service_quotas", "applied"), ("list_aws_default_service_quotas", "AWS default")):
            for page in quotas.get_paginator(operation).paginate(ServiceCode="sagemaker"):
                for quota in page.get("Quotas", []):
                    if quota.get("QuotaName") in names and quota["QuotaName"] not in found:
                        found[quota["QuotaName"]] = (quota["Value"], source)
            if len(found) == len(names):
                break
    except (ClientError, BotoCoreError) as error:
        detail = _error_text(error) if isinstance(error, ClientError) else str(error)
        hint = "; needs servicequotas:ListServiceQuotas" if isinstance(error, ClientError) and _is_denied(error) else ""
        return [CheckResult(f"quota {n.workload}", "fail", f"cannot read SageMaker quotas: {detail}{hint}")
                for needs in endpoint_needs.values() for n in needs]
    checks = []
    for quota_name, ml_type in names.items():
        needs = endpoint_needs[ml_type]
        required = sum(n.count for n in needs)
        label = "quota " + ", ".join(n.workload for n in needs)
        if quota_name not in found:
            checks.append(CheckResult(label, "fail", f"no SageMaker quota named '{quota_name}' in this region: the instance type may not be offered here"))
            continue
        value, source = found[quota_name]
        what = f"{required} x {ml_type} (max replicas) against '{quota_name}'; {source} quota is {value:g} instances"
        status = "pass" if value >= required else "fail"
        checks.append(CheckResult(label, status, what if status == "pass" else what + f": request an increase to at least {required}"))
    return checks
