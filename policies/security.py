"""Security policies: encryption, public buckets, public network in prod, local auth, IAM wildcards,
protection of stateful resources, key rotation.

Each policy is a no-op for resource types it does not know, so it keeps working as capabilities land.
"""

from __future__ import annotations

import re

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

try:
    from . import resource_facts as facts
    from .cost import PROD_ENVIRONMENTS, setting
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    import resource_facts as facts  # type: ignore[no-redef]
    from cost import PROD_ENVIRONMENTS, setting  # type: ignore[no-redef]

PROD_SCHEMA = {"prodEnvironments": {"type": "array", "items": {"type": "string"}, "default": PROD_ENVIRONMENTS,
                                    "description": "Environment tag values treated as production."}}


def _is_prod(args: StackValidationArgs) -> tuple[bool, str | None]:
    env = facts.stack_environment(args.resources)
    prod = [e.lower() for e in setting(args.get_config(), "prodEnvironments", PROD_ENVIRONMENTS)]
    return (env is not None and env in prod), env


def _aml(resource_type: str, kind: str) -> bool:
    return resource_type.startswith("azure-native:machinelearningservices") and resource_type.endswith(f":{kind}")


# ---------------------------------------------------------------------------------------------------
# S3 bucket companions: a bucket's encryption configuration / public access block are separate resources


S3_BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")


def _bucket_refs(bucket) -> set:
    """Values a companion's `bucket` input may hold for this bucket: its explicit name, or its auto-name
    (`<name>-<suffix>`, matched by prefix)."""
    refs = set()
    explicit = facts.get(bucket.props, "bucket")
    if isinstance(explicit, str):
        refs.add(explicit)
    return refs


def _companion_for(bucket, companions) -> list:
    refs = _bucket_refs(bucket)
    found = []
    for companion in companions:
        deps = companion.property_dependencies.get("bucket") or []
        if any(d.urn == bucket.urn for d in deps):
            found.append(companion)
            continue
        value = facts.get(companion.props, "bucket")
        if not isinstance(value, str):
            continue
        if value in refs or (not refs and re.fullmatch(re.escape(bucket.name) + r"-[0-9a-z]{7,8}", value)):
            found.append(companion)
    return found


# ---------------------------------------------------------------------------------------------------
# storage-encryption


