"""GCP base layer: required APIs, KMS key ring and key, encrypted buckets, a private VPC network, and
the workload service account capabilities share."""

from __future__ import annotations

import ipaddress

import pulumi
import pulumi_gcp as gcp

from ..contract import BaseLayer
from ..context import PlatformContext
from .names import workload_account_id

REQUIRED_APIS = [
    "aiplatform.googleapis.com",
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "billingbudgets.googleapis.com",
    "cloudkms.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "servicenetworking.googleapis.com",
    "storage.googleapis.com",
]
# The service class of Vertex AI online prediction in service connection policies (PSC automation).
VERTEX_PSC_SERVICE_CLASS = "gcp-vertexai"
KEY_ROTATION_PERIOD = "7776000s"  # 90 days
# Google service agents that use the platform key: ("identity", service) agents are generated with
# ServiceIdentity; ("email", pattern) agents have a fixed address from the project number.
SERVICE_AGENTS = {
    "storage": ("storage", ""),
    "aiplatform": ("identity", "aiplatform.googleapis.com"),
    "artifactregistry": ("identity", "artifactregistry.googleapis.com"),
    "bigquery": ("email", "bq-{number}@bigquery-encryption.iam.gserviceaccount.com"),
    "compute": ("email", "service-{number}@compute-system.iam.gserviceaccount.com"),
    "container": ("email", "service-{number}@container-engine-robot.iam.gserviceaccount.com"),
    "pubsub": ("email", "service-{number}@gcp-sa-pubsub.iam.gserviceaccount.com"),
    "monitoring-notification": ("email", "service-{number}@gcp-sa-monitoring-notification.iam.gserviceaccount.com"),
    "vertexrag": ("email", "service-{number}@gcp-sa-vertex-rag.iam.gserviceaccount.com"),
}



def deny_ingress_firewall(ctx: PlatformContext, label: str, network: gcp.compute.Network, project) -> gcp.compute.Firewall:
    """An explicit lowest-priority rule denying all ingress into a platform network: what the implied
    rule does, stated in the network itself so a later broad allow rule stands out in review. GKE's own
    rules (priority 1000) and any rule an operator adds take precedence."""
    return gcp.compute.Firewall(
        ctx.name(label, "deny-ingress"),
        project=project,
        network=network.id,
        direction="INGRESS",
        priority=65534,
        source_ranges=["0.0.0.0/0"],
        denies=[{"protocol": "all"}],
        description="mlplat: deny all ingress not allowed by a higher-priority rule",
        opts=ctx.child(network),
    )

