"""GCP GPU shares: on the GKE training cluster, one namespace per use case that declares a GPU share, with a
ResourceQuota capping the GPUs its pods may request, and a Kubernetes service account that Workload
Identity maps to the use case's own service account (granted by the use case's component).

A quota on an extended resource takes the `requests.` prefix only (kubernetes.io/docs/concepts/policy/
resource-quotas, "Resource Quota for Extended Resources": `requests.nvidia.com/gpu`); the API server then
refuses a pod whose GPU requests would take the namespace's total past the quota. Unlike AWS Batch fair
share, this caps: a use case cannot borrow idle GPUs beyond its share.

The objects are created through the Kubernetes provider (pulumi-kubernetes) on the cluster's endpoint,
authenticated by `gke-gcloud-auth-plugin` on the machine that runs `pulumi up` (docs/tenancy.md).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_kubernetes as k8s

from ..context import PlatformContext
from .names import use_case_account_id  # the use case's own service account (its component creates it)
from ..naming import use_case_namespace as namespace_of

GPU_RESOURCE = "requests.nvidia.com/gpu"
SERVICE_ACCOUNT = "training"  # the Kubernetes service account of each use case's namespace
AUTH_PLUGIN = "gke-gcloud-auth-plugin"
AUTH_PLUGIN_HINT = ("Install gke-gcloud-auth-plugin: https://cloud.google.com/kubernetes-engine/docs/how-to/"
                    "cluster-access-for-kubectl#install_plugin")


def kubeconfig(cluster_name, endpoint, ca_certificate) -> str:
    """A kubeconfig for one GKE cluster, authenticated by the GKE auth plugin (no static credentials)."""
    return json.dumps({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster_name, "cluster": {"server": f"https://{endpoint}",
                                                         "certificate-authority-data": ca_certificate}}],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "current-context": cluster_name,
        "users": [{"name": cluster_name, "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": AUTH_PLUGIN,
            "installHint": AUTH_PLUGIN_HINT,
            "provideClusterInfo": True,
        }}}],
    })


def gpu_quotas(parent, ctx: PlatformContext, cluster, project) -> dict[str, str]:
    """Use case -> its namespace, for every use case with a GPU share (nothing without one)."""
    training = ctx.spec.training
    capacity = training.max_nodes * training.gpus_per_node
    shares = [(u.name, u.gpu_share.gpus(capacity)) for u in ctx.spec.use_cases if u.gpu_share]
    if not shares:
        return {}
    if ctx.private:
        pulumi.log.warn(
            "use_cases: the GPU share namespaces are created through the training cluster's control plane, which "
            "a private platform reaches only from the VPC or an authorized network: run `pulumi up` from there",
            parent)
    ca = cluster.master_auth.apply(lambda auth: (auth or {}).get("cluster_ca_certificate") if isinstance(auth, dict)
                                   else getattr(auth, "cluster_ca_certificate", None))
    provider = k8s.Provider(
        ctx.name("training-kubernetes"),
        kubeconfig=pulumi.Output.all(cluster.name, cluster.endpoint, ca).apply(lambda a: kubeconfig(*a)),
        opts=ctx.child(parent, depends_on=[cluster]),
    )
    namespaces = {}
    for use_case, gpus in shares:
        labels = {"use-case": use_case, "managed-by": "mlplat"}
        options = ctx.child(parent, provider=provider)
        namespace = k8s.core.v1.Namespace(
            ctx.name("training", use_case),
            metadata={"name": namespace_of(use_case), "labels": labels},
            opts=options,
        )
        in_namespace = {"namespace": namespace.metadata["name"], "labels": labels}
        k8s.core.v1.ResourceQuota(
            ctx.name("training", use_case, "gpu-quota"),
            metadata={"name": "gpu-share", **in_namespace},
            spec={"hard": {GPU_RESOURCE: str(gpus)}},
            opts=options,
        )
        k8s.core.v1.ServiceAccount(
            ctx.name("training", use_case, "service-account"),
            metadata={"name": SERVICE_ACCOUNT, **in_namespace, "annotations": {
                "iam.gke.io/gcp-service-account": f"{use_case_account_id(use_case)}@{project}.iam.gserviceaccount.com"}},
            opts=options,
        )
        namespaces[use_case] = namespace_of(use_case)
    return namespaces