def _validate_encryption(args: StackValidationArgs, report: ReportViolation):
    prod, env = _is_prod(args)
    if not prod:
        return  # every store below is encrypted at rest by the cloud; customer-managed keys are required in prod
    res = args.resources
    sse_configs = [r for r in res if r.resource_type.startswith("aws:s3/bucketServerSideEncryptionConfiguration")]
    for r in res:
        t, p = r.resource_type, r.props
        if t in S3_BUCKET_TYPES:
            rules = []
            inline = facts.plain(facts.get(p, "serverSideEncryptionConfiguration.rule"))
            if isinstance(inline, dict):
                rules.append(inline)
            for companion in _companion_for(r, sse_configs):
                found = facts.plain(facts.get(companion.props, "rules", []))
                rules.extend(x for x in (found if isinstance(found, list) else []) if isinstance(x, dict))
            if not any(str((rule.get("applyServerSideEncryptionByDefault") or {}).get("sseAlgorithm", "")).startswith("aws:kms")
                       and (rule.get("applyServerSideEncryptionByDefault") or {}).get("kmsMasterKeyId") for rule in rules):
                report("prod S3 bucket is not encrypted with a customer-managed KMS key "
                       "(BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms and kmsMasterKeyId).", r.urn)
        elif t == "aws:sagemaker/endpointConfiguration:EndpointConfiguration":
            if not facts.get(p, "kmsKeyArn") and not _all_variants_on_instance_storage(p):
                report("prod SageMaker endpoint configuration has no kmsKeyArn.", r.urn)
        elif t == "aws:sagemaker/featureGroup:FeatureGroup":
            if facts.get(p, "offlineStoreConfig") and not facts.get(p, "offlineStoreConfig.s3StorageConfig.kmsKeyId"):
                report("prod SageMaker feature group offline store has no kmsKeyId.", r.urn)
            if facts.truthy(facts.get(p, "onlineStoreConfig.enableOnlineStore")) and not facts.get(
                    p, "onlineStoreConfig.securityConfig.kmsKeyId"):
                report("prod SageMaker feature group online store has no securityConfig.kmsKeyId.", r.urn)
        elif t == "aws:ecr/repository:Repository":
            kind = facts.get(p, "encryptionConfigurations.0.encryptionType")
            if facts.is_known(kind) and (facts.lower(kind) != "kms" or not facts.get(p, "encryptionConfigurations.0.kmsKey")):
                report("prod ECR repository is not encrypted with a customer-managed KMS key.", r.urn)
        elif t == "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy":
            if facts.lower(facts.get(p, "type")) == "encryption":
                doc = facts.parse_json(facts.get(p, "policy"))
                if isinstance(doc, dict) and (doc.get("AWSOwnedKey") is True or not doc.get("KmsARN")):
                    report("prod OpenSearch Serverless encryption policy uses an AWS-owned key; set KmsARN.", r.urn)
        elif t == "azure-native:storage:StorageAccount":
            source = facts.get(p, "encryption.keySource")
            if facts.is_known(source) and facts.lower(source) != "microsoft.keyvault":
                report("prod storage account is not encrypted with a customer-managed key "
                       "(encryption.keySource Microsoft.Keyvault).", r.urn)
        elif _aml(t, "Workspace"):
            if not facts.get(p, "encryption.keyVaultProperties.keyIdentifier"):
                report("prod Azure ML workspace is not encrypted with a customer-managed key.", r.urn)
        elif t == "azure-native:search:Service":
            if facts.lower(facts.get(p, "encryptionWithCmk.enforcement")) != "enabled":
                report("prod AI Search service does not enforce customer-managed keys (encryptionWithCmk).", r.urn)
        elif t == "azure-native:containerregistry:Registry":
            if facts.lower(facts.get(p, "encryption.status")) != "enabled":
                report("prod container registry is not encrypted with a customer-managed key.", r.urn)
        elif t == "gcp:storage/bucket:Bucket":
            if not facts.get(p, "encryption.defaultKmsKeyName"):
                report("prod GCS bucket has no customer-managed key (encryption.defaultKmsKeyName).", r.urn)
        elif t in ("gcp:vertex/aiEndpoint:AiEndpoint", "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint",
                   "gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore", "gcp:vertex/aiIndex:AiIndex",
                   "gcp:vertex/aiMetadataStore:AiMetadataStore", "gcp:vertex/aiDataset:AiDataset"):
            if not facts.get(p, "encryptionSpec.kmsKeyName"):
                report(f"prod {t.rsplit(':', 1)[-1]} has no customer-managed key (encryptionSpec.kmsKeyName).", r.urn)
        elif t == "gcp:artifactregistry/repository:Repository":
            if not facts.get(p, "kmsKeyName"):
                report("prod Artifact Registry repository has no customer-managed key (kmsKeyName).", r.urn)


