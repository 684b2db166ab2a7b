"""The typed outputs of every capability: what `pulumi stack output <capability>` shows, with the same
top-level keys on every cloud.

Each capability has one dataclass. Its fields mean the same thing on AWS, Azure and GCP (values are in
the cloud's own notation: an S3 URI, an `azureml://` path, a `gs://` URL); what exists on one cloud only
goes in `extras`, a dict documented by the component that fills it. A component builds its outputs as
`self.finish(EndpointOutputs(...))`; `to_dict()` is the JSON-able dict the stack exports. Every field
carries its documentation (`doc`), from which docs/outputs.md is written (`reference_markdown`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


def _doc(text: str, default: Any = ..., default_factory: Any = None) -> Any:
    if default_factory is not None:
        return field(default_factory=default_factory, metadata={"doc": text})
    if default is ...:
        return field(metadata={"doc": text})
    return field(default=default, metadata={"doc": text})


@dataclass(kw_only=True)
class CapabilityOutputs:
    """Common to every capability's outputs: the cloud-specific extras."""

    extras: dict = _doc("What this cloud exports besides the common keys (see the cloud's component docstring).",
                        default=None)

    @classmethod
    def from_dict(cls, values: dict) -> "CapabilityOutputs":
        """The common keys from `values`; every other key goes to `extras`."""
        names = {item.name for item in fields(cls)} - {"extras"}
        return cls(**{k: v for k, v in values.items() if k in names},
                   extras={k: v for k, v in values.items() if k not in names})

    def to_dict(self) -> dict:
        """The exported dict: the common keys, then `extras` (an empty dict when a cloud has none).
        Shallow on purpose: values are provider outputs, which must not be copied."""
        values = {item.name: getattr(self, item.name) for item in fields(self) if item.name != "extras"}
        values["extras"] = dict(self.extras or {})
        return values


@dataclass(kw_only=True)
class BaseOutputs(CapabilityOutputs):
    """The base layer (stack output `base`): the `BaseLayer` properties."""

    artifacts_store: Any = _doc("Where models, checkpoints and endpoint logs go: S3 bucket name, blob container "
                                "name (in `extras.storage_account`), gs:// URL.")
    data_store: Any = _doc("Where training and feature data go (same notation as `artifacts_store`).")
    encryption_key: Any = _doc("The platform's customer-managed key: KMS key ARN, Key Vault key URI, Cloud KMS "
                               "key id; null without a customer-managed key.")
    workload_identity: Any = _doc("What the platform's workloads run as: IAM role ARN, user-assigned identity "
                                  "client id, service account e-mail.")
    private_network: Any = _doc("The private network's id (VPC, VNet, VPC network); null when not private.")


@dataclass(kw_only=True)
class TrainingOutputs(CapabilityOutputs):
    """Spot GPU training (stack output `training.<name>`)."""

    submit_to: Any = _doc("Where jobs are submitted: AWS Batch job queue ARN, Azure ML compute cluster name, GKE "
                          "cluster name.")
    checkpoint_uri: Any = _doc("Where jobs write checkpoints (s3://, azureml://, gs://).")
    instance_type: str = _doc("The GPU machine of one node (EC2 instance type, Azure VM size, GCE machine type).")
    gpus_per_node: int = _doc("GPUs on one node.")
    max_nodes: int = _doc("Most nodes the cluster scales to (from zero).")
    spot: bool = _doc("Whether nodes are spot / preemptible capacity.")

    @classmethod
    def of(cls, training, shape, *, submit_to, checkpoint_uri, extras: dict) -> "TrainingOutputs":
        """From the spec's training item and its catalogue GPU shape (`components/catalog/gpus.py`)."""
        return cls(
            submit_to=submit_to,
            checkpoint_uri=checkpoint_uri,
            instance_type=shape.instance_type,
            gpus_per_node=shape.gpus,
            max_nodes=training.max_nodes,
            spot=training.spot,
            extras=extras,
        )


@dataclass(kw_only=True)
class FeatureStoreOutputs(CapabilityOutputs):
    """Feature groups (stack output `feature_store.<name>`)."""

    online: bool = _doc("Whether an online store serves the groups.")
    offline_store: Any = _doc("Where offline features are kept: s3:// prefix, abfss:// folder, BigQuery "
                              "`project.dataset`.")
    online_store: Any = _doc("The online store: the SageMaker Feature Store online store, the Redis host, the "
                             "Vertex AI online store name; null when not online.")
    feature_groups: dict = _doc("Spec group name -> the cloud's name of that group (SageMaker feature group, "
                                "Azure feature set, Vertex AI feature group); details in `extras.feature_groups`.")


