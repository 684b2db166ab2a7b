"""The readers the policies call on AWS resource types (the rows that use them: aws.py)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from . import Subject
from .props import get, is_known, lower, parse_json, plain, plain_list, truthy

# ---------------------------------------------------------------------------------------------------
# S3: a bucket's encryption configuration and public access block are separate (companion) resources

PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}
BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def companions(bucket, stack, role: str, prop: str = "bucket") -> list:
    """The stack's resources of `role` whose `prop` names this bucket: by property dependency on `bucket`,
    by its explicit name, or (no explicit name) by its auto-name `<name>-<suffix>`."""
    from . import tokens_with_role

    tokens = tokens_with_role(role)
    explicit = get(bucket.props, "bucket")
    refs = {explicit} if isinstance(explicit, str) else set()
    found = []
    for other in stack:
        if other.resource_type not in tokens:
            continue
        deps = other.property_dependencies.get(prop) or []
        if any(d.urn == bucket.urn for d in deps):
            found.append(other)
            continue
        value = get(other.props, prop)
        if not isinstance(value, str):
            continue
        if value in refs or (not refs and re.fullmatch(re.escape(bucket.name) + r"-[0-9a-z]{7,8}", value)):
            found.append(other)
    return found


def bucket_encryption(s: Subject):
    rules = []
    inline = plain(get(s.props, "serverSideEncryptionConfiguration.rule"))
    if isinstance(inline, dict):
        rules.append(inline)
    for companion in companions(s.resource, s.stack, "s3-encryption-config"):
        rules.extend(x for x in plain_list(companion.props, "rules") if isinstance(x, dict))
    defaults = [rule.get("applyServerSideEncryptionByDefault") or {} for rule in rules]
    if companions(s.resource, s.stack, "s3-access-logging", prop="targetBucket") and any(
        d.get("sseAlgorithm") == "AES256" for d in defaults
    ):
        # A server access log target may only use SSE-S3: S3 log delivery does not support SSE-KMS default
        # encryption on the target bucket (S3 user guide, "Enabling Amazon S3 server access logging").
        return
    if not any(str(d.get("sseAlgorithm", "")).startswith("aws:kms") and d.get("kmsMasterKeyId") for d in defaults):
        yield ("prod S3 bucket is not encrypted with a customer-managed KMS key "
               "(BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms and kmsMasterKeyId).")


def bucket_public_access(s: Subject):
    if lower(get(s.props, "acl")) in PUBLIC_ACLS:
        yield f"S3 bucket has the public ACL {get(s.props, 'acl')}."
    blocks = companions(s.resource, s.stack, "s3-public-access-block")
    if not blocks:
        yield "S3 bucket has no BucketPublicAccessBlock."
    for block in blocks:
        off = [f for f in BLOCK_FLAGS if is_known(get(block.props, f)) and not truthy(get(block.props, f))]
        if off:
            yield f"S3 public access block leaves {', '.join(off)} off.", block.urn


def bucket_acl(s: Subject):
    if lower(get(s.props, "acl")) in PUBLIC_ACLS:
        yield f"S3 bucket ACL {get(s.props, 'acl')} is public."


# ---------------------------------------------------------------------------------------------------
# Encryption and network exposure of ML services


def endpoint_config_encryption(s: Subject):
    if not get(s.props, "kmsKeyArn") and not _all_variants_on_instance_storage(s.props):
        yield "prod SageMaker endpoint configuration has no kmsKeyArn."


def _all_variants_on_instance_storage(props) -> bool:
    """True when every instance-based variant runs on a type with local NVMe instance storage: those
    volumes are hardware-encrypted and SageMaker refuses a KmsKeyId for them (CreateEndpointConfig)."""
    from components.catalog.gpus import sagemaker_types_with_instance_storage

    variants = plain(get(props, "productionVariants", []))
    if not isinstance(variants, list) or not variants:
        return False
    types = [v.get("instanceType") for v in variants if isinstance(v, dict) and v.get("instanceType")]
    return bool(types) and all(t in sagemaker_types_with_instance_storage() for t in types)


def feature_group_encryption(s: Subject):
    if get(s.props, "offlineStoreConfig") and not get(s.props, "offlineStoreConfig.s3StorageConfig.kmsKeyId"):
        yield "prod SageMaker feature group offline store has no kmsKeyId."
    if truthy(get(s.props, "onlineStoreConfig.enableOnlineStore")) and not get(
            s.props, "onlineStoreConfig.securityConfig.kmsKeyId"):
        yield "prod SageMaker feature group online store has no securityConfig.kmsKeyId."


def ecr_encryption(s: Subject):
    kind = get(s.props, "encryptionConfigurations.0.encryptionType")
    if is_known(kind) and (lower(kind) != "kms" or not get(s.props, "encryptionConfigurations.0.kmsKey")):
        yield "prod ECR repository is not encrypted with a customer-managed KMS key."


def _aoss_policy(s: Subject, kind: str):
    return parse_json(get(s.props, "policy")) if lower(get(s.props, "type")) == kind else None


def aoss_encryption(s: Subject):
    doc = _aoss_policy(s, "encryption")
    if isinstance(doc, dict) and (doc.get("AWSOwnedKey") is True or not doc.get("KmsARN")):
        yield "prod OpenSearch Serverless encryption policy uses an AWS-owned key; set KmsARN."


def aoss_network(s: Subject):
    doc = _aoss_policy(s, "network")
    rules = doc if isinstance(doc, list) else [doc] if isinstance(doc, dict) else []
    if any(isinstance(rule, dict) and rule.get("AllowFromPublic") is True for rule in rules):
        yield "prod OpenSearch Serverless network policy allows public access (AllowFromPublic)."


def subnet_network(s: Subject):
    if truthy(get(s.props, "mapPublicIpOnLaunch")):
        yield "prod subnet gives instances public IPs (mapPublicIpOnLaunch)."


def model_network(s: Subject):
    if not get(s.props, "vpcConfig"):
        yield "prod SageMaker model has no vpcConfig (containers reach the internet)."


# ---------------------------------------------------------------------------------------------------
# Keys and IAM

ADMIN_POLICY_ARNS = ("arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/PowerUserAccess",
                     "arn:aws:iam::aws:policy/IAMFullAccess")


def wildcard_actions(document) -> list[str]:
    """The wildcard actions (`*`, `service:*`, NotAction) an IAM policy document allows."""
    doc = parse_json(document)
    if not isinstance(doc, dict):
        return []
    statements = doc.get("Statement", [])
    found = []
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if "NotAction" in statement:
            found.append("NotAction")
        actions = statement.get("Action", [])
        found.extend(a for a in (actions if isinstance(actions, list) else [actions])
                     if isinstance(a, str) and (a == "*" or a.endswith(":*")))
    return found


def policy_document(s: Subject):
    bad = wildcard_actions(get(s.props, "policy"))
    if bad:
        yield f"IAM policy allows wildcard actions: {', '.join(sorted(set(bad)))}; list the actions needed."


def role_inline_policies(s: Subject):
    for policy in plain_list(s.props, "inlinePolicies"):
        bad = wildcard_actions(policy.get("policy")) if isinstance(policy, dict) else []
        if bad:
            yield f"role inline policy allows wildcard actions: {', '.join(sorted(set(bad)))}."


def policy_attachment(s: Subject):
    arn = get(s.props, "policyArn")
    if isinstance(arn, str) and arn in ADMIN_POLICY_ARNS:
        yield f"attaches the broad managed policy {arn.rsplit('/', 1)[-1]}."


def aoss_access_policy(s: Subject):
    doc = parse_json(get(s.props, "policy"))
    for entry in doc if isinstance(doc, list) else []:
        for rule in (entry.get("Rules") or []) if isinstance(entry, dict) else []:
            perms = rule.get("Permission") or [] if isinstance(rule, dict) else []
            bad = [x for x in perms if isinstance(x, str) and (x == "*" or x.endswith(":*"))]
            if bad:
                yield f"OpenSearch Serverless access policy grants wildcard permissions: {', '.join(bad)}."


def access_key(s: Subject):
    yield "long-lived IAM access key; use roles."


def kms_rotation(s: Subject):
    max_days = s.settings.get("maxRotationDays", 365)
    spec = get(s.props, "customerMasterKeySpec") or get(s.props, "keySpec") or "SYMMETRIC_DEFAULT"
    if spec != "SYMMETRIC_DEFAULT":
        return  # AWS rotates only symmetric keys automatically
    if not truthy(get(s.props, "enableKeyRotation")):
        yield "KMS key has automatic rotation off; set enableKeyRotation = true."
        return
    period = get(s.props, "rotationPeriodInDays")
    if isinstance(period, (int, float)) and period > max_days:
        yield f"KMS key rotates every {int(period)} days; the limit is {max_days}."




# ---------------------------------------------------------------------------------------------------
# Training capacity (AWS Batch compute environments) and GPU classes (from the GPU catalog)

# GPU families the GPU catalog does not offer (mlplat never provisions them), still recognised as GPUs.
UNOFFERED_GPU_FAMILIES = {"gr6": "l4", **{f: "other" for f in ("p2", "p3", "p3dn", "g3", "g4ad", "g6e", "p5e",
                                                                 "p5en", "p6-b200", "trn1", "inf2")}}
SIZE_VCPUS = {"xlarge": 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32, "12xlarge": 48, "16xlarge": 64,
              "24xlarge": 96, "32xlarge": 128, "48xlarge": 192, "large": 2, "metal": 96}


@lru_cache(maxsize=1)
def _offered_families() -> dict[str, str]:
    from components.catalog import gpus

    return {s.instance_type.split(".")[0]: s.gpu for s in gpus.all_shapes() if s.cloud == "aws"}


def gpu_class(instance_type: str) -> Optional[str]:
    """GPU class of an EC2/SageMaker instance type or family (`g5`, `g5.xlarge`, `ml.g5.xlarge`); None: CPU."""
    name = instance_type.lower()
    family = name[3:] if name.startswith("ml.") else name
    family = family.split(".")[0] if "." in family else family
    return _offered_families().get(family) or UNOFFERED_GPU_FAMILIES.get(family)


def instance_vcpus(instance_type: str) -> Optional[int]:
    size = instance_type.lower().rsplit(".", 1)[-1] if "." in instance_type else None
    return SIZE_VCPUS.get(size) if size else None


def _batch_spot(s: Subject):
    kind = get(s.props, "computeResources.type")
    if isinstance(kind, str) and kind.upper() not in ("SPOT", "FARGATE_SPOT"):
        yield (f"AWS Batch compute environment uses {kind} (on-demand) capacity; set computeResources.type "
               "to SPOT with allocationStrategy SPOT_PRICE_CAPACITY_OPTIMIZED.")


def _batch_scale_to_zero(s: Subject):
    minimum = get(s.props, "computeResources.minVcpus", 0)
    if isinstance(minimum, (int, float)) and minimum > 0:
        yield f"AWS Batch compute environment keeps {int(minimum)} vCPUs running; set minVcpus = 0."


def _batch_gpus(s: Subject):
    """([(GPU class, shape)], most nodes or None) of a compute environment."""
    classes, vcpus = [], []
    for instance in plain_list(s.props, "computeResources.instanceTypes"):
        gpu = gpu_class(instance) if isinstance(instance, str) else None
        if gpu:
            classes.append((gpu, instance))
            if instance_vcpus(instance):
                vcpus.append(instance_vcpus(instance))
    max_vcpus = get(s.props, "computeResources.maxVcpus")
    nodes = int(max_vcpus // min(vcpus)) if vcpus and isinstance(max_vcpus, (int, float)) else None
    return classes, nodes


TRAINING = {"training_spot": _batch_spot, "training_scale_to_zero": _batch_scale_to_zero, "training_gpus": _batch_gpus}


# ---------------------------------------------------------------------------------------------------
# Endpoint scaling and budgets


def variants(s: Subject):
    """(variant name, serverless?) of each production variant of an endpoint configuration."""
    for index, variant in enumerate(plain_list(s.props, "productionVariants")):
        if isinstance(variant, dict):
            yield variant.get("variantName") or f"variant-{index}", bool(variant.get("serverlessConfig"))


def scaled_variant(s: Subject):
    """(resourceId `endpoint/<name>/variant/<variant>`, minCapacity) of an Application Auto Scaling target of a
    SageMaker variant; None for targets of other services."""
    if lower(get(s.props, "serviceNamespace")) != "sagemaker":
        return None
    return get(s.props, "resourceId"), get(s.props, "minCapacity")


def budget_amount(s: Subject):
    return get(s.props, "limitAmount")
