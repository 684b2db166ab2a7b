"""The checkov checks the pack mirrors on AWS types (see mirrors.py). Inputs are Pulumi's (camelCase); each
test reads what the check reads in the Terraform resource of the same name."""

from __future__ import annotations

import base64
import re

from . import Subject
from .aws_readers import companions
from .mirrors import covered, equals, is_true, mirror, not_false, present, require
from .props import get, is_known, lower, parse_json, plain, plain_list

BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ECR = "aws:ecr/repository:Repository"
ROLE = "aws:iam/role:Role"
KEY = "aws:kms/key:Key"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
VPC = "aws:ec2/vpc:Vpc"
IDENTITY_POLICIES = ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy",
                     "aws:iam/groupPolicy:GroupPolicy")
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
DATA_QUALITY = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
TOPIC = "aws:sns/topic:Topic"
WORLD = ("0.0.0.0/0", "::/0")

# Actions that take no resource ARN (IAM Service Authorization Reference: no resource types), so `"*"` is
# their only possible Resource: the ones mlplat's roles use.
RESOURCELESS_ACTIONS = {"ecr:GetAuthorizationToken", "ecs:DiscoverPollEndpoint", "cloudwatch:PutMetricData",
                        "sts:GetCallerIdentity"}
RESOURCELESS_PREFIXES = ("ec2:Describe",)
# Actions that let a principal raise its own privileges (cloudsplaining's escalation methods).
ESCALATION_ACTIONS = {
    "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:PassRole", "iam:CreateAccessKey",
    "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:AttachUserPolicy", "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy", "iam:PutRolePolicy",
    "iam:AddUserToGroup", "iam:UpdateAssumeRolePolicy", "glue:UpdateDevEndpoint", "lambda:UpdateFunctionCode",
}
CREDENTIAL_ACTIONS = {"iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateServiceSpecificCredential",
                      "iam:UploadSSHPublicKey", "sts:GetSessionToken", "sts:GetFederationToken",
                      "redshift:GetClusterCredentials", "sso:GetRoleCredentials", "secretsmanager:GetSecretValue"}
EXFILTRATION_ACTIONS = {"s3:GetObject", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
                        "secretsmanager:GetSecretValue"}
PERMISSION_PREFIXES = ("iam:Put", "iam:Attach", "iam:Create", "iam:Delete", "iam:Update", "s3:PutBucketPolicy",
                       "s3:PutBucketAcl", "kms:PutKeyPolicy", "kms:CreateGrant")
SECRET_PATTERNS = (re.compile(r"AKIA[0-9A-Z]{16}"), re.compile(r"aws_secret_access_key\s*=", re.I))


def _statements(document) -> list[dict]:
    doc = parse_json(document)
    if not isinstance(doc, dict):
        return []
    statements = doc.get("Statement", [])
    return [s for s in (statements if isinstance(statements, list) else [statements]) if isinstance(s, dict)]


def _list(value) -> list:
    return value if isinstance(value, list) else [value] if value is not None else []


def _unconstrained_actions(s: Subject) -> list[str]:
    """Actions an identity policy allows on Resource "*" without a condition, other than resourceless ones."""
    found = []
    for statement in _statements(get(s.props, "policy")):
        if statement.get("Effect") != "Allow" or "*" not in _list(statement.get("Resource")) or statement.get("Condition"):
            continue
        found.extend(a for a in _list(statement.get("Action")) if isinstance(a, str)
                     and a not in RESOURCELESS_ACTIONS and not a.startswith(RESOURCELESS_PREFIXES))
    return found


def _on_star(actions: set[str] | None = None, prefixes: tuple[str, ...] = (), what: str = ""):
    def test(s: Subject):
        bad = [a for a in _unconstrained_actions(s) if a == "*" or a.endswith(":*")
               or (actions is None and not prefixes) or (actions and a in actions) or (prefixes and a.startswith(prefixes))]
        if bad:
            yield f"IAM policy allows {what} on Resource \"*\": {', '.join(sorted(set(bad)))}; name the resources."
    return test


def _full_iam(s: Subject):
    for statement in _statements(get(s.props, "policy")):
        actions = _list(statement.get("Action"))
        if statement.get("Effect") == "Allow" and ("iam:*" in actions or "*" in actions) \
                and "*" in _list(statement.get("Resource")):
            yield "IAM policy allows full IAM privileges (iam:* on *)."