@dataclass(kw_only=True)
class RegistryOutputs(CapabilityOutputs):
    """Model registry and serving image repository (stack output `registry.<name>`)."""

    model_registry: Any = _doc("Where model versions are registered: SageMaker model package group name, Azure "
                               "ML workspace name, Vertex AI `projects/<p>/locations/<r>/models`.")
    image_repository_url: Any = _doc("Where serving images are pushed: ECR repository URL, ACR login server, "
                                     "Artifact Registry `<region>-docker.pkg.dev/<project>/<repo>`.")
    approval_required: bool = _doc("Whether a version must be approved before it may serve.")
    default_approval_status: str = _doc("The status a newly registered version gets: `pending` or `approved` "
                                        "(on AWS the ModelApprovalStatus value to pass when registering).")


@dataclass(kw_only=True)
class EndpointOutputs(CapabilityOutputs):
    """One inference endpoint (stack output `endpoints.<name>`)."""

    endpoint_name: Any = _doc("The endpoint's name (SageMaker endpoint, Azure ML online endpoint, Vertex AI "
                              "endpoint resource name).")
    url: Any = _doc("Where to send prediction requests.")
    invoke_auth: str = _doc("How a caller is authorised to invoke the endpoint.")
    traffic: dict = _doc("Version (`stable`, `canary`) -> percent of requests.")
    images: dict = _doc("Version -> serving image.")
    mode: str = _doc("How the endpoint is hosted (serverless / instances, managed online, public / private).")
    min_replicas: int = _doc("Fewest replicas per version the spec asks for (0 with scale to zero).")
    max_replicas: int = _doc("Most replicas per version (on AWS serverless: concurrency, see `extras.scaling`).")
    capture: Any = _doc("Where request/response capture goes; null when logging is off.")
    scale_to_zero: bool = _doc("Whether the endpoint scales to zero when idle.")
    scale_to_zero_gap: Any = _doc("Why it does not scale to zero, when it does not; null otherwise.")


@dataclass(kw_only=True)
class VectorSearchOutputs(CapabilityOutputs):
    """A vector index service (stack output `vector_search.<name>`)."""

    service: str = _doc("The service: `opensearch-serverless`, `azure-ai-search`, `vertex-ai-vector-search`.")
    endpoint: Any = _doc("The host queries go to; on GCP the public endpoint domain, null when private (reached "
                         "through the index endpoint in `extras`).")
    index_name: str = _doc("The index queries name (on GCP the deployed index id).")
    documents_uri: Any = _doc("Where source documents are stored (s3://, https:// blob container, gs://).")
    dimensions: int = _doc("Vector dimensions.")
    metric: str = _doc("Similarity metric of the spec (`cosine`, `dot_product`, `euclidean`).")
    public_network_access: bool = _doc("Whether the service is reachable from the internet.")


@dataclass(kw_only=True)
class RagOutputs(CapabilityOutputs):
    """RAG generation over the platform's vector search (stack output `rag.rag`)."""

    chat_model: Any = _doc("What an application passes as the chat model: Bedrock application inference profile "
                           "ARN, Azure OpenAI deployment name, Vertex AI publisher model path.")
    embedding_model: Any = _doc("The embedding model: Bedrock model id, Azure OpenAI deployment name, Vertex AI "
                                "publisher model path.")
    retrieval: Any = _doc("The managed retrieval pipeline: Bedrock knowledge base id, AI Search indexer name, RAG "
                          "Engine corpus name; null without `managed_pipeline`.")
    documents_uri: Any = _doc("Where documents to retrieve from are loaded (the vector search documents store).")
    content_filter: Any = _doc("The content filter: Bedrock guardrail id, Azure OpenAI RAI policy name, the Gemini "
                               "safety settings to send (category -> threshold); null when off.")
    invocation_logging: Any = _doc("Where model calls are logged: CloudWatch log group name, Log Analytics "
                                   "workspace name, the Cloud Audit Logs data access log.")


@dataclass(kw_only=True)
class BudgetOutputs(CapabilityOutputs):
    """The monthly budget (stack output `budget.<name>`)."""

    budget_name: Any = _doc("The budget's name.")
    monthly_usd: float = _doc("The monthly amount in USD.")


@dataclass(kw_only=True)
class EndpointMonitoringOutputs:
    """What watches one monitored endpoint (the values of `MonitoringOutputs.endpoints`)."""

    monitor: Any = _doc("The drift monitor: SageMaker monitoring schedule name, Azure ML schedule name, Vertex AI "
                        "model deployment monitoring job; null without a baseline.", default=None)
    drift_alerts: list = _doc("What fires on drift: CloudWatch alarm ARNs, the Azure ML schedule's signal ids, the "
                              "Vertex AI monitoring job (which alerts the channels itself).", default_factory=list)
    health_alerts: list = _doc("Error-rate, latency and at-max alerts: CloudWatch alarm ARNs, Azure Monitor metric "
                               "alert ids, Cloud Monitoring alert policy names.", default_factory=list)
    baseline: Any = _doc("Where the baseline statistics or data are read from; null without a drift monitor.",
                         default=None)
    reports: Any = _doc("Where drift reports are written (s3:// prefix, the workspace's monitoring page, BigQuery "
                        "tables); null without a drift monitor.", default=None)
    drift_events: Any = _doc("Where drift alerts reach machines when a retraining triggers on them: the Pub/Sub "
                             "topic of the drift notification channel (GCP); null on AWS (rules match the "
                             "`drift_alerts` alarms on the default EventBridge bus) and without a trigger.",
                             default=None)
    gaps: list = _doc("What the cloud cannot watch on this endpoint, in words.", default_factory=list)

    def to_dict(self) -> dict:
        return {item.name: getattr(self, item.name) for item in fields(self)}