storage_encryption = StackValidationPolicy(
    name="storage-encryption",
    description=(
        "Data stores are encrypted, with customer-managed keys in prod. Mirrors checkov CKV_AWS_145 (S3 KMS "
        "by default), CKV_AWS_98 (SageMaker endpoint config KMS), CKV_AWS_136 (ECR KMS), CKV_GCP_92/CKV_GCP_96 "
        "(Vertex AI CMK), and Azure Policy built-ins 'Azure Machine Learning workspaces should be encrypted with "
        "a customer-managed key', 'Storage accounts should use customer-managed key for encryption', 'Azure AI "
        "Search services should use customer-managed keys to encrypt data at rest'."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_encryption,
    config_schema=PolicyConfigSchema(properties=PROD_SCHEMA),
)


# ---------------------------------------------------------------------------------------------------
# no-public-buckets

PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}
PUBLIC_MEMBERS = ("allusers", "allauthenticatedusers")
BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _validate_public_buckets(args: StackValidationArgs, report: ReportViolation):
    res = args.resources
    blocks = [r for r in res if r.resource_type == "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]
    for r in res:
        t, p = r.resource_type, r.props
        if t in S3_BUCKET_TYPES:
            if facts.lower(facts.get(p, "acl")) in PUBLIC_ACLS:
                report(f"S3 bucket has the public ACL {facts.get(p, 'acl')}.", r.urn)
            mine = _companion_for(r, blocks)
            if not mine:
                report("S3 bucket has no BucketPublicAccessBlock.", r.urn)
            for block in mine:
                off = [f for f in BLOCK_FLAGS if facts.is_known(facts.get(block.props, f))
                       and not facts.truthy(facts.get(block.props, f))]
                if off:
                    report(f"S3 public access block leaves {', '.join(off)} off.", block.urn)
        elif t == "aws:s3/bucketAclV2:BucketAclV2" or t == "aws:s3/bucketAcl:BucketAcl":
            if facts.lower(facts.get(p, "acl")) in PUBLIC_ACLS:
                report(f"S3 bucket ACL {facts.get(p, 'acl')} is public.", r.urn)
        elif t == "azure-native:storage:StorageAccount":
            value = facts.get(p, "allowBlobPublicAccess")
            if facts.is_known(value) and value is not False:
                report("storage account allows blob public access; set allowBlobPublicAccess = false.", r.urn)
        elif t == "gcp:storage/bucket:Bucket":
            pap = facts.get(p, "publicAccessPrevention")
            if facts.is_known(pap) and facts.lower(pap) != "enforced":
                report("GCS bucket does not enforce public access prevention (publicAccessPrevention = enforced).", r.urn)
            ubla = facts.get(p, "uniformBucketLevelAccess")
            if facts.is_known(ubla) and not facts.truthy(ubla):
                report("GCS bucket does not use uniform bucket-level access.", r.urn)
        elif t.startswith("gcp:storage/bucketIAM") or t.startswith("gcp:storage/bucketAccessControl"):
            members = facts.plain(facts.get(p, "members", [])) or []
            members = (members if isinstance(members, list) else []) + [facts.get(p, "member"), facts.get(p, "entity")]
            if any(isinstance(m, str) and m.lower().replace("-", "") in PUBLIC_MEMBERS for m in members):
                report("GCS bucket IAM grants access to allUsers/allAuthenticatedUsers.", r.urn)


no_public_buckets = StackValidationPolicy(
    name="no-public-buckets",
    description=(
        "Object storage is never public. Mirrors checkov CKV_AWS_20 (no public-read ACL), CKV_AWS_53-56 and "
        "CKV2_AWS_6 (S3 public access block), CKV_GCP_114 (public access prevention), CKV_GCP_29 (uniform "
        "bucket-level access), CKV_GCP_28 (no allUsers), and Azure Policy 'Storage account public access "
        "should be disallowed'."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_public_buckets,
)


# ---------------------------------------------------------------------------------------------------
# no-public-network-in-prod


def _disabled(value) -> bool:
    return facts.lower(value) == "disabled"


def _validate_public_network(args: StackValidationArgs, report: ReportViolation):
    prod, env = _is_prod(args)
    if not prod:
        return
    for r in args.resources:
        t, p = r.resource_type, r.props
        if _aml(t, "Workspace"):
            value = facts.get(p, "publicNetworkAccess")
            if facts.is_known(value) and not _disabled(value):
                report("prod Azure ML workspace allows public network access; set publicNetworkAccess Disabled.", r.urn)
        elif _aml(t, "OnlineEndpoint"):
            value = facts.get(p, "properties.publicNetworkAccess")
            if facts.is_known(value) and not _disabled(value):
                report("prod Azure ML online endpoint allows public network access.", r.urn)
        elif _aml(t, "Compute"):
            public_ip = facts.get(p, "properties.properties.enableNodePublicIp")
            if facts.lower(facts.get(p, "properties.computeType")) == "amlcompute" and facts.is_known(public_ip) and (
                    public_ip is None or facts.truthy(public_ip)):
                report("prod Azure ML compute nodes get public IPs; set enableNodePublicIp = false.", r.urn)
        elif t == "azure-native:search:Service":
            value = facts.get(p, "publicNetworkAccess")
            if facts.is_known(value) and not _disabled(value):
                report("prod AI Search service allows public network access.", r.urn)
        elif t == "azure-native:storage:StorageAccount":
            value = facts.get(p, "publicNetworkAccess")
            default_action = facts.get(p, "networkRuleSet.defaultAction")
            if facts.is_known(value) and not _disabled(value) and facts.lower(default_action) != "deny":
                report("prod storage account is reachable from public networks "
                       "(publicNetworkAccess Disabled or networkRuleSet.defaultAction Deny).", r.urn)
        elif t == "azure-native:containerregistry:Registry":
            value = facts.get(p, "publicNetworkAccess")
            if facts.is_known(value) and not _disabled(value):
                report("prod container registry allows public network access.", r.urn)
        elif t == "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy":
            if facts.lower(facts.get(p, "type")) == "network":
                doc = facts.parse_json(facts.get(p, "policy"))
                rules = doc if isinstance(doc, list) else [doc] if isinstance(doc, dict) else []
                if any(isinstance(rule, dict) and rule.get("AllowFromPublic") is True for rule in rules):
                    report("prod OpenSearch Serverless network policy allows public access (AllowFromPublic).", r.urn)
        elif t == "aws:ec2/subnet:Subnet":
            if facts.truthy(facts.get(p, "mapPublicIpOnLaunch")):
                report("prod subnet gives instances public IPs (mapPublicIpOnLaunch).", r.urn)
        elif t == "aws:sagemaker/model:Model":
            if not facts.get(p, "vpcConfig"):
                report("prod SageMaker model has no vpcConfig (containers reach the internet).", r.urn)
        elif t == "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint":
            if facts.truthy(facts.get(p, "publicEndpointEnabled")):
                report("prod Vertex AI index endpoint is public; set publicEndpointEnabled = false and use "
                       "network or Private Service Connect.", r.urn)
        elif t == "gcp:vertex/aiEndpoint:AiEndpoint":
            if not facts.get(p, "network") and not facts.truthy(
                    facts.get(p, "privateServiceConnectConfig.enablePrivateServiceConnect")):
                report("prod Vertex AI endpoint is public; set network or privateServiceConnectConfig.", r.urn)
        elif t == "gcp:container/cluster:Cluster":
            if not facts.truthy(facts.get(p, "privateClusterConfig.enablePrivateNodes")):
                report("prod GKE cluster nodes have public IPs; enable private nodes.", r.urn)


no_public_network_in_prod = StackValidationPolicy(
    name="no-public-network-in-prod",
    description=(
        "Prod ML services are not reachable from public networks: ML workspace, online endpoints, search "
        "service, storage, registry, vector collection network policy, Vertex endpoints and index endpoints. "
        "Mirrors checkov CKV_AZURE_144 (ML workspace public access), CKV_AZURE_59 (storage public access), "
        "CKV_AWS_130 (no public IPs on launch), CKV_GCP_89 / CKV_GCP_64 (private Vertex/GKE), and Azure Policy built-ins 'Azure Machine Learning "
        "Workspaces should disable public network access', 'Azure AI Search services should disable public "
        "network access', 'Public network access should be disabled for Container registries'."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_public_network,
    config_schema=PolicyConfigSchema(properties=PROD_SCHEMA),
)


# ---------------------------------------------------------------------------------------------------
# local-auth-disabled


def _validate_local_auth(args: ResourceValidationArgs, report: ReportViolation):
    t, p = args.resource_type, args.props
    if t == "azure-native:search:Service":
        if not facts.truthy(facts.get(p, "disableLocalAuth")) and facts.is_known(facts.get(p, "disableLocalAuth")):
            report("AI Search service allows API keys; set disableLocalAuth = true (Entra ID only).")
    elif _aml(t, "Compute"):
        if facts.lower(facts.get(p, "properties.computeType")) == "amlcompute":
            value = facts.get(p, "properties.disableLocalAuth")
            if facts.is_known(value) and not facts.truthy(value):
                report("Azure ML compute allows local authentication; set disableLocalAuth = true.")
    elif _aml(t, "OnlineEndpoint"):
        mode = facts.get(p, "properties.authMode")
        if facts.lower(mode) == "key":
            report("Azure ML online endpoint uses key authentication; use authMode AADToken.")
    elif t == "azure-native:storage:StorageAccount":
        value = facts.get(p, "allowSharedKeyAccess")
        if facts.is_known(value) and value is not False:
            report("storage account allows shared key access; set allowSharedKeyAccess = false.")
    elif t == "azure-native:containerregistry:Registry":
        if facts.truthy(facts.get(p, "adminUserEnabled")):
            report("container registry has the admin user enabled.")
    elif t.startswith("azure-native:") and facts.get(p, "disableLocalAuth") is False:
        report("resource enables local (key) authentication; set disableLocalAuth = true.")
    elif t == "aws:iam/accessKey:AccessKey":
        report("long-lived IAM access key; use roles.")
    elif t == "gcp:serviceaccount/key:Key":
        report("user-managed service account key; use workload identity.")
    elif t == "gcp:storage/hmacKey:HmacKey":
        report("GCS HMAC key (key-based access); use IAM.")


local_auth_disabled = ResourceValidationPolicy(
    name="local-auth-disabled",
    description=(
        "Local / key authentication is disabled where the cloud allows it. Mirrors Azure Policy built-ins 'Azure "
        "AI Search services should have local authentication methods disabled', 'Azure Machine Learning "
        "Computes should have local authentication methods disabled', 'Storage accounts should prevent shared "
        "key access', checkov CKV_AZURE_137 (ACR admin user), and CIS AWS/GCP 'no long-lived access keys'."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_local_auth,
)


# ---------------------------------------------------------------------------------------------------
# no-wildcard-iam-actions

AWS_POLICY_TYPES = {"aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy",
                    "aws:iam/groupPolicy:GroupPolicy", "aws:s3/bucketPolicy:BucketPolicy"}
ADMIN_POLICY_ARNS = ("arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/PowerUserAccess",
                     "arn:aws:iam::aws:policy/IAMFullAccess")
GCP_BASIC_ROLES = {"roles/owner", "roles/editor"}
AZURE_BROAD_ROLES = {"8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner", "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor"}


def _wildcards(document) -> list[str]:
    doc = facts.parse_json(document)
    if not isinstance(doc, dict):
        return []
    statements = doc.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    found = []
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if "NotAction" in statement:
            found.append("NotAction")
        actions = statement.get("Action", [])
        for action in actions if isinstance(actions, list) else [actions]:
            if isinstance(action, str) and (action == "*" or action.endswith(":*")):
                found.append(action)
    return found


def _validate_wildcards(args: ResourceValidationArgs, report: ReportViolation):
    t, p = args.resource_type, args.props
    if t in AWS_POLICY_TYPES:
        bad = _wildcards(facts.get(p, "policy"))
        if bad:
            report(f"IAM policy allows wildcard actions: {', '.join(sorted(set(bad)))}; list the actions needed.")
    elif t == "aws:iam/role:Role":
        inline = facts.plain(facts.get(p, "inlinePolicies", [])) or []
        for policy in inline if isinstance(inline, list) else []:
            bad = _wildcards(policy.get("policy")) if isinstance(policy, dict) else []
            if bad:
                report(f"role inline policy allows wildcard actions: {', '.join(sorted(set(bad)))}.")
    elif t in ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/userPolicyAttachment:UserPolicyAttachment",
               "aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment"):
        arn = facts.get(p, "policyArn")
        if isinstance(arn, str) and arn in ADMIN_POLICY_ARNS:
            report(f"attaches the broad managed policy {arn.rsplit('/', 1)[-1]}.")
    elif t == "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy":
        doc = facts.parse_json(facts.get(p, "policy"))
        for entry in doc if isinstance(doc, list) else []:
            for rule in (entry.get("Rules") or []) if isinstance(entry, dict) else []:
                perms = rule.get("Permission") or [] if isinstance(rule, dict) else []
                bad = [x for x in perms if isinstance(x, str) and (x == "*" or x.endswith(":*"))]
                if bad:
                    report(f"OpenSearch Serverless access policy grants wildcard permissions: {', '.join(bad)}.")
    elif t.startswith("gcp:") and ("/iAM" in t or "IAM" in t.rsplit(":", 1)[-1]):
        role = facts.get(p, "role")
        if isinstance(role, str) and role in GCP_BASIC_ROLES:
            report(f"grants the basic role {role}; use predefined or custom roles.")
    elif t == "azure-native:authorization:RoleDefinition":
        perms = facts.plain(facts.get(p, "permissions", [])) or []
        for perm in perms if isinstance(perms, list) else []:
            actions = perm.get("actions", []) if isinstance(perm, dict) else []
            if "*" in actions:
                report("custom role definition allows all actions (*).")
    elif t == "azure-native:authorization:RoleAssignment":
        role = facts.get(p, "roleDefinitionId")
        scope = facts.get(p, "scope")
        if isinstance(role, str):
            for guid, name in AZURE_BROAD_ROLES.items():
                if not role.lower().endswith(guid):
                    continue
                where = f" at {scope}" if isinstance(scope, str) else ""
                report(f"assigns the broad built-in role {name}{where} (all actions); use the resource type's "
                       "own contributor role instead (e.g. Storage Account Contributor).")


no_wildcard_iam_actions = ResourceValidationPolicy(
    name="no-wildcard-iam-actions",
    description=(
        "IAM grants name their actions: no '*' or 'service:*' actions, NotAction, admin managed policies, basic "
        "GCP roles, Owner or Contributor assignments (both allow every action). Mirrors checkov CKV_AWS_62/CKV_AWS_63 (no '*' actions), "
        "CKV_AWS_274 (no AdministratorAccess), CKV_AZURE_39 (no custom owner roles) and CIS GCP 1.5 "
        "(no basic roles)."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_wildcards,
)


# ---------------------------------------------------------------------------------------------------
# protect-stateful-in-prod


def _validate_protect(args: StackValidationArgs, report: ReportViolation):
    prod, env = _is_prod(args)
    if not prod:
        return
    for r in args.resources:
        if r.resource_type in facts.STATEFUL_TYPES and not r.opts.protect:
            report(f"prod stateful resource {r.name} is not protected; set protect=True.", r.urn)


protect_stateful_in_prod = StackValidationPolicy(
    name="protect-stateful-in-prod",
    description=(
        "Stateful prod resources (buckets, keys, feature stores, registries, search services, workspaces) carry "
        "the `protect` resource option so they cannot be deleted by a `pulumi up`/`destroy`. Mirrors Pulumi's "
        "documented `protect` resource option for production data and the deletion-protection intent of Azure "
        "resource locks and GCP deletion_protection."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_protect,
    config_schema=PolicyConfigSchema(properties=PROD_SCHEMA),
)


# ---------------------------------------------------------------------------------------------------
# customer-key-rotation

_ISO_DAYS = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$", re.I)


def _iso_days(value) -> float | None:
    match = _ISO_DAYS.match(value or "") if isinstance(value, str) else None
    if not match or not any(match.groups()):
        return None
    years, months, days = (int(x or 0) for x in match.groups())
    return years * 365 + months * 30 + days


def _validate_rotation(args: ResourceValidationArgs, report: ReportViolation):
    t, p = args.resource_type, args.props
    max_days = setting(args.get_config(), "maxRotationDays", 365)
    if t == "aws:kms/key:Key":
        spec = facts.get(p, "customerMasterKeySpec") or facts.get(p, "keySpec") or "SYMMETRIC_DEFAULT"
        if spec != "SYMMETRIC_DEFAULT":
            return  # AWS rotates only symmetric keys automatically
        if not facts.truthy(facts.get(p, "enableKeyRotation")):
            report("KMS key has automatic rotation off; set enableKeyRotation = true.")
        else:
            period = facts.get(p, "rotationPeriodInDays")
            if isinstance(period, (int, float)) and period > max_days:
                report(f"KMS key rotates every {int(period)} days; the limit is {max_days}.")
    elif t == "azure-native:keyvault:Key":
        actions = facts.plain(facts.get(p, "properties.rotationPolicy.lifetimeActions", [])) or []
        rotate = [a for a in actions if isinstance(a, dict) and facts.lower((a.get("action") or {}).get("type")) == "rotate"]
        if not rotate:
            report("Key Vault key has no rotation policy with a Rotate lifetime action.")
        else:
            days = [_iso_days((a.get("trigger") or {}).get("timeAfterCreate")) for a in rotate]
            known = [d for d in days if d is not None]
            if known and min(known) > max_days:
                report(f"Key Vault key rotates after {int(min(known))} days; the limit is {max_days}.")
    elif t == "gcp:kms/cryptoKey:CryptoKey":
        purpose = facts.get(p, "purpose") or "ENCRYPT_DECRYPT"
        if purpose != "ENCRYPT_DECRYPT":
            return  # Cloud KMS rotates only symmetric keys automatically
        period = facts.get(p, "rotationPeriod")
        if not facts.is_known(period):
            return
        seconds = float(period[:-1]) if isinstance(period, str) and period.endswith("s") and period[:-1].replace(".", "", 1).isdigit() else None
        if seconds is None:
            report("Cloud KMS key has no rotationPeriod.")
        elif seconds > max_days * 86400:
            report(f"Cloud KMS key rotates every {seconds / 86400:.0f} days; the limit is {max_days}.")


customer_key_rotation = ResourceValidationPolicy(
    name="customer-key-rotation",
    description=(
        "Customer-managed keys rotate automatically within maxRotationDays. Mirrors checkov CKV_AWS_7 (KMS "
        "rotation), CKV_GCP_43 (Cloud KMS rotation period; CIS asks 90 days: set maxRotationDays 90) and Azure "
        "Policy 'Keys should have a rotation policy ensuring that their rotation is scheduled within the "
        "specified number of days after creation'."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_rotation,
    config_schema=PolicyConfigSchema(properties={
        "maxRotationDays": {"type": "integer", "minimum": 1, "default": 365,
                            "description": "Longest allowed automatic rotation period in days."},
    }),
)


POLICIES = [
    storage_encryption,
    no_public_buckets,
    no_public_network_in_prod,
    local_auth_disabled,
    no_wildcard_iam_actions,
    protect_stateful_in_prod,
    customer_key_rotation,
]


def _all_variants_on_instance_storage(props) -> bool:
    """True when every instance-based variant runs on a type with local NVMe instance storage: those
    volumes are hardware-encrypted and SageMaker refuses a KmsKeyId for them (CreateEndpointConfig)."""
    from components.catalog.gpus import sagemaker_types_with_instance_storage

    variants = facts.plain(facts.get(props, "productionVariants", []))
    if not isinstance(variants, list) or not variants:
        return False
    types = [v.get("instanceType") for v in variants if isinstance(v, dict) and v.get("instanceType")]
    return bool(types) and all(t in sagemaker_types_with_instance_storage() for t in types)
