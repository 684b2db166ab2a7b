"""The policies mirroring checkov's checks by concern (the catalogue's mirrors: components/catalog/resources/
*_mirrors.py). Each finding names the check it mirrors; what the scan's skip list accepts as a design choice
for the stack's environment (mlplat/scan/skips.py) is not reported, so the pack and `mlplat scan` agree."""

from pulumi_policy import EnforcementLevel, StackValidationPolicy

try:
    from .concern_rules import stack_policy
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from concern_rules import stack_policy  # type: ignore[no-redef]

# (policy name, concern, what it checks)
MIRRORED_CONCERNS = (
    ("audit-logging", "logging",
     "Audit trails exist: S3 and GCS access logs, VPC and subnet flow logs, log retention of at least a year "
     "and KMS-encrypted log groups, GKE logging, monitoring and intranode visibility, alarm actions on."),
    ("data-protection", "data_protection",
     "Data survives mistakes: versioning, lifecycle rules, deletion protection and customer keys on "
     "tables and datasets, recoverable HSM-backed expiring keys, image scanning and immutable tags, zone "
     "redundancy, AI Search replicas for the SLA, encrypted Athena results, KMS-encrypted Model Monitor reports "
     "and volumes."),
    ("compute-hardening", "hardening",
     "Compute is hardened: IMDSv2 with hop limit 1, no public IPs or secrets in launch templates, no "
     "privileged batch containers, SageMaker network isolation, GKE shielded nodes, secure boot, metadata "
     "server, COS images, auto repair/upgrade, release channel, network policy, no legacy ABAC or client certificates."),
    ("network-restrictions", "network_rules",
     "Networks are closed by default: no security group open to the internet, described rules, locked default "
     "security groups, firewall rules of the platform's own, private Google access, private GKE control plane, "
     "Key Vault, storage, Redis and ML workspace firewalls, HTTPS and TLS 1.2, encrypted traffic between Model "
     "Monitor instances, VNet DNS."),
    ("iam-least-privilege", "iam_scope",
     "IAM grants are scoped: no action on Resource \"*\" that can take a resource (write, permissions "
     "management, data exfiltration, credential exposure, privilege escalation), no IAM or admin managed "
     "policies, trust policies that name their principals, no project-wide service-account impersonation."),
)


def _policy(name: str, concern: str, what: str) -> StackValidationPolicy:
    return StackValidationPolicy(
        name=name,
        description=f"{what} Mirrors checkov's checks of the `{concern}` concern (docs/policies.md#checkov-mirror).",
        enforcement_level=EnforcementLevel.MANDATORY,
        validate=stack_policy(concern, prod_only=False),
    )


POLICIES = [_policy(*entry) for entry in MIRRORED_CONCERNS]