@dataclass(kw_only=True)
class MonitoringOutputs(CapabilityOutputs):
    """Drift monitors, health alerts and the dashboard (stack output `monitoring.monitoring`)."""

    notify: list = _doc("Where alerts are sent: the SNS topic ARN, the action group id, the notification channel "
                        "names.")
    dashboard_url: Any = _doc("The console URL of the platform's dashboard (CloudWatch, Azure workbook, Cloud "
                              "Monitoring).")
    endpoints: dict = _doc("Endpoint name -> what watches it: `" + "`, `".join(
        item.name for item in fields(EndpointMonitoringOutputs)) + "` (`EndpointMonitoringOutputs`).")


@dataclass(kw_only=True)
class RetrainingOutputs(CapabilityOutputs):
    """One retraining job (stack output `retraining.<name>`)."""

    submit_to: Any = _doc("Where its runs go: the AWS Batch job queue ARN (the SageMaker pipeline ARN when the "
                          "retraining names a `pipeline`), the Azure ML compute cluster name; null on GCP, where each "
                          "run is a Vertex AI custom job (`extras.custom_job`).", default=None)
    schedule: Any = _doc("The schedule that starts it (EventBridge Scheduler, Azure ML schedule, Cloud Scheduler "
                         "job); null without a `schedule`.", default=None)
    drift_trigger: Any = _doc("What starts it when its endpoint's drift monitor alerts: the EventBridge rule ARN, "
                              "the Event Grid subscription (to a Logic App, `extras.drift_workflow`), the Eventarc "
                              "trigger; null without `on_drift`.", default=None)


@dataclass(kw_only=True)
class BatchInferenceOutputs(CapabilityOutputs):
    """One scheduled batch scoring job (stack output `batch_inference.<name>`)."""

    schedule: Any = _doc("The schedule that starts each run.", default=None)
    input_uri: Any = _doc("What each run scores (a location in the platform's data store).", default=None)
    output_uri: Any = _doc("Where each run writes its predictions.", default=None)


@dataclass(kw_only=True)
class PromotionOutputs(CapabilityOutputs):
    """Read grants for the next environment's stack (stack output `promotion.<name>`)."""

    to: Any = _doc("The environment the models are promoted to.", default=None)
    principal: Any = _doc("The next environment's account, subscription or project granted read access.",
                          default=None)
    image_repository_url: Any = _doc("The serving image repository it may pull from.", default=None)


@dataclass(kw_only=True)
class UseCaseOutputs(CapabilityOutputs):
    """One use case, a customer of the platform (stack output `use_cases.<name>`)."""

    identity: Any = _doc("What the use case's workloads run as: IAM role ARN, user-assigned identity client id, "
                         "service account e-mail.")
    data_prefix: Any = _doc("Its own prefix in the data store (s3://, abfss://, gs://); the identity may "
                            "read and write only there.")
    artifacts_prefix: Any = _doc("Its own prefix in the artifacts store (same notation as `data_prefix`).")
    model_group: Any = _doc("Where its models are registered: SageMaker model package group name, Azure ML model "
                            "container name, its `models/` prefix in the artifacts bucket on GCP; null without a "
                            "registry.", default=None)
    budget: Any = _doc("The name of its budget (filtered on its `use-case` tag or label); null without one.",
                       default=None)
    gpu_share: Any = _doc("What enforces its GPU share: the AWS Batch fair-share identifier, its own Azure ML "
                          "compute cluster name, its GKE namespace; null without a share.", default=None)


def output_keys(outputs_class: type[CapabilityOutputs]) -> list[str]:
    """The top-level keys a capability exports on every cloud, in export order."""
    return [item.name for item in fields(outputs_class) if item.name != "extras"] + ["extras"]


def reference_markdown(capabilities) -> str:
    """The output reference tables of docs/outputs.md, one per capability (`Capability` rows whose
    contract names its `OUTPUTS` class), from the field docs."""
    parts = []
    for capability in capabilities:
        key, cls = capability.key, capability.contract.OUTPUTS
        parts.append(f"### `{key}`: `{cls.__name__}`\n\n{cls.__doc__}\n\n| key | meaning |\n|---|---|")
        by_name = {item.name: item for item in fields(cls)}
        for name in output_keys(cls):
            parts.append(f"| `{name}` | {by_name[name].metadata['doc']} |")
        parts.append("")
    return "\n".join(parts)


def pick(outputs: dict, key: str):
    """`key` of a built capability's exported outputs, wherever the typed outputs put it: a common key at
    the top, a cloud-specific one under `extras` (for capabilities that read another's outputs)."""
    if key in outputs:
        return outputs[key]
    return outputs["extras"][key]
