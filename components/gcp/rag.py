"""GCP RAG generation: a Vertex AI RAG Engine corpus backed by the platform's own Vector Search index and
index endpoint, the Gemini and embedding publisher models, and the identities that use them.

- Corpus: `vertex.AiRagCorpus` with `vector_db_config.vertex_vector_search` = the platform index and
  endpoint and the embedding publisher model; CMEK with the platform key (the Vertex RAG service agent is
  granted the key). Created only when the pipeline can fill the index (see components/spec/rag.py: RAG
  Engine embeds at the model's default size).
- Gemini and the embedding model are publisher models of the Vertex AI API (enabled by the base): there is
  nothing to deploy, and nothing to reserve on demand (provisioned throughput is a commitment outside mlplat).
- Service agent `gcp-sa-vertex-rag`: reads the documents bucket (objectViewer on that bucket only) and
  queries/upserts the index (a custom role with exactly those Vertex AI permissions: indexes carry no IAM
  of their own, so it is granted on the project).
- Workloads: a custom role to generate, embed, query the corpus and import documents into it.
- Invocation logging: Cloud Audit Logs Data Access (DATA_READ, DATA_WRITE) for aiplatform.googleapis.com, so
  every model call (generateContent, embeddings) and RAG Engine read/import is logged. The audit config is
  authoritative per service and project: `mlplat:vertexDataAccessLogging` is `manage` (the default: one
  project per stack) or `shared` (another stack or the organisation's tooling owns it); it is retained on
  delete so that destroying one stack never turns logging off for another (docs/rag.md).
- Content filtering: Gemini applies safety filters per request (`safety_settings`); there is no resource,
  so the stack outputs the thresholds applications send (docs/rag.md). Model endpoints are Google APIs,
  reached privately through Private Google Access on the platform subnet when private.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from ..catalog.models import model_for, vertex_location
from ..contract import RagComponent
from ..outputs import RagOutputs, pick
from ..spec.rag import RagSpec
from ..context import PlatformContext, config_choice

RAG_AGENT_PERMISSIONS = (
    "aiplatform.indexes.get",
    "aiplatform.indexes.update",
    "aiplatform.indexEndpoints.get",
    "aiplatform.indexEndpoints.queryVectors",
    "aiplatform.endpoints.predict",  # the embedding publisher model
)
WORKLOAD_RAG_PERMISSIONS = (
    "aiplatform.endpoints.predict",  # generateContent (Gemini) and embeddings
    "aiplatform.ragCorpora.get",
    "aiplatform.ragCorpora.list",
    "aiplatform.ragCorpora.query",  # retrieveContexts / retrieval tool
    "aiplatform.ragFiles.get",
    "aiplatform.ragFiles.list",
    "aiplatform.ragFiles.import",  # load documents from the documents bucket
    "aiplatform.operations.get",
)
# Cloud Audit Logs Data Access of Vertex AI: DATA_READ records model calls and RAG retrievals, DATA_WRITE
# document imports (ADMIN_READ is not needed: admin activity is always logged).
AUDITED_SERVICE = "aiplatform.googleapis.com"
AUDITED_LOG_TYPES = ("DATA_READ", "DATA_WRITE")
DATA_ACCESS_LOGGING_KEY = "vertexDataAccessLogging"
DATA_ACCESS_LOGGING_MODES = ("manage", "shared")
DATA_ACCESS_LOG = "cloudaudit.googleapis.com%2Fdata_access"
SAFETY_THRESHOLD = "BLOCK_MEDIUM_AND_ABOVE"
SAFETY_CATEGORIES = (
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_DANGEROUS_CONTENT",
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
)


class RagGeneration(RagComponent):
    CLOUD = "gcp"
    COMPONENT = "RagGeneration"

    def __init__(self, name: str, ctx: PlatformContext, base, rag: RagSpec, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, opts)
        self.ctx = ctx
        vectors = ctx.built["vector_search"]["vectors"]
        project, region = base.project, ctx.spec.region
        chat, embedding = model_for("gcp", rag.chat_model), model_for("gcp", rag.embedding_model)
        agent = base.service_agent("vertexrag")

        agent_role = self._role(ctx, base, "rag-agent", "Vertex RAG service agent: the platform index",
                                RAG_AGENT_PERMISSIONS, agent)
        gcp.storage.BucketIAMMember(
            ctx.name("documents", "rag-agent"),
            bucket=pick(vectors, "documents_bucket"),
            role="roles/storage.objectViewer",
            member=agent,
            opts=ctx.child(self),
        )
        workload_role = self._role(ctx, base, "rag-workloads", "workloads: generate, retrieve, load documents",
                                   WORKLOAD_RAG_PERMISSIONS, base.workload_account.member)
        self.corpus = None
        if rag.managed_pipeline:
            encryption = {"kms_key_name": base.key_id} if base.key_id is not None else None
            # The endpoint once the index is deployed on it (`index_name` is the deployed index's output):
            # RAG Engine refuses an index endpoint without the deployed index.
            deployed_endpoint = pulumi.Output.all(pick(vectors, "index_endpoint_id"), vectors["index_name"]).apply(
                lambda ids: ids[0])
            self.corpus = gcp.vertex.AiRagCorpus(
                ctx.name("rag-corpus"),
                display_name=ctx.name("rag-corpus"),
                description=f"mlplat {ctx.prefix}: documents bucket -> {embedding.model_id} -> the platform index",
                project=project,
                region=region,
                vector_db_config={
                    "vertex_vector_search": {"index": pick(vectors, "index_id"), "index_endpoint": deployed_endpoint},
                    "rag_embedding_model_config": {
                        "vertex_prediction_endpoint": {
                            "endpoint": f"projects/{project}/locations/{region}/{embedding.model_id}"
                        }
                    },
                },
                encryption_spec=encryption,
                opts=ctx.stateful(self, depends_on=[agent_role, *base.key_access("vertexrag")]),
            )
        self.finish(
            RagOutputs(
                # Current Gemini models are served through the global endpoint (the catalogue row's location);
                # the corpus and the embedding model stay in the stack's region.
                chat_model=f"projects/{project}/locations/{vertex_location(chat, region)}/{chat.model_id}",
                embedding_model=f"projects/{project}/locations/{region}/{embedding.model_id}",
                retrieval=self.corpus.name if self.corpus else None,
                documents_uri=vectors["documents_uri"],
                content_filter={category: SAFETY_THRESHOLD for category in SAFETY_CATEGORIES}
                if rag.content_filter else None,
                invocation_logging=self._data_access_logging(ctx, base),
                extras={
                    "index_endpoint_id": pick(vectors, "index_endpoint_id"),
                    "deployed_index_id": vectors["index_name"],
                    "workload_role": workload_role.role,
                    "request_labels": ctx.tags(use_case=rag.use_case or ctx.spec.vector_search.use_case),
                },
            )
        )

    def _data_access_logging(self, ctx, base) -> str:
        """Vertex AI Data Access audit logs on (see the module doc); the log name model calls are written to."""
        if config_choice(DATA_ACCESS_LOGGING_KEY, DATA_ACCESS_LOGGING_MODES, "manage") == "manage":
            gcp.projects.IAMAuditConfig(
                ctx.name("vertex-data-access-logs"),
                project=base.project,
                service=AUDITED_SERVICE,
                audit_log_configs=[{"log_type": log_type} for log_type in AUDITED_LOG_TYPES],
                opts=ctx.child(self, depends_on=list(base.services), retain_on_delete=True),
            )
        return f"projects/{base.project}/logs/{DATA_ACCESS_LOG}"

    def _role(self, ctx, base, purpose: str, what: str, permissions, member) -> gcp.projects.IAMMember:
        role = gcp.projects.IAMCustomRole(
            ctx.name(purpose, "role"),
            project=base.project,
            role_id=ctx.name(purpose).replace("-", "_"),
            title=f"mlplat {ctx.prefix} {what}"[:100],
            description=f"mlplat {ctx.prefix}: {what}",
            permissions=list(permissions),
            stage="GA",
            opts=ctx.child(self, depends_on=list(base.services)),
        )
        return gcp.projects.IAMMember(
            ctx.name(purpose),
            project=base.project,
            role=role.name,
            member=member,
            opts=ctx.child(role),
        )
