"""GCP training cluster: a GKE Standard cluster (private nodes when private, workload identity) with a
spot GPU node pool that autoscales from 0 to `max_nodes`, GPU drivers installed by GKE, a taint so only
GPU jobs land there, a small CPU system pool, and a least-privilege node service account. Jobs run as
the platform's workload service account and checkpoint to the encrypted artifacts bucket.

Why GKE and not Vertex AI custom jobs: see docs/training.md ("GCP: GKE rather than Vertex AI").

Sections (the same order in aws/training.py and azure/training.py):
  shape -> checkpoint storage -> network -> identities -> compute -> job submission -> outputs
"""

from __future__ import annotations

import ipaddress

import pulumi
import pulumi_gcp as gcp

from ..catalog import regions as region_catalog
from ..catalog.gpus import gpu_classes, offered, shape_for
from ..contract import TrainingComponent
from ..context import PlatformContext
from ..spec.training import TrainingSpec
from .base import Base, deny_ingress_firewall
from .gpu_shares import gpu_quotas
from .names import cluster_name, node_account_id
from ..outputs import TrainingOutputs

CHECKPOINT_PREFIX = "checkpoints"
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}
GPU_DRIVER_VERSION = "LATEST"  # GKE installs the driver matching the node image; no DaemonSet to manage
NODE_ROLES = ("roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/artifactregistry.reader")
SYSTEM_MACHINE_TYPE = "e2-standard-2"  # kube-system, GPU device plugin, GCS FUSE: the smallest that fits
BOOT_DISK_GIB = 200  # CUDA images are large
# Where training pods run: the Kubernetes service account bound to the platform's workload account.
JOB_NAMESPACE = "training"
JOB_SERVICE_ACCOUNT = "training"

# The zones of each region that offer each catalog accelerator: a regional node pool without
# node_locations spreads over every zone of the region and fails where a zone lacks the accelerator.
# The data (and its sources) is the region catalogue's `gpus` section (components/catalog/regions/gcp.yaml);
# a class missing from a region's row is not offered there (empty tuple). Zones change: extend or correct
# it with `gcloud compute accelerator-types list --filter="zone~^<region>- AND name=<accelerator>"`.
def _zone_table() -> dict[str, dict[str, tuple[str, ...]]]:
    classes = [gpu for gpu in gpu_classes() if offered("gcp", gpu)]
    accelerator = {gpu: shape_for("gcp", gpu, offered("gcp", gpu)[0]).accelerator for gpu in classes}
    return {
        r.id: {accelerator[gpu]: (r.zones(gpu) or ()) if gpu in r.gpus else ()
               for gpu in classes if gpu not in r.gpus_unknown}  # unknown: no data, not "not offered"
        for r in region_catalog.regions("gcp") if r.gpus is not None
    }


GPU_ZONES: dict[str, dict[str, tuple[str, ...]]] = _zone_table()


def gpu_zones(region: str, accelerator: str, gpu: str) -> tuple[list[str] | None, str | None]:
    """(zones of `region` offering `accelerator`, None) from GPU_ZONES, or (None, why not) when the table
    says the region lacks it or has no data for it. Rejecting such a spec belongs to spec validation
    (the lead's side); here the pool then stays regional (every zone, as GKE defaults) with a warning."""
    known = GPU_ZONES.get(region, {})
    if accelerator not in known:
        return None, (
            f"training.gpu: the zones of {region} offering {gpu} ({accelerator}) are not in mlplat's zone table "
            f"(components/catalog/regions/gcp.yaml, gpus); the GPU node pool spans every zone of the region and GKE "
            f"rejects it if a zone lacks the accelerator. Add the zones from `gcloud compute accelerator-types "
            f"list --filter=\"zone~^{region}- AND name={accelerator}\"`"
        )
    if not known[accelerator]:
        elsewhere = [r for r, table in GPU_ZONES.items() if table.get(accelerator)]
        return None, (
            f"training.gpu: {gpu} ({accelerator}) is not offered in any zone of {region} "
            f"(regions known to offer it: {', '.join(elsewhere) or 'none in the table'}); GKE will reject the GPU node pool"
        )
    return list(known[accelerator]), None