class Base(BaseLayer):
    CLOUD = "gcp"
    COMPONENT = "Base"

    def __init__(self, name: str, ctx: PlatformContext, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, opts)
        self.ctx = ctx
        labels = ctx.tags()
        region = ctx.spec.region
        self.project = ctx.settings.gcp_project
        self._agents: dict[str, pulumi.Output[str]] = {}
        self._key_grants: dict[str, gcp.kms.CryptoKeyIAMMember] = {}
        self._psc_policy: list[pulumi.Resource] | None = None
        if not self.project:
            raise pulumi.RunError("stack config gcp:project: missing (the GCP project to deploy into)")

        self.services = [
            gcp.projects.Service(
                ctx.name("api", api.split(".")[0]),
                project=self.project,
                service=api,
                disable_on_destroy=False,
                opts=ctx.child(self),
            )
            for api in REQUIRED_APIS
        ]
        after_apis = dict(depends_on=self.services)

        # -- keys --------------------------------------------------------------------------------------------
        self.kms_key: gcp.kms.CryptoKey | None = None
        self.key_id: pulumi.Output[str] | None = None
        if ctx.customer_managed_keys:
            key_ring = gcp.kms.KeyRing(
                ctx.name("keyring"),
                name=ctx.name("keyring"),
                project=self.project,
                location=region,
                opts=ctx.stateful(self, **after_apis),
            )
            self.kms_key = gcp.kms.CryptoKey(
                ctx.name("key"),
                name=ctx.name("key"),
                key_ring=key_ring.id,
                purpose="ENCRYPT_DECRYPT",
                rotation_period=KEY_ROTATION_PERIOD,
                labels=labels,
                opts=ctx.stateful(key_ring),
            )
            self.key_id = self.kms_key.id

        # -- storage ---------------------------------------------------------------------------------------------
        bucket_ready = dict(depends_on=[*self.services, *self.key_access("storage")])
        self.log_bucket = self._access_log_bucket(labels, bucket_ready) if ctx.access_logging else None
        self.artifacts_bucket = self._bucket("artifacts", labels, bucket_ready)
        self.data_bucket = self._bucket("data", labels, bucket_ready)

        # -- identities ------------------------------------------------------------------------------------------
        self.workload_account = gcp.serviceaccount.Account(
            ctx.name("workloads"),
            account_id=workload_account_id(ctx.prefix),
            display_name=f"mlplat {ctx.prefix}: training jobs, pipelines and endpoints",
            project=self.project,
            opts=ctx.child(self, **after_apis),
        )
        for purpose, bucket in (("artifacts", self.artifacts_bucket), ("data", self.data_bucket)):
            gcp.storage.BucketIAMMember(
                ctx.name(purpose, "workloads"),
                bucket=bucket.name,
                role="roles/storage.objectUser",
                member=self.workload_account.member,
                opts=ctx.child(bucket),
            )

        # -- network -------------------------------------------------------------------------------------------
        self.network: gcp.compute.Network | None = None
        self.subnetwork: gcp.compute.Subnetwork | None = None
        if ctx.private:
            self._network(region, after_apis)

        self.finish(self.layer_outputs(extras={"project": self.project}))

    # -- BaseLayer (components/contract.py) ----------------------------------------------------------
    @property
    def artifacts_store(self) -> pulumi.Output:
        return self.artifacts_bucket.url

    @property
    def data_store(self) -> pulumi.Output:
        return self.data_bucket.url

    @property
    def encryption_key(self) -> pulumi.Output | None:
        return self.key_id

    @property
    def workload_identity(self) -> pulumi.Output:
        return self.workload_account.email

    @property
    def private_network(self) -> pulumi.Output | None:
        return self.network.id if self.network else None

    def service_agent(self, agent: str) -> pulumi.Output[str]:
        """The IAM member of a Google service agent of the project (see SERVICE_AGENTS), created once."""
        if agent not in self._agents:
            kind, value = SERVICE_AGENTS[agent]
            if kind == "identity":  # agents that exist only once generated for the project
                identity = gcp.projects.ServiceIdentity(
                    self.ctx.name("agent", agent),
                    project=self.project,
                    service=value,
                    opts=self.ctx.child(self, depends_on=self.services),
                )
                self._agents[agent] = identity.member
            elif kind == "storage":
                self._agents[agent] = gcp.storage.get_project_service_account_output(project=self.project).member
            else:
                number = gcp.organizations.get_project_output(project_id=self.project).number
                self._agents[agent] = number.apply(lambda n, v=value: f"serviceAccount:{v.format(number=n)}")
        return self._agents[agent]

    def vertex_psc_policy(self) -> list[pulumi.Resource]:
        """What a Vertex AI Private Service Connect endpoint with PSC automation needs before models are
        deployed onto it: a service connection policy for service class `gcp-vertexai` on the platform
        network, which lets Vertex AI create the endpoint's forwarding rule (an internal IP of the private
        subnet). Created once per platform (one policy per network, region and service class)."""
        if self.network is None:
            raise pulumi.RunError("a Private Service Connect endpoint needs the private network (network.private: true)")
        if self._psc_policy is None:
            api = gcp.projects.Service(
                self.ctx.name("api", "networkconnectivity"),
                project=self.project,
                service="networkconnectivity.googleapis.com",
                disable_on_destroy=False,
                opts=self.ctx.child(self),
            )
            self._psc_policy = [
                api,
                gcp.networkconnectivity.ServiceConnectionPolicy(
                    self.ctx.name("vertex-psc"),
                    name=self.ctx.name("vertex-psc"),
                    project=self.project,
                    location=self.ctx.spec.region,
                    network=self.network.id,
                    service_class=VERTEX_PSC_SERVICE_CLASS,
                    description=f"mlplat {self.ctx.prefix}: Vertex AI endpoints' forwarding rules (PSC automation)",
                    psc_config={"subnetworks": [self.subnetwork.id]},
                    labels=self.ctx.tags(),
                    opts=self.ctx.child(self.network, depends_on=[api]),
                ),
            ]
        return self._psc_policy

    def key_access(self, agent: str) -> list[pulumi.Resource]:
        """Let `agent`'s service agent use the platform key; returns what a resource encrypted with the key
        must depend on ([] without customer-managed keys). One grant per agent, shared by every capability,
        so removing one capability never revokes another's access."""
        if self.kms_key is None:
            return []
        if agent not in self._key_grants:
            self._key_grants[agent] = gcp.kms.CryptoKeyIAMMember(
                self.ctx.name("key", agent),
                crypto_key_id=self.kms_key.id,
                role="roles/cloudkms.cryptoKeyEncrypterDecrypter",
                member=self.service_agent(agent),
                opts=self.ctx.child(self.kms_key),
            )
        return [self._key_grants[agent]]

    def access_logging(self, purpose: str) -> dict | None:
        """The `logging` block of a platform bucket: usage logs to the access-log bucket, one prefix per bucket."""
        if self.log_bucket is None:
            return None
        return {"log_bucket": self.log_bucket.name, "log_object_prefix": purpose}

    def _access_log_bucket(self, labels: dict, after_apis: dict) -> gcp.storage.Bucket:
        """The target of the platform buckets' usage logs. Cloud Storage writes them as the
        cloud-storage-analytics@google.com group, which needs object-create on this bucket only (Cloud Storage
        docs, "Usage logs & storage logs": set up log delivery)."""
        bucket = self._bucket("access-logs", labels, after_apis)
        gcp.storage.BucketIAMMember(
            self.ctx.name("access-logs", "analytics-writer"),
            bucket=bucket.name,
            role="roles/storage.objectCreator",
            member="group:cloud-storage-analytics@google.com",
            opts=self.ctx.child(bucket),
        )
        return bucket

    def _bucket(self, purpose: str, labels: dict, after_apis: dict) -> gcp.storage.Bucket:
        ctx = self.ctx
        return gcp.storage.Bucket(
            ctx.name(purpose),
            project=self.project,
            location=ctx.spec.region.upper(),
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning={"enabled": True},
            encryption={"default_kms_key_name": self.key_id} if self.key_id is not None else None,
            logging=self.access_logging(purpose) if purpose != "access-logs" else None,
            force_destroy=False,
            labels=labels,
            opts=ctx.stateful(self, **after_apis),
        )

    def _network(self, region: str, after_apis: dict) -> None:
        ctx = self.ctx
        network = ipaddress.ip_network(ctx.spec.network.cidr)
        nodes, pods, services = list(network.subnets(new_prefix=network.prefixlen + 2))[:3]
        self.network = gcp.compute.Network(
            ctx.name("vpc"),
            project=self.project,
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            opts=ctx.child(self, **after_apis),
        )
        self.subnetwork = gcp.compute.Subnetwork(
            ctx.name("private"),
            project=self.project,
            region=region,
            network=self.network.id,
            ip_cidr_range=str(nodes),
            private_ip_google_access=True,
            secondary_ip_ranges=[
                {"range_name": "pods", "ip_cidr_range": str(pods)},
                {"range_name": "services", "ip_cidr_range": str(services)},
            ],
            log_config={"aggregation_interval": "INTERVAL_5_MIN", "flow_sampling": 0.5, "metadata": "INCLUDE_ALL_METADATA"},
            opts=ctx.child(self.network),
        )
        deny_ingress_firewall(ctx, "vpc", self.network, self.project)
        # Private services access: the range Vertex AI private endpoints and index endpoints peer into.
        self.private_services_range = gcp.compute.GlobalAddress(
            ctx.name("private-services"),
            project=self.project,
            purpose="VPC_PEERING",
            address_type="INTERNAL",
            prefix_length=20,
            network=self.network.id,
            labels=ctx.tags(),
            opts=ctx.child(self.network),
        )
        self.private_services = gcp.servicenetworking.Connection(
            ctx.name("private-services-peering"),
            network=self.network.id,
            service="servicenetworking.googleapis.com",
            reserved_peering_ranges=[self.private_services_range.name],
            opts=ctx.child(self.network),
        )