def _managed(arn_names: tuple[str, ...], what: str):
    def test(s: Subject):
        arns = [a for a in plain_list(s.props, "managedPolicyArns") if isinstance(a, str)]
        bad = [a for a in arns if a.rsplit("/", 1)[-1] in arn_names]
        if bad:
            yield f"role attaches {what}: {', '.join(bad)}."
    return test


def _assume_statements(s: Subject) -> list[dict]:
    return [st for st in _statements(get(s.props, "assumeRolePolicy")) if st.get("Effect") == "Allow"]


def _aws_principals(statement: dict) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    return [p for p in _list(principal.get("AWS")) if isinstance(p, str)] if isinstance(principal, dict) else []


def _public_assume(s: Subject):
    if any("*" in _aws_principals(st) and not st.get("Condition") for st in _assume_statements(s)):
        yield "role trust policy lets any principal assume it."


def _wildcard_assume(s: Subject):
    if any(any("*" in p for p in _aws_principals(st)) for st in _assume_statements(s)):
        yield "role trust policy names a wildcard AWS principal."


def _github_oidc(s: Subject):
    for st in _assume_statements(s):
        principal = st.get("Principal") if isinstance(st.get("Principal"), dict) else {}
        if not any("token.actions.githubusercontent.com" in str(p) for p in _list(principal.get("Federated"))):
            continue
        conditions = st.get("Condition") or {}
        subs = [v for op in conditions.values() if isinstance(op, dict)
                for k, v in op.items() if k == "token.actions.githubusercontent.com:sub"]
        values = [x for v in subs for x in _list(v)]
        if not values or any(x in ("*", "repo:*") or x.startswith("repo:*") for x in values):
            yield "GitHub Actions OIDC trust does not pin the repository (sub claim)."


def _key_policy_public(s: Subject):
    for st in _statements(get(s.props, "policy")):
        if st.get("Effect") == "Allow" and "*" in _aws_principals(st) and not st.get("Condition"):
            yield "KMS key policy allows any principal ('*')."


def _user_data_secrets(s: Subject):
    data = get(s.props, "userData")
    if not isinstance(data, str):
        return
    try:
        text = base64.b64decode(data, validate=True).decode("utf-8", "replace")
    except ValueError:
        text = data
    if any(p.search(text) for p in SECRET_PATTERNS):
        yield "launch template user data holds AWS credentials."


def _ports(rule: dict) -> tuple:
    return rule.get("fromPort"), rule.get("toPort"), lower(str(rule.get("ipProtocol") or rule.get("protocol") or ""))


def _open_rules(s: Subject, direction: str) -> list[dict]:
    """The world-open rules of a security group (inline `ingress`/`egress`) or of a standalone rule."""
    if s.type in (INGRESS, EGRESS):
        if (s.type == INGRESS) != (direction == "ingress"):
            return []
        rule = plain(s.props) if isinstance(plain(s.props), dict) else {}
        return [rule] if rule.get("cidrIpv4") in WORLD or rule.get("cidrIpv6") in WORLD else []
    rules = [r for r in plain_list(s.props, direction) if isinstance(r, dict)]
    return [r for r in rules if set(_list(r.get("cidrBlocks")) + _list(r.get("ipv6CidrBlocks"))) & set(WORLD)]


def _open_port(port: int | None, direction: str = "ingress"):
    def test(s: Subject):
        for rule in _open_rules(s, direction):
            low, high, protocol = _ports(rule)
            every = protocol in ("-1", "all")
            if (port is None and every) or (port is not None and (every or (
                    isinstance(low, (int, float)) and isinstance(high, (int, float)) and low <= port <= high))):
                target = "all ports" if port is None else f"port {port}"
                yield f"security group rule opens {target} to the internet ({direction})."
    return test


def _descriptions(s: Subject):
    if s.type == SG:
        rules = [r for d in ("ingress", "egress") for r in plain_list(s.props, d) if isinstance(r, dict)]
        if not get(s.props, "description") or any(not r.get("description") for r in rules):
            yield "security group or one of its rules has no description."
    elif not get(s.props, "description"):
        yield "security group rule has no description."


def _routes(s: Subject) -> list[dict]:
    return [r for r in plain_list(s.props, "routes") if isinstance(r, dict)]