class TrainingCluster(TrainingComponent):
    CLOUD = "gcp"
    COMPONENT = "TrainingCluster"

    def __init__(
        self,
        name: str,
        ctx: PlatformContext,
        base: Base,
        training: TrainingSpec,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(name, opts)
        self.ctx = ctx
        labels = ctx.tags(use_case=training.use_case)
        project = base.project
        region = ctx.spec.region
        after_apis = dict(depends_on=base.services)

        # -- shape (from the GPU catalog) -------------------------------------------------------------
        shape = shape_for("gcp", training.gpu, training.gpus_per_node)
        zones, zone_gap = gpu_zones(region, shape.accelerator, training.gpu)
        if zone_gap:
            pulumi.log.warn(zone_gap)

        # -- checkpoint storage: a prefix of the platform's encrypted artifacts bucket -----------------
        checkpoint_uri = pulumi.Output.concat("gs://", base.artifacts_bucket.name, f"/{CHECKPOINT_PREFIX}/")

        # -- network ------------------------------------------------------------------------------------
        if ctx.private:
            network, subnetwork = base.network, base.subnetwork
        else:
            network, subnetwork = self._public_network(project, region, after_apis)

        node_security = self._node_identity(ctx, base, after_apis)

        self._cluster(ctx, base, training, shape, network, subnetwork, node_security, labels)

        self._node_pools(ctx, base, training, shape, zones, node_security, labels)

        # Use cases with a GPU share get a namespace of their own with a GPU quota (gpu_shares.py).
        self.share_namespaces = gpu_quotas(self, ctx, self.cluster, project)

        # -- job submission: pods in `training` as KSA `training` act as the platform workload account ---
        gcp.serviceaccount.IAMMember(
            ctx.name("training-workload-identity"),
            service_account_id=base.workload_account.name,
            role="roles/iam.workloadIdentityUser",
            member=f"serviceAccount:{project}.svc.id.goog[{JOB_NAMESPACE}/{JOB_SERVICE_ACCOUNT}]",
            opts=ctx.child(self, depends_on=[self.cluster]),  # the identity pool exists once the cluster does
        )

        # -- outputs: what a user needs to submit a job ----------------------------------------------------
        self.finish(
            TrainingOutputs.of(
                training,
                shape,
                submit_to=self.cluster.name,
                checkpoint_uri=checkpoint_uri,
                extras={
                    "cluster_location": region,
                    "node_pool": self.gpu_pool.name,
                    "get_credentials": pulumi.Output.concat(
                        "gcloud container clusters get-credentials ", self.cluster.name,
                        f" --region {region} --project {project}",
                    ),
                    "kubernetes_namespace": JOB_NAMESPACE,
                    "kubernetes_service_account": JOB_SERVICE_ACCOUNT,
                    "workload_service_account": base.workload_account.email,
                    "accelerator": shape.accelerator,
                    "gpu_zones": zones,
                    "gpu_zones_gap": zone_gap,
                },
            )
        )

    def _public_network(self, project: str, region: str, after_apis: dict):
        """Non-private platforms: a network of the cluster's own (nodes with public IPs, no inbound
        firewall rule besides GKE's own). The `default` network is not relied on: organisations often
        disable it and its firewall rules are unknown."""
        ctx = self.ctx
        network_range = ipaddress.ip_network(ctx.spec.network.cidr)
        nodes, pods, services = list(network_range.subnets(new_prefix=network_range.prefixlen + 2))[:3]
        network = gcp.compute.Network(
            ctx.name("training-vpc"),
            project=project,
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            opts=ctx.child(self, **after_apis),
        )
        subnetwork = gcp.compute.Subnetwork(
            ctx.name("training-nodes-subnet"),
            project=project,
            region=region,
            network=network.id,
            ip_cidr_range=str(nodes),
            private_ip_google_access=True,
            secondary_ip_ranges=[
                {"range_name": "pods", "ip_cidr_range": str(pods)},
                {"range_name": "services", "ip_cidr_range": str(services)},
            ],
            opts=ctx.child(network),
        )
        deny_ingress_firewall(ctx, "training-vpc", network, project)
        return network, subnetwork

    def _node_identity(self, ctx: PlatformContext, base: Base, after_apis: dict) -> dict:
        """Nodes run as their own account with the three roles a node needs (never the Compute Engine default
        account, which holds Editor); jobs act as the platform's workload account through workload identity.
        Returns the node security settings every pool shares."""
        project = base.project
        self.node_account = gcp.serviceaccount.Account(
            ctx.name("training-nodes"),
            account_id=node_account_id(ctx.prefix),
            display_name=f"mlplat {ctx.prefix}: GKE training nodes (logs, metrics, image pulls)",
            project=project,
            opts=ctx.child(self, **after_apis),
        )
        for role in NODE_ROLES:
            gcp.projects.IAMMember(
                ctx.name("training-nodes", role.split("/")[1].replace(".", "-").lower()),
                project=project,
                role=role,
                member=self.node_account.member,
                opts=ctx.child(self.node_account),
            )
        node_security = {
            "service_account": self.node_account.email,
            "oauth_scopes": ["https://www.googleapis.com/auth/cloud-platform"],  # IAM roles are the limit
            "workload_metadata_config": {"mode": "GKE_METADATA"},  # pods never see the node's identity
            "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
        }
        return node_security

    def _cluster(self, ctx: PlatformContext, base: Base, training: TrainingSpec, shape, network, subnetwork, node_security: dict,
                 labels: dict) -> None:
        """The regional GKE Standard cluster (Dataplane V2, workload identity, shielded nodes, etcd encrypted with
        the platform key), private nodes on a private platform; its default pool is removed."""
        project, region = base.project, ctx.spec.region
        # The platform key encrypts the node boot disks (Compute Engine agent) and etcd secrets (GKE agent).
        encryption_grants = [*base.key_access("compute"), *base.key_access("container")]
        private = {}
        if ctx.private:
            private = {
                "private_cluster_config": {"enable_private_nodes": True, "enable_private_endpoint": False},
                # Control plane: reachable from inside the VPC only until an operator adds a CIDR here.
                "master_authorized_networks_config": {"cidr_blocks": [], "gcp_public_cidrs_access_enabled": False},
            }
        self.cluster = gcp.container.Cluster(
            ctx.name("training-gke"),
            name=cluster_name(ctx.prefix),
            project=project,
            location=region,  # regional control plane; node pools spread over the region's zones
            description=f"mlplat {ctx.prefix}: GPU training ({shape.describe()}, up to {training.max_nodes} nodes)",
            network=network.id,
            subnetwork=subnetwork.id,
            networking_mode="VPC_NATIVE",
            # GKE Dataplane V2 enforces Kubernetes network policies itself (no Calico add-on: the
            # `network_policy` add-on stays off, as the provider requires with ADVANCED_DATAPATH);
            # intranode visibility puts pod-to-pod traffic on one node through the VPC (flow logs, firewall).
            datapath_provider="ADVANCED_DATAPATH",
            network_policy={"enabled": False},
            enable_intranode_visibility=True,
            ip_allocation_policy={"cluster_secondary_range_name": "pods", "services_secondary_range_name": "services"},
            remove_default_node_pool=True,
            initial_node_count=1,
            node_config=node_security,  # the short-lived default pool must not run as the default account
            workload_identity_config={"workload_pool": f"{project}.svc.id.goog"},
            release_channel={"channel": "STABLE" if ctx.protect else "REGULAR"},
            enable_shielded_nodes=True,
            # GKE's default since 1.12, declared: no client certificate (IAM and workload identity only).
            master_auth={"client_certificate_config": {"issue_client_certificate": False}},
            # Remove idle nodes sooner than the balanced profile: GPUs are billed per second.
            # GKE Standard requires `enabled` (node auto-provisioning): off, the node pools below are the
            # only capacity; the profile still applies to their autoscaling.
            cluster_autoscaling={"enabled": False, "autoscaling_profile": "OPTIMIZE_UTILIZATION"},
            cost_management_config={"enabled": True},  # GKE cost allocation by namespace and label
            addons_config={"gcs_fuse_csi_driver_config": {"enabled": True}},  # mount checkpoints from GCS
            database_encryption=(
                {"state": "ENCRYPTED", "key_name": base.key_id} if base.kms_key is not None else None
            ),
            resource_labels=labels,
            deletion_protection=ctx.protect,
            **private,
            opts=ctx.child(self, depends_on=[*base.services, *encryption_grants]),
        )

    def _node_pools(self, ctx: PlatformContext, base: Base, training: TrainingSpec, shape, zones, node_security: dict,
                    labels: dict) -> None:
        """The system pool (control pods) and the GPU pool (tainted, scales from zero, in `zones`)."""
        project, region = base.project, ctx.spec.region
        self.system_pool = gcp.container.NodePool(
            ctx.name("training-system-pool"),
            name="system",
            project=project,
            location=region,
            cluster=self.cluster.name,
            initial_node_count=1,
            autoscaling={"total_min_node_count": 1, "total_max_node_count": 3, "location_policy": "BALANCED"},
            management={"auto_repair": True, "auto_upgrade": True},
            node_config={
                **node_security,
                "machine_type": SYSTEM_MACHINE_TYPE,
                "spot": not ctx.protect,  # dev: spot; prod: the control pods stay put
                "disk_type": "pd-balanced",
                "disk_size_gb": 50,
                "boot_disk_kms_key": base.key_id,
                "labels": {"mlplat/pool": "system"},
                "resource_labels": labels,
            },
            opts=ctx.child(self.cluster),
        )
        self.gpu_pool = gcp.container.NodePool(
            ctx.name("training-gpu-pool"),
            name="gpu",
            project=project,
            location=region,
            cluster=self.cluster.name,
            initial_node_count=0,
            node_locations=zones,  # only the zones that have the accelerator (None: every zone, see gpu_zones)
            autoscaling={
                "total_min_node_count": 0,
                "total_max_node_count": training.max_nodes,
                "location_policy": "ANY",  # spot: take capacity in whichever zone has it
            },
            management={"auto_repair": True, "auto_upgrade": True},
            # Upgrades replace nodes in place: no surge GPU node billed while upgrading.
            upgrade_settings={"max_surge": 0, "max_unavailable": 1},
            node_config={
                **node_security,
                "machine_type": shape.instance_type,
                "spot": training.spot,
                "guest_accelerators": [
                    {
                        "type": shape.accelerator,
                        "count": shape.gpus,
                        "gpu_driver_installation_config": {"gpu_driver_version": GPU_DRIVER_VERSION},
                    }
                ],
                "taints": [GPU_TAINT],
                "disk_type": "pd-ssd",
                "disk_size_gb": BOOT_DISK_GIB,
                "boot_disk_kms_key": base.key_id,
                "labels": {"mlplat/pool": "gpu"},
                "resource_labels": labels,
            },
            opts=ctx.child(self.cluster),
        )
