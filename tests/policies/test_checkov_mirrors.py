"""Every checkov check the pack mirrors (components/catalog/resources/*_mirrors.py), violating and compliant,
through the real Analyzer protocol: one stack of violating resources and one of compliant ones, each finding
located on its resource and naming the check it mirrors.

Declarative mirrors (one attribute, compared) carry their own example values; the others are listed in CASES.
The stack's environment is `qa`, which the scan's skip list never exempts, so every mirror is enforced."""

from __future__ import annotations

import base64
import json

import pytest

from components.catalog import resources as catalogue
from components.catalog.resources.mirrors import MISSING
from mlplat.policy_run.analyzer_client import AnalyzerResource
from mlplat.policy_run.results import analyze, resolve_config, to_violations
from policies.security_mirrors import MIRRORED_CONCERNS
from policies.concern_rules import POLICY_OF_CONCERN

ENV = {"cost-center": "cc-1", "owner": "o", "team": "ml", "environment": "qa", "platform": "p", "managed-by": "mlplat"}
SUFFIX = "-abc1234"  # an offline id: `<name>-<suffix>`


def doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(principal, **extra) -> str:
    return doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal, **extra})


def sg_rule(port, cidr, protocol="tcp") -> dict:
    return {"fromPort": port, "toPort": port, "protocol": protocol, "cidrBlocks": [cidr], "description": "d"}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def companion(token: str, prop: str, **props):
    """A resource pointing at the case's subject through `prop` (its offline id, filled in per case)."""
    return (token, prop, props)


ARN = "arn:aws:s3:::bucket/*"
GH = {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}
GH_ACTION = "sts:AssumeRoleWithWebIdentity"

