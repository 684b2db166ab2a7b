"""The checkov checks the pack mirrors on GCP types (see mirrors.py). Inputs are Pulumi's (camelCase); each
test reads what the check reads in the Terraform resource of the same name."""

from __future__ import annotations

import re

from . import Subject
from .mirrors import MISSING, covered, equals, is_true, mirror, not_false, not_true, present, require
from .props import get, lower, plain_list

CLUSTER = "gcp:container/cluster:Cluster"
POOL = "gcp:container/nodePool:NodePool"
BUCKET = "gcp:storage/bucket:Bucket"
SUBNET = "gcp:compute/subnetwork:Subnetwork"
FIREWALL = "gcp:compute/firewall:Firewall"
KEY = "gcp:kms/cryptoKey:CryptoKey"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
PUBLIC_MEMBERS = ("allusers", "allauthenticatedusers")
KEY_GRANTS = ("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding")
RING_GRANTS = ("gcp:kms/keyRingIAMMember:KeyRingIAMMember", "gcp:kms/keyRingIAMBinding:KeyRingIAMBinding")
IMPERSONATION_ROLES = ("roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator")
SA_MANAGEMENT_ROLES = (*IMPERSONATION_ROLES, "roles/iam.serviceAccountAdmin", "roles/iam.serviceAccountKeyAdmin")


def _public_member(what: str):
    def test(s: Subject):
        members = [get(s.props, "member")] + plain_list(s.props, "members")
        if any(lower(m) in PUBLIC_MEMBERS for m in members):
            yield f"{what} is granted to allUsers/allAuthenticatedUsers."
    return test


def _dataset_public(s: Subject):
    for access in plain_list(s.props, "accesses"):
        if isinstance(access, dict) and (lower(access.get("specialGroup")) == "allauthenticatedusers"
                                         or lower(access.get("iamMember")) in PUBLIC_MEMBERS):
            yield "BigQuery dataset is readable by the public."


def _pool_or_cluster(path: str, ok, message: str, example: tuple, missing_ok: bool = True):
    """A node setting read from a node pool's `nodeConfig` or a cluster's default `nodeConfig`."""
    return require(f"nodeConfig.{path}", ok, message, missing_ok, example=example)


def _role_grant(roles: tuple[str, ...], message: str, members: tuple[str, ...] = ()):
    def test(s: Subject):
        member = lower(get(s.props, "member"))
        if get(s.props, "role") in roles and (not members or member.startswith(members)):
            yield message
    return test


def _admin_service_account(s: Subject):
    role = get(s.props, "role")
    if lower(get(s.props, "member")).startswith("serviceaccount:") and isinstance(role, str) and (
            role in ("roles/owner", "roles/editor") or role.lower().endswith("admin")):
        yield f"service account holds the admin role {role} on the project."


def _default_service_account(s: Subject):
    member = lower(get(s.props, "member"))
    if member.endswith(("-compute@developer.gserviceaccount.com", "@appspot.gserviceaccount.com")):
        yield "the default Compute Engine / App Engine service account is granted a project role."


def _logs_to_itself(s: Subject):
    target, name = get(s.props, "logging.logBucket"), get(s.props, "name")
    if isinstance(target, str) and target and target == name:
        yield "bucket writes its access logs into itself."


def _network_firewall(s: Subject):
    """A firewall rule whose `network` is this network: a property dependency, or its id (offline, the
    id `projects/<project>/networks/<name>-<suffix>`)."""
    from . import tokens_with_role

    if s.resource is None:
        return
    own_id = re.compile(r"(.*/)?" + re.escape(s.name) + r"-[0-9a-z]{7,8}")
    for other in s.stack:
        if other.resource_type not in tokens_with_role("gcp-firewall"):
            continue
        value = get(other.props, "network")
        if any(d.urn == s.urn for d in other.property_dependencies.get("network") or []) or (
                isinstance(value, str) and own_id.fullmatch(value)):
            return
    yield "network has no firewall rule of its own (relies on the implied rules)."


def _protected(s: Subject):
    if s.resource is not None and not getattr(s.resource.opts, "protect", False):
        yield "KMS key is not protected from deletion (protect)."


def _private_ipv6(s: Subject):
    if lower(get(s.props, "stackType")) == "ipv4_ipv6" and not lower(get(s.props, "privateIpv6GoogleAccess")).startswith("enable"):
        yield "dual-stack subnet without private IPv6 Google access."


def _network_policy(s: Subject):
    if lower(get(s.props, "datapathProvider")) != "advanced_datapath" and not get(s.props, "networkPolicy.enabled"):
        yield "GKE cluster enforces no network policy (Dataplane V2 or the network policy add-on)."


def _control_plane_public(s: Subject):
    blocks = plain_list(s.props, "masterAuthorizedNetworksConfig.cidrBlocks")
    if any(isinstance(b, dict) and b.get("cidrBlock") == "0.0.0.0/0" for b in blocks):
        yield "GKE control plane is open to 0.0.0.0/0."


