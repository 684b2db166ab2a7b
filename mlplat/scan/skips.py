"""Accepted deviations from checkov's checks: design choices only, each with its reason (docs/scanning.md).

A skip is written into the translated resources as checkov's own skip comment (`#checkov:skip=ID:reason`
in HCL, `metadata.checkov` in ARM), so checkov reports it as skipped with the reason, resource by resource.
Never add a real finding here: fix it in the components, or leave it reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Optional

ALL_ENVIRONMENTS = ("dev", "staging", "prod")
NOT_DEV = ("staging", "prod")

# Named groups of resources a skip can be limited to (a plan resource -> bool). A skip without one applies to
# every resource of the stack.
# Plan resources (`type`, `inputs`) and the policy pack's analyzer resources (`resource_type`, `props`) alike.
def _type(r) -> str:
    return getattr(r, "type", None) or getattr(r, "resource_type", "")


def _inputs(r):
    inputs = getattr(r, "inputs", None)
    return inputs if inputs is not None else (getattr(r, "props", None) or {})


RESOURCES: dict[str, Callable[[object], bool]] = {
    "the access-log bucket": lambda r: _type(r) in ("aws:s3/bucket:Bucket", "gcp:storage/bucket:Bucket")
    and r.name.endswith("-access-logs"),
    "BigQuery views": lambda r: _type(r) == "gcp:bigquery/table:Table" and bool(_inputs(r).get("view")),
}


@dataclass(frozen=True)
class Skip:
    check: str
    cloud: str
    environments: tuple[str, ...]
    kind: str  # "dr", "organisation", "cost", "environment default", "not a control", "equivalent control", "exception"
    reason: str
    resources: str = ""  # a key of RESOURCES: only those resources; "" every resource

    def applies_to(self, resource) -> bool:
        return not self.resources or RESOURCES[self.resources](resource)


SKIPS = [
    # Disaster recovery: mlplat provisions one region; recovery in-region is versioning + protect.
    Skip("CKV_AWS_144", "aws", ALL_ENVIRONMENTS, "dr",
         "cross-region replication is a disaster-recovery choice; mlplat provisions one region"),
    Skip("CKV_AZURE_206", "azure", ALL_ENVIRONMENTS, "dr",
         "geo-redundant storage is a disaster-recovery choice; mlplat provisions one region"),
    # Organisation-level controls, owned by the organisation's security team, not by one platform.
    Skip("CKV_GCP_66", "gcp", ALL_ENVIRONMENTS, "organisation",
         "Binary Authorization policy and attestors are organisation-level controls"),
    Skip("CKV_GCP_65", "gcp", ALL_ENVIRONMENTS, "organisation",
         "Google Groups for RBAC needs the organisation's Workspace security group"),
    # Not a security control: nothing in the platform consumes bucket events.
    Skip("CKV2_AWS_62", "aws", ALL_ENVIRONMENTS, "not a control",
         "S3 event notifications: no platform component consumes bucket events"),
    # Cost choices in dev (the environment defaults of docs/ARCHITECTURE.md).
    Skip("CKV_AWS_18", "aws", ("dev",), "cost", "no S3 access logging in dev (cost)"),
    Skip("CKV2_AWS_11", "aws", ("dev",), "cost", "no VPC flow logs in dev (cost)"),
    Skip("CKV_GCP_62", "gcp", ("dev",), "cost", "no bucket access logging in dev (cost)"),
    Skip("CKV_AZURE_233", "azure", ("dev",), "cost",
         "Basic container registries in dev (cost): zone redundancy needs the Premium tier"),
    Skip("CKV_AZURE_208", "azure", ("dev", "staging"), "cost",
         "fewer than 3 AI Search replicas outside prod (cost; no index SLA needed)"),
    Skip("CKV_AZURE_209", "azure", ("dev",), "cost", "one AI Search replica in dev (cost; no query SLA needed)"),
    Skip("CKV_AWS_338", "aws", ("dev",), "cost", "training logs kept 30 days in dev (cost); a year elsewhere"),
    Skip("CKV_GCP_26", "gcp", ("dev",), "cost", "no subnet flow logs in dev (cost)"),
    Skip("CKV_AZURE_163", "azure", ("dev",), "cost",
         "Basic container registries in dev (cost): image scanning needs the Standard or Premium tier"),
    # Environment defaults: dev is public (network.private false) and uses provider-managed keys.
    Skip("CKV_AWS_130", "aws", ("dev",), "environment default", "dev subnets are public (network.private: false)"),
    Skip("CKV_AWS_136", "aws", ("dev", "staging"), "environment default",
         "ECR encrypted with AES256, not a customer key, outside prod (encryption.customer_managed_keys)"),
    Skip("CKV_AWS_158", "aws", ("dev", "staging"), "environment default",
         "log groups encrypted by CloudWatch Logs, not a customer key, outside prod (encryption.customer_managed_keys)"),
    Skip("CKV_AWS_98", "aws", ("dev", "staging"), "environment default",
         "endpoint configuration without a customer key outside prod (encryption.customer_managed_keys)"),
    Skip("CKV_GCP_81", "gcp", ("dev", "staging"), "environment default",
         "BigQuery datasets without a customer key outside prod (encryption.customer_managed_keys)"),
    Skip("CKV_GCP_84", "gcp", ("dev", "staging"), "environment default",
         "Artifact Registry without a customer key outside prod (encryption.customer_managed_keys)"),
    Skip("CKV_GCP_82", "gcp", ("dev", "staging"), "environment default",
         "keys not protected from deletion outside prod (protect is a prod default)"),
    Skip("CKV_AZURE_139", "azure", ("dev",), "environment default", "dev registries are public (network.private: false)"),
    Skip("CKV_AZURE_59", "azure", ("dev",), "environment default", "dev storage is public (network.private: false)"),
    Skip("CKV_AZURE_35", "azure", ("dev",), "environment default", "dev storage is public (network.private: false)"),
    Skip("CKV_AZURE_189", "azure", ("dev",), "environment default", "dev Key Vault is public (network.private: false)"),
    Skip("CKV_AZURE_109", "azure", ("dev",), "environment default", "dev Key Vault is public (network.private: false)"),
    Skip("CKV_AZURE_134", "azure", ("dev",), "environment default",
         "dev Azure OpenAI account is public (network.private: false); Entra ID only"),
    Skip("CKV_AZURE_110", "azure", ("dev", "staging"), "environment default",
         "purge protection only when protected or with a customer key (prod defaults)"),
    Skip("CKV_AZURE_42", "azure", ("dev", "staging"), "environment default",
         "purge protection only when protected or with a customer key (prod defaults)"),
    Skip("CKV_AWS_370", "aws", ("dev",), "environment default",
         "dev SageMaker models run without network isolation (network.private: false)"),
    Skip("CKV_GCP_20", "gcp", ("dev",), "environment default", "dev GKE control plane is public (network.private: false)"),
    Skip("CKV_GCP_25", "gcp", ("dev",), "environment default", "dev GKE cluster is public (network.private: false)"),
    Skip("CKV_GCP_64", "gcp", ("dev",), "environment default", "dev GKE nodes have public IPs (network.private: false)"),
    Skip("CKV2_GCP_33", "gcp", ("dev",), "environment default", "dev Vertex endpoints are public (network.private: false)"),
    Skip("CKV2_GCP_34", "gcp", ("dev",), "environment default",
         "dev Vertex index endpoints are public (network.private: false)"),
    Skip("CKV2_GCP_24", "gcp", ("dev", "staging"), "environment default",
         "Vertex endpoints without a customer key outside prod (encryption.customer_managed_keys)"),
    Skip("CKV_GCP_80", "gcp", ("dev", "staging"), "environment default",
         "BigQuery tables without a customer key outside prod (encryption.customer_managed_keys)"),
    Skip("CKV_GCP_121", "gcp", ("dev", "staging"), "environment default",
         "BigQuery tables not protected from deletion outside prod (protect is a prod default)"),
    Skip("CKV2_AZURE_49", "azure", ("dev",), "environment default", "dev ML workspaces are public (network.private: false)"),
    Skip("CKV_AZURE_243", "azure", ("dev",), "environment default",
         "dev ML workspaces use the internet-outbound managed network (network.private: false)"),
    # Organisation-level, an equivalent control the check does not read, and deliberate exceptions limited to
    # named resources (allowed in prod: none is a real finding).
    Skip("CKV_AZURE_166", "azure", ALL_ENVIRONMENTS, "organisation",
         "image quarantine needs a scanner releasing images: Microsoft Defender for Containers, a subscription plan"),
    Skip("CKV_AZURE_208", "azure", ("prod",), "not a control",
         "3 replicas is the SLA for index updates, a sizing choice of the spec (vector_search.replicas); "
         "2 give the query SLA (CKV_AZURE_209)"),
    Skip("CKV2_GCP_33", "gcp", NOT_DEV, "equivalent control",
         "private through Private Service Connect, which the check does not read (it accepts only a peered network)"),
    Skip("CKV_AWS_145", "aws", NOT_DEV, "exception",
         "S3 server access logs cannot be delivered to an SSE-KMS bucket: the access-log bucket is SSE-S3",
         resources="the access-log bucket"),
    Skip("CKV_GCP_62", "gcp", NOT_DEV, "exception",
         "the access-log bucket does not log its own access (each log write would be logged into it again)",
         resources="the access-log bucket"),
    Skip("CKV_GCP_80", "gcp", ("prod",), "not a control", "a view stores no data: nothing to encrypt",
         resources="BigQuery views"),
    Skip("CKV_GCP_121", "gcp", ("prod",), "not a control", "a view stores no data: nothing lost when it is deleted",
         resources="BigQuery views"),
]


def skips_for(cloud: str, environment: str) -> list[tuple[str, str, Optional[Skip]]]:
    """(check id, reason, skip) for the stack's cloud and environment (the skip tells which resources)."""
    return [(s.check, f"{s.kind}: {s.reason}", s) for s in SKIPS
            if s.cloud == cloud and environment in s.environments]


def skip_comments(skips: Iterable[tuple], resource) -> list[tuple[str, str]]:
    """The (check id, reason) pairs that apply to `resource`, once per check: `skips` as `skips_for` gives
    them, or plain (check id, reason) pairs applying to every resource."""
    out: dict[str, str] = {}
    for check, reason, *rest in skips:
        skip = rest[0] if rest else None
        if check not in out and (skip is None or skip.applies_to(resource)):
            out[check] = reason
    return list(out.items())
