"""Accepted deviations from checkov's checks: design choices only, each with its reason (docs/scanning.md).

A skip is written into the translated resources as checkov's own skip comment (`#checkov:skip=ID:reason`
in HCL, `metadata.checkov` in ARM), so checkov reports it as skipped with the reason, resource by resource.
Never add a real finding here: fix it in the components, or leave it reported.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_ENVIRONMENTS = ("dev", "staging", "prod")


@dataclass(frozen=True)
class Skip:
    check: str
    cloud: str
    environments: tuple[str, ...]
    kind: str  # "dr", "organisation", "cost", "environment default", "not a control"
    reason: str


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
]


def skips_for(cloud: str, environment: str) -> list[tuple[str, str]]:
    """(check id, reason) for the stack's cloud and environment."""
    return [(s.check, f"{s.kind}: {s.reason}") for s in SKIPS
            if s.cloud == cloud and environment in s.environments]