def _port_in(ports: list, port: int) -> bool:
    for entry in ports:
        text = str(entry)
        low, _, high = text.partition("-")
        if low.isdigit() and int(low) <= port <= int(high if high.isdigit() else low):
            return True
    return False


def _firewall_open(port: int | None):
    """An enabled ingress rule allowing `port` (None: every port and protocol) from anywhere."""

    def test(s: Subject):
        if get(s.props, "disabled") is True or lower(get(s.props, "direction")) == "egress":
            return
        if not set(plain_list(s.props, "sourceRanges")) & {"0.0.0.0/0", "::/0"}:
            return
        for rule in plain_list(s.props, "allows"):
            if not isinstance(rule, dict):
                continue
            ports = rule.get("ports") or []
            if (port is None and lower(rule.get("protocol")) == "all") or (port is not None and _port_in(ports, port)):
                yield f"firewall rule allows {'every port' if port is None else f'port {port}'} from the internet."
    return test


NOT_NONE = lambda v: lower(v) != "none"  # noqa: E731 - a comparison, named for the table

MIRRORS = (
    # -- logging ----------------------------------------------------------------------------------------------
    mirror("CKV_GCP_62", "logging", BUCKET, present("logging.logBucket", "bucket has no access logging.")),
    mirror("CKV_GCP_63", "logging", BUCKET, _logs_to_itself),
    mirror("CKV_GCP_26", "logging", SUBNET, present("logConfig", "subnet has no VPC flow logs.")),
    mirror("CKV_GCP_1", "logging", CLUSTER, require("loggingService", NOT_NONE, "GKE logging is off.", missing_ok=True,
                                               example=("logging.googleapis.com/kubernetes", "none"))),
    mirror("CKV_GCP_8", "logging", CLUSTER,
           require("monitoringService", NOT_NONE, "GKE monitoring is off.", missing_ok=True,
                   example=("monitoring.googleapis.com/kubernetes", "none"))),
    mirror("CKV_GCP_61", "logging", CLUSTER,
           is_true("enableIntranodeVisibility", "GKE intranode visibility is off (pod traffic skips flow logs).")),
    # -- data protection --------------------------------------------------------------------------------------
    mirror("CKV_GCP_78", "data_protection", BUCKET, is_true("versioning.enabled", "bucket has no versioning.")),
    mirror("CKV_GCP_81", "data_protection", "gcp:bigquery/dataset:Dataset",
           present("defaultEncryptionConfiguration.kmsKeyName", "BigQuery dataset has no customer-managed key.")),
    mirror("CKV_GCP_80", "data_protection", "gcp:bigquery/table:Table",
           present("encryptionConfiguration.kmsKeyName", "BigQuery table has no customer-managed key.")),
    mirror("CKV_GCP_121", "data_protection", "gcp:bigquery/table:Table",
           not_false("deletionProtection", "BigQuery table is not protected from deletion.")),
    mirror("CKV_GCP_82", "data_protection", KEY, _protected),
    # -- compute hardening: GKE -------------------------------------------------------------------------------
    mirror("CKV2_GCP_19", "hardening", CLUSTER, not_true("enableKubernetesAlpha", "GKE alpha cluster.")),
    mirror("CKV_GCP_7", "hardening", CLUSTER, not_true("enableLegacyAbac", "GKE legacy ABAC is on.")),
    mirror("CKV_GCP_13", "hardening", CLUSTER,
           equals("masterAuth.clientCertificateConfig.issueClientCertificate", False,
                  "GKE client certificates are not explicitly disabled.")),
    mirror("CKV_GCP_12", "hardening", CLUSTER, _network_policy),
    mirror("CKV_GCP_21", "hardening", CLUSTER, present("resourceLabels", "GKE cluster has no labels.")),
    mirror("CKV_GCP_23", "hardening", CLUSTER, present("ipAllocationPolicy", "GKE cluster without alias IP ranges.")),
    mirror("CKV_GCP_70", "hardening", CLUSTER, present("releaseChannel.channel", "GKE cluster has no release channel.")),
    mirror("CKV_GCP_71", "hardening", CLUSTER, not_false("enableShieldedNodes", "GKE shielded nodes are off.")),
    mirror("CKV_GCP_123", "hardening", CLUSTER,
           require("nodePools", lambda v: not v, "GKE cluster defines node pools inline.", missing_ok=True,
                   example=(MISSING, [{"name": "inline"}]))),
    mirror("CKV_GCP_68", "hardening", (CLUSTER, POOL),
           _pool_or_cluster("shieldedInstanceConfig.enableSecureBoot", lambda v: v is True,
                            "GKE nodes without secure boot.", (True, False), missing_ok=False)),
    mirror("CKV_GCP_72", "hardening", (CLUSTER, POOL),
           _pool_or_cluster("shieldedInstanceConfig.enableIntegrityMonitoring", lambda v: v is not False,
                            "GKE nodes without integrity monitoring.", (True, False))),
    mirror("CKV_GCP_69", "hardening", (CLUSTER, POOL),
           _pool_or_cluster("workloadMetadataConfig.mode", lambda v: lower(v) == "gke_metadata",
                            "GKE nodes expose the node metadata server to pods.", ("GKE_METADATA", "GCE_METADATA"),
                            missing_ok=False)),
    mirror("CKV_GCP_9", "hardening", POOL, not_false("management.autoRepair", "node pool auto repair is off.")),
    mirror("CKV_GCP_10", "hardening", POOL, not_false("management.autoUpgrade", "node pool auto upgrade is off.")),
    mirror("CKV_GCP_22", "hardening", POOL,
           require("nodeConfig.imageType", lambda v: lower(v).startswith("cos"),
                   "node pool does not run Container-Optimized OS.", missing_ok=True,
                   example=("COS_CONTAINERD", "UBUNTU_CONTAINERD"))),
    # -- network restrictions ---------------------------------------------------------------------------------
    mirror("CKV2_GCP_18", "network_rules", "gcp:compute/network:Network", _network_firewall),
    mirror("CKV2_GCP_12", "network_rules", FIREWALL, _firewall_open(None)),
    mirror("CKV_GCP_2", "network_rules", FIREWALL, _firewall_open(22)),
    mirror("CKV_GCP_3", "network_rules", FIREWALL, _firewall_open(3389)),
    mirror("CKV_GCP_75", "network_rules", FIREWALL, _firewall_open(21)),
    mirror("CKV_GCP_77", "network_rules", FIREWALL, _firewall_open(20)),
    mirror("CKV_GCP_88", "network_rules", FIREWALL, _firewall_open(3306)),
    mirror("CKV_GCP_106", "network_rules", FIREWALL, _firewall_open(80)),
    mirror("CKV_GCP_74", "network_rules", SUBNET,
           is_true("privateIpGoogleAccess", "subnet without private Google access.")),
    mirror("CKV_GCP_76", "network_rules", SUBNET, _private_ipv6),
    mirror("CKV_GCP_18", "network_rules", CLUSTER, _control_plane_public),
    mirror("CKV_GCP_20", "network_rules", CLUSTER,
           present("masterAuthorizedNetworksConfig", "GKE control plane has no authorized networks.")),
    mirror("CKV_GCP_25", "network_rules", CLUSTER, present("privateClusterConfig", "GKE cluster is not private.")),
    # -- public access ----------------------------------------------------------------------------------------
    mirror("CKV_GCP_101", "public_access", "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
           _public_member("Artifact Registry repository")),
    mirror("CKV_GCP_15", "public_access", "gcp:bigquery/dataset:Dataset", _dataset_public),
    mirror("CKV_GCP_112", "public_access", KEY_GRANTS, _public_member("KMS key")),
    mirror("CKV2_GCP_6", "public_access", KEY_GRANTS, _public_member("KMS key")),
    mirror("CKV2_GCP_8", "public_access", RING_GRANTS, _public_member("KMS key ring")),
    # -- IAM least privilege ----------------------------------------------------------------------------------
    mirror("CKV_GCP_41", "iam_scope", PROJECT_MEMBER,
           _role_grant(IMPERSONATION_ROLES, "a user may impersonate every service account of the project.",
                       members=("user:", "group:"))),
    mirror("CKV_GCP_49", "iam_scope", PROJECT_MEMBER,
           _role_grant(SA_MANAGEMENT_ROLES, "project-wide service-account impersonation or management role.")),
    mirror("CKV_GCP_42", "iam_scope", PROJECT_MEMBER, _admin_service_account),
    mirror("CKV_GCP_46", "iam_scope", PROJECT_MEMBER, _default_service_account),
)

COVERED = (
    covered("CKV_GCP_84", "encryption", "gcp:artifactregistry/repository:Repository"),
    covered("CKV2_GCP_24", "encryption", "gcp:vertex/aiEndpoint:AiEndpoint"),
    covered("CKV2_GCP_33", "public_network", "gcp:vertex/aiEndpoint:AiEndpoint"),
    covered("CKV2_GCP_34", "public_network", "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint"),
    covered("CKV_GCP_64", "public_network", CLUSTER),
    covered("CKV_GCP_114", "public_access", BUCKET),
    covered("CKV_GCP_29", "public_access", BUCKET),
    covered("CKV_GCP_28", "public_access", "gcp:storage/bucketIAMMember:BucketIAMMember"),
    covered("CKV_GCP_117", "iam", PROJECT_MEMBER),
    covered("CKV_GCP_43", "rotation", KEY),
)