def _nat_default_route(s: Subject):
    if any(r.get("cidrBlock") == "0.0.0.0/0" and r.get("instanceId") for r in _routes(s)):
        yield "default route goes through a NAT instance, not a NAT gateway."


def _peering_open(s: Subject):
    if any(r.get("vpcPeeringConnectionId") and (r.get("cidrBlock") in WORLD or r.get("ipv6CidrBlock") in WORLD)
           for r in _routes(s)):
        yield "route table sends all traffic to a VPC peering connection."


def _companion(role: str, prop: str, message: str):
    def test(s: Subject):
        if s.resource is not None and not companions(s.resource, s.stack, role, prop=prop):
            yield message
    return test


def _access_logged(s: Subject):
    """Logs its access, or is where other buckets' access logs go (as the check's graph accepts)."""
    if s.resource is not None and not any(companions(s.resource, s.stack, "s3-access-logging", prop=prop)
                                          for prop in ("bucket", "targetBucket")):
        yield "S3 bucket has no access logging."


def _referenced(s: Subject):
    """A security group some other resource uses: a property dependency on it, or its id among the inputs
    (offline, ids are the auto-name `<name>-<suffix>`)."""
    if s.resource is None:
        return
    pattern = re.compile(re.escape(s.name) + r"-[0-9a-z]{7,8}")

    def mentions(value) -> bool:
        if isinstance(value, str):
            return bool(pattern.fullmatch(value))
        if isinstance(value, dict):
            return any(mentions(v) for v in value.values())
        return isinstance(value, list) and any(mentions(v) for v in value)

    for other in s.stack:
        if other.urn == s.urn:
            continue
        if any(d.urn == s.urn for deps in other.property_dependencies.values() for d in deps):
            return
        if mentions(plain(other.props)):
            return
    yield "security group is attached to nothing."


def _batch_privileged(s: Subject):
    props = parse_json(get(s.props, "containerProperties"))
    if isinstance(props, dict) and props.get("privileged") is True:
        yield "batch job definition runs a privileged container."


def _imds_v2(s: Subject):
    tokens = get(s.props, "metadataOptions.httpTokens")
    endpoint = lower(get(s.props, "metadataOptions.httpEndpoint"))
    if is_known(tokens) and lower(tokens) != "required" and endpoint != "disabled":
        yield "launch template allows IMDSv1 (metadataOptions.httpTokens is not required)."


def _public_ip(s: Subject):
    if any(isinstance(n, dict) and n.get("associatePublicIpAddress") in (True, "true")
           for n in plain_list(s.props, "networkInterfaces")):
        yield "launch template gives instances a public IP."


def _bucket_acl(grant: str):
    def test(s: Subject):
        acl = lower(get(s.props, "acl"))
        if acl in ("public-read-write",) or (grant == "read" and acl == "public-read"):
            yield f"S3 bucket ACL allows public {grant.upper()}."
    return test


def _bucket_policy_any_principal(s: Subject):
    for st in _statements(get(s.props, "policy")):
        if st.get("Effect") == "Allow" and "*" in _aws_principals(st) and not st.get("Condition"):
            yield "bucket policy allows any principal."


def _bucket_policy_lockout(s: Subject):
    for st in _statements(get(s.props, "policy")):
        if st.get("Effect") != "Deny" or st.get("Condition") or "NotAction" in st or "*" not in _aws_principals(st):
            continue
        if set(_list(st.get("Action"))) & {"s3:PutBucketPolicy", "s3:*BucketPolicy", "s3:Put*", "s3:*", "*"}:
            yield "bucket policy denies policy changes to every principal (lockout)."


def _log_retention_year(s: Subject):
    days = get(s.props, "retentionInDays")
    if is_known(days) and not (isinstance(days, (int, float)) and (days == 0 or days >= 365)):
        yield "log group keeps logs less than a year (retentionInDays)."


def _cloudsplaining(check: str, actions=None, prefixes=(), what="actions"):
    return mirror(check, "iam_scope", IDENTITY_POLICIES, _on_star(actions, prefixes, what))