# check -> (token, violating props, compliant props, companions of the compliant subject)
CASES = {
    "CKV_AWS_338": ("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 30}, {"retentionInDays": 365}, ()),
    "CKV_AWS_18": ("aws:s3/bucket:Bucket", {}, {}, (companion("aws:s3/bucketLogging:BucketLogging", "bucket",
                                                              targetBucket="logs"),)),
    "CKV2_AWS_11": ("aws:ec2/vpc:Vpc", {}, {}, (companion("aws:ec2/flowLog:FlowLog", "vpcId", trafficType="ALL"),)),
    "CKV_AWS_21": ("aws:s3/bucket:Bucket", {}, {}, (companion(
        "aws:s3/bucketVersioning:BucketVersioning", "bucket", versioningConfiguration={"status": "Enabled"}),)),
    "CKV2_AWS_61": ("aws:s3/bucket:Bucket", {}, {}, (companion(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "bucket",
        rules=[{"id": "a", "status": "Enabled", "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7}}]),)),
    "CKV_AWS_19": ("aws:s3/bucket:Bucket", {}, {}, (companion(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "bucket",
        rules=[{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]),)),
    "CKV_AWS_300": ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                    {"rules": [{"id": "a", "status": "Enabled", "expiration": {"days": 30}}]},
                    {"rules": [{"id": "a", "status": "Enabled", "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7}}]},
                    ()),
    "CKV_AWS_79": ("aws:ec2/launchTemplate:LaunchTemplate", {"metadataOptions": {"httpTokens": "optional"}},
                   {"metadataOptions": {"httpTokens": "required"}}, ()),
    "CKV_AWS_46": ("aws:ec2/launchTemplate:LaunchTemplate", {"userData": b64("export KEY=AKIAABCDEFGHIJKLMNOP")},
                   {"userData": b64("echo ECS_CLUSTER=c >> /etc/ecs/ecs.config")}, ()),
    "CKV_AWS_88": ("aws:ec2/launchTemplate:LaunchTemplate", {"networkInterfaces": [{"associatePublicIpAddress": "true"}]},
                   {"networkInterfaces": [{"associatePublicIpAddress": "false"}]}, ()),
    "CKV_AWS_210": ("aws:batch/jobDefinition:JobDefinition", {"containerProperties": json.dumps({"privileged": True})},
                    {"containerProperties": json.dumps({"privileged": False})}, ()),
    "CKV_AWS_24": ("aws:ec2/securityGroup:SecurityGroup", {"description": "d", "ingress": [sg_rule(22, "0.0.0.0/0")]},
                   {"description": "d", "ingress": [sg_rule(22, "10.0.0.0/8")]}, ()),
    "CKV_AWS_25": ("aws:ec2/securityGroup:SecurityGroup", {"description": "d", "ingress": [sg_rule(3389, "0.0.0.0/0")]},
                   {"description": "d", "ingress": [sg_rule(443, "0.0.0.0/0")]}, ()),
    "CKV_AWS_260": ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                    {"fromPort": 80, "toPort": 80, "ipProtocol": "tcp", "cidrIpv4": "0.0.0.0/0", "description": "d"},
                    {"fromPort": 80, "toPort": 80, "ipProtocol": "tcp", "cidrIpv4": "10.0.0.0/8", "description": "d"}, ()),
    "CKV_AWS_277": ("aws:ec2/securityGroup:SecurityGroup", {"description": "d", "ingress": [sg_rule(0, "0.0.0.0/0", "-1")]},
                    {"description": "d", "ingress": [sg_rule(0, "10.0.0.0/8", "-1")]}, ()),
    "CKV_AWS_382": ("aws:ec2/securityGroup:SecurityGroup", {"description": "d", "egress": [sg_rule(0, "0.0.0.0/0", "-1")]},
                    {"description": "d", "egress": [sg_rule(443, "0.0.0.0/0")]}, ()),
    "CKV_AWS_23": ("aws:ec2/securityGroup:SecurityGroup", {"ingress": [sg_rule(443, "10.0.0.0/8")]},
                   {"description": "d", "ingress": [sg_rule(443, "10.0.0.0/8")]}, ()),
    "CKV2_AWS_5": ("aws:ec2/securityGroup:SecurityGroup", {"description": "d"}, {"description": "d"}, (companion(
        "aws:ec2/launchTemplate:LaunchTemplate", "vpcSecurityGroupIds", as_list=True),)),
    "CKV2_AWS_12": ("aws:ec2/vpc:Vpc", {}, {}, (companion("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "vpcId"),)),
    "CKV2_AWS_35": ("aws:ec2/routeTable:RouteTable", {"routes": [{"cidrBlock": "0.0.0.0/0", "instanceId": "i-1"}]},
                    {"routes": [{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"}]}, ()),
    "CKV2_AWS_44": ("aws:ec2/routeTable:RouteTable",
                    {"routes": [{"cidrBlock": "0.0.0.0/0", "vpcPeeringConnectionId": "pcx-1"}]},
                    {"routes": [{"cidrBlock": "10.1.0.0/16", "vpcPeeringConnectionId": "pcx-1"}]}, ()),
    "CKV_AWS_57": ("aws:s3/bucket:Bucket", {"acl": "public-read-write"}, {"acl": "private"}, ()),
    "CKV_AWS_70": ("aws:s3/bucketPolicy:BucketPolicy", {"policy": doc(allow("s3:GetObject", ARN, Principal="*"))},
                   {"policy": doc(allow("s3:GetObject", ARN, Principal={"AWS": "arn:aws:iam::123456789012:root"}))}, ()),
    "CKV_AWS_93": ("aws:s3/bucketPolicy:BucketPolicy",
                   {"policy": doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ARN})},
                   {"policy": doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ARN,
                                   "Condition": {"Bool": {"aws:SecureTransport": "false"}}})}, ()),
    "CKV_AWS_33": ("aws:kms/key:Key", {"policy": doc(allow("kms:Decrypt", Principal={"AWS": "*"}))},
                   {"policy": doc(allow("kms:*", Principal={"AWS": "arn:aws:iam::123456789012:root"}))}, ()),
    "CKV_AWS_355": ("aws:iam/rolePolicy:RolePolicy", {"policy": doc(allow("s3:PutObject"))},
                    {"policy": doc(allow("s3:PutObject", ARN), allow("ecr:GetAuthorizationToken"))}, ()),
    "CKV_AWS_290": ("aws:iam/policy:Policy", {"policy": doc(allow("logs:PutLogEvents"))},
                    {"policy": doc(allow("cloudwatch:PutMetricData",
                                         Condition={"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}}))}, ()),
    "CKV_AWS_289": ("aws:iam/rolePolicy:RolePolicy", {"policy": doc(allow("iam:PutRolePolicy"))},
                    {"policy": doc(allow("iam:PutRolePolicy", "arn:aws:iam::123456789012:role/r"))}, ()),
    "CKV_AWS_288": ("aws:iam/rolePolicy:RolePolicy", {"policy": doc(allow("s3:GetObject"))},
                    {"policy": doc(allow("s3:GetObject", ARN))}, ()),
    "CKV_AWS_287": ("aws:iam/rolePolicy:RolePolicy", {"policy": doc(allow("iam:CreateAccessKey"))},
                    {"policy": doc(allow("iam:CreateAccessKey", "arn:aws:iam::123456789012:user/u"))}, ()),
    "CKV_AWS_286": ("aws:iam/rolePolicy:RolePolicy", {"policy": doc(allow("iam:PassRole"))},
                    {"policy": doc(allow("iam:PassRole", "arn:aws:iam::123456789012:role/r"))}, ()),
    "CKV2_AWS_40": ("aws:iam/rolePolicy:RolePolicy", {"policy": doc(allow("iam:*"))},
                    {"policy": doc(allow("iam:GetRole", "arn:aws:iam::123456789012:role/r"))}, ()),
    "CKV_AWS_274": ("aws:iam/role:Role", {"managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]},
                    {"managedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}, ()),
    "CKV2_AWS_56": ("aws:iam/role:Role", {"managedPolicyArns": ["arn:aws:iam::aws:policy/IAMFullAccess"]},
                    {"managedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}, ()),
    "CKV_AWS_60": ("aws:iam/role:Role", {"assumeRolePolicy": trust("*")},
                   {"assumeRolePolicy": trust({"Service": "sagemaker.amazonaws.com"})}, ()),
    "CKV_AWS_61": ("aws:iam/role:Role", {"assumeRolePolicy": trust({"AWS": "arn:aws:iam::*:root"})},
                   {"assumeRolePolicy": trust({"AWS": "arn:aws:iam::123456789012:root"})}, ()),
    "CKV_AWS_393": ("aws:iam/role:Role",
                    {"assumeRolePolicy": doc({"Effect": "Allow", "Action": GH_ACTION, "Principal": GH, "Condition": {
                        "StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}}})},
                    {"assumeRolePolicy": doc({"Effect": "Allow", "Action": GH_ACTION, "Principal": GH, "Condition": {
                        "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:org/ml:ref:refs/heads/main"}}})},
                    ()),
    # GCP
    "CKV_GCP_63": ("gcp:storage/bucket:Bucket", {"name": "b1", "logging": {"logBucket": "b1"}},
                   {"name": "b1", "logging": {"logBucket": "logs"}}, ()),
    "CKV_GCP_82": ("gcp:kms/cryptoKey:CryptoKey", {"rotationPeriod": "7776000s"}, {"rotationPeriod": "7776000s"}, ()),
    "CKV2_GCP_18": ("gcp:compute/network:Network", {}, {}, (companion("gcp:compute/firewall:Firewall", "network",
                                                                      id_prefix="projects/p/networks/"),)),
    "CKV_GCP_76": ("gcp:compute/subnetwork:Subnetwork", {"stackType": "IPV4_IPV6", "privateIpGoogleAccess": True},
                   {"stackType": "IPV4_IPV6", "privateIpGoogleAccess": True,
                    "privateIpv6GoogleAccess": "ENABLE_OUTBOUND_VM_ACCESS_TO_GOOGLE"}, ()),
    "CKV_GCP_12": ("gcp:container/cluster:Cluster", {"networkPolicy": {"enabled": False}},
                   {"datapathProvider": "ADVANCED_DATAPATH"}, ()),
    "CKV_GCP_18": ("gcp:container/cluster:Cluster",
                   {"masterAuthorizedNetworksConfig": {"cidrBlocks": [{"cidrBlock": "0.0.0.0/0"}]}},
                   {"masterAuthorizedNetworksConfig": {"cidrBlocks": [{"cidrBlock": "10.0.0.0/8"}]}}, ()),
    "CKV_GCP_101": ("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", {"member": "allUsers"},
                    {"member": "serviceAccount:a@p.iam.gserviceaccount.com"}, ()),
    "CKV_GCP_15": ("gcp:bigquery/dataset:Dataset", {"accesses": [{"specialGroup": "allAuthenticatedUsers", "role": "READER"}]},
                   {"accesses": [{"userByEmail": "a@example.com", "role": "OWNER"}]}, ()),
    "CKV_GCP_112": ("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", {"member": "allAuthenticatedUsers"},
                    {"member": "serviceAccount:a@p.iam.gserviceaccount.com"}, ()),
    "CKV2_GCP_6": ("gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding", {"members": ["allUsers"]},
                   {"members": ["serviceAccount:a@p.iam.gserviceaccount.com"]}, ()),
    "CKV2_GCP_8": ("gcp:kms/keyRingIAMMember:KeyRingIAMMember", {"member": "allUsers"},
                   {"member": "serviceAccount:a@p.iam.gserviceaccount.com"}, ()),
    "CKV_GCP_41": ("gcp:projects/iAMMember:IAMMember", {"role": "roles/iam.serviceAccountUser", "member": "user:a@b.c"},
                   {"role": "roles/viewer", "member": "user:a@b.c"}, ()),
    "CKV_GCP_49": ("gcp:projects/iAMMember:IAMMember",
                   {"role": "roles/iam.serviceAccountTokenCreator", "member": "serviceAccount:a@p.iam.gserviceaccount.com"},
                   {"role": "roles/aiplatform.user", "member": "serviceAccount:a@p.iam.gserviceaccount.com"}, ()),
    "CKV_GCP_42": ("gcp:projects/iAMMember:IAMMember",
                   {"role": "roles/storage.admin", "member": "serviceAccount:a@p.iam.gserviceaccount.com"},
                   {"role": "roles/storage.objectViewer", "member": "serviceAccount:a@p.iam.gserviceaccount.com"}, ()),
    "CKV_GCP_46": ("gcp:projects/iAMMember:IAMMember",
                   {"role": "roles/logging.logWriter", "member": "serviceAccount:1-compute@developer.gserviceaccount.com"},
                   {"role": "roles/logging.logWriter", "member": "serviceAccount:a@p.iam.gserviceaccount.com"}, ()),
    **{check: ("gcp:compute/firewall:Firewall",
               {"direction": "INGRESS", "sourceRanges": ["0.0.0.0/0"], "allows": [{"protocol": "tcp", "ports": [ports]}]},
               {"direction": "INGRESS", "sourceRanges": ["10.0.0.0/8"], "allows": [{"protocol": "tcp", "ports": [ports]}]},
               ()) for check, ports in (("CKV_GCP_2", "22"), ("CKV_GCP_3", "3389"), ("CKV_GCP_75", "20-21"),
                                        ("CKV_GCP_77", "20"), ("CKV_GCP_88", "3306"), ("CKV_GCP_106", "80-443"))},
    "CKV2_GCP_12": ("gcp:compute/firewall:Firewall", {"sourceRanges": ["0.0.0.0/0"], "allows": [{"protocol": "all"}]},
                    {"sourceRanges": ["0.0.0.0/0"], "denies": [{"protocol": "all"}]}, ()),
    # Azure
    "CKV_AZURE_182": ("azure-native:network:VirtualNetwork", {"dhcpOptions": {"dnsServers": ["10.0.0.4"]}},
                      {"dhcpOptions": {"dnsServers": ["10.0.0.4", "10.0.0.5"]}}, ()),
    "CKV_AZURE_183": ("azure-native:network:VirtualNetwork",
                      {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "dhcpOptions": {"dnsServers": ["8.8.8.8", "8.8.4.4"]}},
                      {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "dhcpOptions": {"dnsServers": ["10.0.0.4", "10.0.0.5"]}},
                      ()),
    "CKV_AZURE_243": ("azure-native:machinelearningservices:Workspace",
                      {"publicNetworkAccess": "Disabled", "managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}},
                      {"publicNetworkAccess": "Disabled", "managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound",
                       "outboundRules": {"dfs": {"type": "PrivateEndpoint", "category": "UserDefined"}}}}, ()),
    "CKV_AZURE_42": ("azure-native:keyvault:Vault", {"properties": {"enableSoftDelete": True}},
                     {"properties": {"enableSoftDelete": True, "enablePurgeProtection": True}}, ()),
    "CKV_AZURE_36": ("azure-native:storage:StorageAccount", {"networkRuleSet": {"defaultAction": "Deny", "bypass": "None"}},
                     {"networkRuleSet": {"defaultAction": "Deny", "bypass": "AzureServices"}}, ()),
}


def nested(path: str, value) -> dict:
    """{"a": {"b": value}} for "a.b"; {} when the example is the attribute's absence."""
    if value is MISSING:
        return {}
    out: dict = value
    for part in reversed(path.split(".")):
        out = {part: out}
    return out


def case_of(entry):
    """(token, violating props, compliant props, companions) of a mirror: its declared example, or CASES."""
    if entry.check in CASES:
        return CASES[entry.check]
    example = getattr(entry.test, "example", None)
    assert example is not None, f"{entry.check}: a mirror without an example needs a row in CASES"
    path, good, bad = example
    return entry.tokens[0], nested(path, bad), nested(path, good), ()


def build(check: str, kind: str, case) -> list[AnalyzerResource]:
    token, bad, good, companions = case
    name = f"{check.lower().replace('_', '-')}-{kind}"
    props = dict(bad if kind == "bad" else good)
    tag_key = catalogue.tag_input(token)
    reads_tags = (getattr(MIRROR_OF[check].test, "example", None) or ("",))[0] == tag_key
    if tag_key and tag_key not in props and not reads_tags:  # the check on labels keeps its case
        props[tag_key] = ENV
    resources = [resource(token, name, props, protect=(check == "CKV_GCP_82" and kind == "good"))]
    for i, (other, prop, extra) in enumerate(companions if kind == "good" else ()):
        extra = dict(extra)
        reference = extra.pop("id_prefix", "") + name + SUFFIX
        value = [reference] if extra.pop("as_list", False) else reference
        resources.append(resource(other, f"{name}-companion-{i}", {prop: value, **extra}))
    return resources


def resource(token: str, name: str, props: dict, protect: bool = False) -> AnalyzerResource:
    return AnalyzerResource(urn=f"urn:pulumi:qa::mlplat::mlplat:index:Platform${token}::{name}", type=token, name=name,
                            properties=props, protect=protect)


MIRRORS = catalogue.all_mirrors()[0]
MIRROR_OF = {entry.check: entry for entry in MIRRORS}
POLICIES = {name for name, _, _ in MIRRORED_CONCERNS}


@pytest.fixture(scope="module")
def verdicts(pack):
    """(violations of the violating stack, violations of the compliant stack): one analysis each."""
    _, policies = pack.info()
    config = resolve_config(policies, {})
    out = []
    for kind in ("bad", "good"):
        stack = [r for entry in MIRRORS for r in build(entry.check, kind, case_of(entry))]
        # enough tagged resources that the stack's environment is `qa`
        stack += [resource("aws:sns/topic:Topic", f"env-{i}", {"tags": ENV}) for i in range(3)]
        out.append(to_violations(analyze(pack, stack, config, stack="qa"), stack))
    return out


@pytest.mark.parametrize("entry", MIRRORS, ids=lambda e: f"{e.check}-{e.tokens[0].split(':')[-1]}")
def test_mirror_reports_the_violating_case_and_passes_the_compliant_one(verdicts, entry):
    bad, good = verdicts
    policy = POLICY_OF_CONCERN[entry.concern]
    name = entry.check.lower().replace("_", "-")

    def hits(violations, kind):
        return [v for v in violations if v.policy == policy and v.message.startswith(f"{entry.check}: ")
                and v.resource_name == f"{name}-{kind}"]

    assert hits(bad, "bad"), f"{entry.check} ({policy}) did not report its violating case"
    assert not hits(good, "good"), f"{entry.check} ({policy}) reported its compliant case: {hits(good, 'good')}"
    assert all(v.enforcement_level == "mandatory" for v in hits(bad, "bad"))


def test_each_mirror_policy_is_in_the_pack_and_has_mirrors(pack):
    _, policies = pack.info()
    assert POLICIES <= {p.name for p in policies}
    for name, concern, _ in MIRRORED_CONCERNS:
        assert POLICY_OF_CONCERN[concern] == name
        assert any(entry.concern == concern for entry in MIRRORS), f"{name} mirrors no check"
