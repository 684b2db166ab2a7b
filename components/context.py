"""What every component of a platform needs: the spec, the cloud settings, tags and naming.

Cloud-neutral: imports pulumi core only, no cloud SDK.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from .naming import platform_name
from .spec import PlatformSpec, cloud_tags


@dataclass(frozen=True)
class CloudSettings:
    """Provider settings that are not part of the cloud-neutral spec (they come from stack config)."""

    gcp_project: str | None = None
    azure_subscription_id: str | None = None
    gcp_billing_account: str | None = None

    @classmethod
    def from_pulumi_config(cls) -> "CloudSettings":
        gcp = pulumi.Config("gcp")
        azure = pulumi.Config("azure-native")
        mlplat = pulumi.Config("mlplat")
        return cls(
            gcp_project=gcp.get("project"),
            azure_subscription_id=azure.get("subscriptionId"),
            gcp_billing_account=mlplat.get("gcpBillingAccount"),
        )


def config_choice(key: str, choices: tuple[str, ...], default: str | None = None) -> str | None:
    """Stack config `mlplat:<key>`, one of `choices` (or `default` when unset); any other value stops the
    program with an error naming the key."""
    value = pulumi.Config("mlplat").get(key)
    if value is None:
        return default
    if value not in choices:
        raise pulumi.RunError(f"mlplat:{key}: {value!r} is not one of {', '.join(choices)}")
    return value


@dataclass
class PlatformContext:
    """Shared by the components of one platform; created once by `Platform`."""

    spec: PlatformSpec
    settings: CloudSettings = field(default_factory=CloudSettings)
    # capability key -> logical name -> outputs of the components built so far (set by `Platform`).
    built: dict = field(default_factory=dict)

    @property
    def cloud(self) -> str:
        return self.spec.cloud.value

    @property
    def prefix(self) -> str:
        return self.spec.prefix

    @property
    def protect(self) -> bool:
        return bool(self.spec.protect)

    @property
    def private(self) -> bool:
        return bool(self.spec.network.private)

    @property
    def customer_managed_keys(self) -> bool:
        return bool(self.spec.encryption.customer_managed_keys)

    @property
    def access_logging(self) -> bool:
        return bool(self.spec.audit.access_logging)

    def tags(self, use_case: str | None = None) -> dict[str, str]:
        """The normalised FinOps tags (AWS/Azure) or labels (GCP) for one resource."""
        return cloud_tags(self.spec, use_case=use_case)

    def name(self, *parts: str) -> str:
        """Logical (and auto-naming stem) name: `<platform>-<env>-<parts...>`. Stable across refactors."""
        return platform_name(self.prefix, *parts)

    def stateful(self, parent: pulumi.Resource, **kwargs) -> pulumi.ResourceOptions:
        """Options for resources that hold data (buckets, keys, stores, registries): protected in prod."""
        return pulumi.ResourceOptions(parent=parent, protect=self.protect, **kwargs)

    def child(self, parent: pulumi.Resource, **kwargs) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=parent, **kwargs)