MIRRORS = (
    # -- logging and retention --------------------------------------------------------------------------------
    mirror("CKV_AWS_66", "logging", LOG_GROUP, present("retentionInDays", "log group keeps logs forever by "
                                                                           "accident: set retentionInDays.")),
    mirror("CKV_AWS_338", "logging", LOG_GROUP, _log_retention_year),
    mirror("CKV_AWS_158", "logging", LOG_GROUP, present("kmsKeyId", "log group is not encrypted with a KMS key.")),
    mirror("CKV_AWS_319", "logging", "aws:cloudwatch/metricAlarm:MetricAlarm",
           not_false("actionsEnabled", "alarm actions are disabled.")),
    mirror("CKV_AWS_18", "logging", BUCKET, _access_logged),
    mirror("CKV2_AWS_11", "logging", VPC, _companion("vpc-flow-log", "vpcId", "VPC has no flow log.")),
    # -- data protection --------------------------------------------------------------------------------------
    mirror("CKV_AWS_21", "data_protection", BUCKET,
           _companion("s3-versioning", "bucket", "S3 bucket has no versioning configuration.")),
    mirror("CKV2_AWS_61", "data_protection", BUCKET,
           _companion("s3-lifecycle", "bucket", "S3 bucket has no lifecycle configuration.")),
    mirror("CKV_AWS_143", "data_protection", BUCKET,
           not_false("objectLockEnabled", "S3 bucket object lock is explicitly disabled.")),
    mirror("CKV2_AWS_65", "data_protection", "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
           equals("rule.objectOwnership", "BucketOwnerEnforced", "S3 ACLs are enabled (objectOwnership).")),
    mirror("CKV_AWS_300", "data_protection", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
           lambda s: [] if any(isinstance(r, dict) and r.get("abortIncompleteMultipartUpload") and r.get("status") == "Enabled"
                               for r in plain_list(s.props, "rules"))
           else ["lifecycle configuration does not abort incomplete multipart uploads."]),
    mirror("CKV_AWS_19", "data_protection", BUCKET,
           _companion("s3-encryption-config", "bucket", "S3 bucket has no default encryption.")),
    mirror("CKV_AWS_163", "data_protection", ECR,
           is_true("imageScanningConfiguration.scanOnPush", "ECR repository does not scan images on push.")),
    mirror("CKV_AWS_51", "data_protection", ECR,
           equals("imageTagMutability", "IMMUTABLE", "ECR repository tags are mutable.")),
    mirror("CKV_AWS_227", "data_protection", KEY, not_false("isEnabled", "KMS key is disabled.")),
    mirror("CKV2_AWS_64", "data_protection", KEY, present("policy", "KMS key has no explicit key policy.")),
    mirror("CKV_AWS_159", "data_protection", "aws:athena/workgroup:Workgroup",
           present("configuration.resultConfiguration.encryptionConfiguration.encryptionOption",
                   "Athena workgroup results are not encrypted.")),
    mirror("CKV_AWS_82", "data_protection", "aws:athena/workgroup:Workgroup",
           not_false("configuration.enforceWorkgroupConfiguration",
                     "Athena workgroup lets clients override its encryption.")),
    mirror("CKV_AWS_367", "data_protection", DATA_QUALITY,
           present("dataQualityJobOutputConfig.kmsKeyId", "Model Monitor job writes its reports without a KMS key.")),
    mirror("CKV_AWS_368", "data_protection", DATA_QUALITY,
           present("jobResources.clusterConfig.volumeKmsKeyId",
                   "Model Monitor job's storage volume is not encrypted with a KMS key.")),
    # -- compute hardening ------------------------------------------------------------------------------------
    mirror("CKV_AWS_79", "hardening", TEMPLATE, _imds_v2),
    mirror("CKV_AWS_341", "hardening", TEMPLATE,
           require("metadataOptions.httpPutResponseHopLimit", lambda v: isinstance(v, (int, float)) and v <= 1,
                   "launch template metadata hop limit is above 1.", missing_ok=True, example=(1, 2))),
    mirror("CKV_AWS_46", "hardening", TEMPLATE, _user_data_secrets),
    mirror("CKV_AWS_88", "hardening", TEMPLATE, _public_ip),
    mirror("CKV_AWS_210", "hardening", "aws:batch/jobDefinition:JobDefinition", _batch_privileged),
    mirror("CKV_AWS_370", "hardening", "aws:sagemaker/model:Model",
           is_true("enableNetworkIsolation", "SageMaker model runs without network isolation.")),
    # -- network restrictions ---------------------------------------------------------------------------------
    mirror("CKV_AWS_24", "network_rules", (SG, INGRESS), _open_port(22)),
    mirror("CKV_AWS_25", "network_rules", (SG, INGRESS), _open_port(3389)),
    mirror("CKV_AWS_260", "network_rules", (SG, INGRESS), _open_port(80)),
    mirror("CKV_AWS_277", "network_rules", (SG, INGRESS), _open_port(None)),
    mirror("CKV_AWS_382", "network_rules", (SG, EGRESS), _open_port(None, "egress")),
    mirror("CKV_AWS_23", "network_rules", (SG, INGRESS, EGRESS), _descriptions),
    mirror("CKV2_AWS_5", "network_rules", SG, _referenced),
    mirror("CKV2_AWS_12", "network_rules", VPC,
           _companion("default-security-group", "vpcId", "VPC default security group is not managed (locked down).")),
    mirror("CKV2_AWS_35", "network_rules", ROUTE_TABLE, _nat_default_route),
    mirror("CKV2_AWS_44", "network_rules", ROUTE_TABLE, _peering_open),
    mirror("CKV_AWS_369", "network_rules", DATA_QUALITY,
           is_true("networkConfig.enableInterContainerTrafficEncryption",
                   "Model Monitor job does not encrypt traffic between its instances.")),
    # -- public access ----------------------------------------------------------------------------------------
    mirror("CKV_AWS_57", "public_access", BUCKET, _bucket_acl("write")),
    mirror("CKV_AWS_70", "public_access", (BUCKET, BUCKET_POLICY), _bucket_policy_any_principal),
    mirror("CKV_AWS_93", "public_access", (BUCKET, BUCKET_POLICY), _bucket_policy_lockout),
    mirror("CKV_AWS_33", "public_access", KEY, _key_policy_public),
    # -- IAM least privilege ----------------------------------------------------------------------------------
    _cloudsplaining("CKV_AWS_355", what="restrictable actions"),
    _cloudsplaining("CKV_AWS_290", what="write actions"),
    _cloudsplaining("CKV_AWS_289", prefixes=PERMISSION_PREFIXES, what="permissions management"),
    _cloudsplaining("CKV_AWS_288", actions=EXFILTRATION_ACTIONS, what="data exfiltration actions"),
    _cloudsplaining("CKV_AWS_287", actions=CREDENTIAL_ACTIONS, what="credential exposure actions"),
    _cloudsplaining("CKV_AWS_286", actions=ESCALATION_ACTIONS, what="privilege escalation actions"),
    mirror("CKV2_AWS_40", "iam_scope", IDENTITY_POLICIES, _full_iam),
    mirror("CKV_AWS_274", "iam_scope", ROLE, _managed(("AdministratorAccess",), "AdministratorAccess")),
    mirror("CKV2_AWS_56", "iam_scope", ROLE, _managed(("IAMFullAccess",), "IAMFullAccess")),
    mirror("CKV_AWS_60", "iam_scope", ROLE, _public_assume),
    mirror("CKV_AWS_61", "iam_scope", ROLE, _wildcard_assume),
    mirror("CKV_AWS_393", "iam_scope", ROLE, _github_oidc),
)

# Checks an older reader already reproduces: (check, concern, types).
COVERED = (
    covered("CKV_AWS_145", "encryption", BUCKET),
    covered("CKV_AWS_98", "encryption", "aws:sagemaker/endpointConfiguration:EndpointConfiguration"),
    covered("CKV_AWS_136", "encryption", ECR),
    covered("CKV_AWS_20", "public_access", BUCKET),
    covered("CKV2_AWS_6", "public_access", BUCKET),
    covered("CKV_AWS_53", "public_access", BUCKET),
    covered("CKV_AWS_54", "public_access", BUCKET),
    covered("CKV_AWS_55", "public_access", BUCKET),
    covered("CKV_AWS_56", "public_access", BUCKET),
    covered("CKV_AWS_130", "public_network", "aws:ec2/subnet:Subnet"),
    covered("CKV_AWS_62", "iam", IDENTITY_POLICIES),
    covered("CKV_AWS_63", "iam", IDENTITY_POLICIES),
    covered("CKV_AWS_7", "rotation", KEY),
    covered("CKV_AWS_26", "alert_encryption", TOPIC),
)
