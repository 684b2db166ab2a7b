"""AWS RAG generation: a Bedrock knowledge base over the platform's own vector collection and documents
bucket, with its scoped role, a guardrail, an application inference profile per use case and (opt-in,
one per account and region) model invocation logging.

Vector store: the OpenSearch Serverless collection the vector search capability already runs (the spec's
index, its dimensions and metric, its encryption and network policies), not S3 Vectors: pulumi_aws has no
S3 Vectors bucket or index resource, so that path would need a dynamic provider for the store itself, and
the platform would pay for two vector stores. The k-NN index inside the collection is data plane (no
pulumi_aws resource); Bedrock refuses a knowledge base over a missing index, so `aoss_index.VectorIndex`
(a dynamic provider) creates it first, and the collection's data access policy admits the knowledge base
role and the deploying identity.

Invocation logging (`bedrockmodel.InvocationLoggingConfiguration`) is one setting per account and region:
two stacks managing it would overwrite each other. Stack config `mlplat:bedrockInvocationLogging` is
`manage` by default (ONE stack per account and region, like the cost allocation tags) and `shared` on the
others, which output the shared log group name they rely on (docs/rag.md; the
policy pack's `bedrockInvocationLoggingShared` setting tells the logging policy the same).

Chat model outside the Regions that serve it in-region: the application inference profile copies the
geographic system-defined profile (`arn:aws:bedrock:<region>:<account>:inference-profile/eu.<model id>`;
botocore's CreateInferenceProfile takes either ARN as `modelSource.copyFrom`), and the knowledge base role
may invoke the profiles and the foundation model in every destination Region of the geography, as Bedrock
requires for cross-Region inference (docs/rag.md, "Outside us-east-1").
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ..catalog.models import Serving, model_for, serving
from ..contract import RagComponent
from ..outputs import RagOutputs, pick
from ..spec.rag import RagSpec
from ..context import PlatformContext
from . import audit, iam
from .aoss_index import VectorIndex
from .names import aoss_name
from .vector_search import INDEX_NAME, VECTOR_FIELD, index_mapping

TEXT_FIELD = "text"
METADATA_FIELD = "bedrock_metadata"  # Bedrock writes its own metadata as one text field
LOG_RETENTION_DAYS = 365
GUARDRAIL_FILTERS = ("SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT", "PROMPT_ATTACK")
# VPC interface endpoints that keep model and retrieval calls inside the platform VPC.
PRIVATE_SERVICES = ("bedrock-runtime", "bedrock-agent-runtime")


def foundation_model_arn(region: str, model_id: str) -> str:
    return f"arn:aws:bedrock:{region}::foundation-model/{model_id}"


def system_profile_arn(region: str, account, profile_id: str) -> pulumi.Output[str]:
    return pulumi.Output.concat("arn:aws:bedrock:", region, ":", account, ":inference-profile/", profile_id)


def rag_index_mapping(dimensions: int, metric: str) -> str:
    mapping = index_mapping(dimensions, metric)
    mapping["mappings"]["properties"][METADATA_FIELD] = {"type": "text", "index": False}
    return json.dumps(mapping, sort_keys=True)


class RagGeneration(RagComponent):
    CLOUD = "aws"
    COMPONENT = "RagGeneration"

    def __init__(self, name: str, ctx: PlatformContext, base, rag: RagSpec, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, opts)
        self.ctx = ctx
        vectors = ctx.built["vector_search"]["vectors"]
        region = ctx.spec.region
        tags = ctx.tags(use_case=rag.use_case or ctx.spec.vector_search.use_case)
        chat, embedding = model_for("aws", rag.chat_model), model_for("aws", rag.embedding_model)
        embedding_arn = foundation_model_arn(region, embedding.model_id)
        # What the application inference profile copies: the in-region model, or the geographic profile.
        route = serving("aws", rag.chat_model, region)
        chat_arn = (foundation_model_arn(region, chat.model_id) if route.geo is None else
                    system_profile_arn(region, aws.get_caller_identity_output().account_id, route.model_id))
        deployer = aws.get_caller_identity_output().arn

        self.private_endpoints = (
            [base.interface_endpoint(service, tags, self) for service in PRIVATE_SERVICES] if ctx.private else [])
        self.role = self._bedrock_role(
            "knowledge-base", "access", "Bedrock knowledge base (embedding model, collection, documents)", tags,
            [
                {"Effect": "Allow", "Action": ["bedrock:InvokeModel"], "Resource": [embedding_arn]},
                {"Effect": "Allow", "Action": ["aoss:APIAccessAll"], "Resource": [pick(vectors, "collection_arn")]},
                *iam.bucket_statements([pick(vectors, "documents_bucket_arn")], write=False),
                *_decrypt_statements(base.key_arn),
            ],
        )
        self.access_policy = aws.opensearch.ServerlessAccessPolicy(
            ctx.name("rag-vectors-access"),
            name=aoss_name(ctx.prefix, "rag-access"),
            type="data",
            description=f"mlplat {ctx.prefix}: the knowledge base role and the deployer manage the RAG index",
            # Both standby modes' collection names, as the vector search policies: unchanged when the mode changes.
            policy=pulumi.Output.all(self.role.arn, deployer).apply(
                lambda args: json.dumps([_index_access_rule(
                    [aoss_name(ctx.prefix, "vectors"), aoss_name(ctx.prefix, "vectors-nostandby")], list(args))])
            ),
            opts=ctx.child(self),
        )
        self.index = VectorIndex(
            ctx.name("rag-index"),
            endpoint=vectors["endpoint"],
            index_name=INDEX_NAME,
            mapping=rag_index_mapping(ctx.spec.vector_search.dimensions, ctx.spec.vector_search.metric),
            region=region,
            opts=ctx.stateful(self, depends_on=[self.access_policy]),
        )
        self.knowledge_base = None
        if rag.managed_pipeline:
            self._knowledge_base(ctx, base, vectors, embedding_arn, tags)
        self.guardrail = self._guardrail(ctx, base, tags) if rag.content_filter else None
        self.inference_profile = aws.bedrock.InferenceProfile(
            ctx.name("chat-profile"),
            name=ctx.name("chat"),
            description=f"mlplat {ctx.prefix}: {rag.chat_model} ({chat.model_id}), tagged for token cost",
            model_source={"copy_from": chat_arn},
            tags=tags,
            opts=ctx.child(self),
        )
        if route.geo is not None:
            self._cross_region_generation(chat.model_id, route, chat_arn)
        logging = self._invocation_logging(ctx, base, tags)
        self.finish(
            RagOutputs(
                chat_model=self.inference_profile.arn,
                embedding_model=embedding.model_id,
                retrieval=self.knowledge_base.id if self.knowledge_base else None,
                documents_uri=vectors["documents_uri"],
                content_filter=self.guardrail.guardrail_id if self.guardrail else None,
                invocation_logging=logging,
                extras={
                    "chat_model_id": chat.model_id,
                    "data_source_id": self.data_source.data_source_id if self.knowledge_base else None,
                    "guardrail_version": "DRAFT" if self.guardrail else None,
                    "index_name": INDEX_NAME,
                    "private_endpoints": list(PRIVATE_SERVICES) if ctx.private else [],
                },
            )
        )

    def _cross_region_generation(self, model_id: str, route: Serving, system_profile) -> None:
        """Generation through a geographic profile: Bedrock checks the caller may invoke the application
        profile, the system-defined profile and the foundation model in whichever destination Region serves
        the request, so the grant names every destination of the geography."""
        ctx = self.ctx
        resources = [self.inference_profile.arn, system_profile,
                     *(foundation_model_arn(region, model_id) for region in route.destinations)]
        aws.iam.RolePolicy(
            ctx.name("knowledge-base", "generation"),
            role=self.role.id,
            policy=iam.policy_document([{
                "Effect": "Allow",
                "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                "Resource": resources,
            }]),
            opts=ctx.child(self.role),
        )

    def _knowledge_base(self, ctx, base, vectors, embedding_arn: str, tags: dict) -> None:
        self.knowledge_base = aws.bedrock.AgentKnowledgeBase(
            ctx.name("knowledge-base"),
            name=ctx.name("knowledge-base"),
            description=f"mlplat {ctx.prefix}: documents bucket -> embeddings -> the platform's vector collection",
            role_arn=self.role.arn,
            knowledge_base_configuration={
                "type": "VECTOR",
                "vector_knowledge_base_configuration": {
                    "embedding_model_arn": embedding_arn,
                    "embedding_model_configuration": {
                        "bedrock_embedding_model_configuration": {
                            "dimensions": ctx.spec.vector_search.dimensions,
                            "embedding_data_type": "FLOAT32",
                        }
                    },
                },
            },
            storage_configuration={
                "type": "OPENSEARCH_SERVERLESS",
                "opensearch_serverless_configuration": {
                    "collection_arn": pick(vectors, "collection_arn"),
                    "vector_index_name": INDEX_NAME,
                    "field_mapping": {
                        "vector_field": VECTOR_FIELD,
                        "text_field": TEXT_FIELD,
                        "metadata_field": METADATA_FIELD,
                    },
                },
            },
            tags=tags,
            opts=ctx.child(self, depends_on=[self.index]),
        )
        encryption = {"kms_key_arn": base.key_arn} if base.key_arn is not None else None
        self.data_source = aws.bedrock.AgentDataSource(
            ctx.name("documents-source"),
            name=ctx.name("documents"),
            knowledge_base_id=self.knowledge_base.id,
            data_deletion_policy="RETAIN",
            data_source_configuration={
                "type": "S3",
                "s3_configuration": {"bucket_arn": pick(vectors, "documents_bucket_arn")},
            },
            server_side_encryption_configuration=encryption,
            opts=ctx.child(self.knowledge_base),
        )

    def _guardrail(self, ctx, base, tags: dict) -> aws.bedrock.Guardrail:
        return aws.bedrock.Guardrail(
            ctx.name("guardrail"),
            name=ctx.name("guardrail"),
            description=f"mlplat {ctx.prefix}: content filters on prompts and answers",
            blocked_input_messaging="This request was blocked by the content policy.",
            blocked_outputs_messaging="The answer was blocked by the content policy.",
            content_policy_config={
                "filters_configs": [
                    {"type": kind, "input_strength": "HIGH", "output_strength": "NONE" if kind == "PROMPT_ATTACK" else "HIGH"}
                    for kind in GUARDRAIL_FILTERS
                ]
            },
            kms_key_arn=base.key_arn,
            tags=tags,
            opts=ctx.child(self),
        )

    def _invocation_logging(self, ctx, base, tags: dict):
        """Model invocation logging to an encrypted log group and the artifacts bucket; see the module doc."""
        log_group_name = audit.bedrock_invocation_log_group(ctx.spec.region)
        if not audit.manages_bedrock_invocation_logging(ctx):
            return log_group_name
        log_group = aws.cloudwatch.LogGroup(
            ctx.name("bedrock-invocations"),
            name=log_group_name,
            retention_in_days=LOG_RETENTION_DAYS,
            kms_key_id=base.key_arn,
            tags=tags,
            # Retained, not protected: other stacks of the account log here, and destroying this one must
            # not turn their logging off.
            opts=ctx.child(self, retain_on_delete=True),
        )
        role = self._bedrock_role(
            "bedrock-logging", "write", "Bedrock writes model invocation logs", tags,
            [{
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [pulumi.Output.concat(log_group.arn, ":*")],
            }],
        )
        aws.bedrockmodel.InvocationLoggingConfiguration(
            ctx.name("bedrock-invocation-logging"),
            logging_config={
                "cloudwatch_config": {"log_group_name": log_group.name, "role_arn": role.arn},
                "s3_config": {"bucket_name": base.artifacts_bucket.bucket, "key_prefix": "bedrock-invocations"},
                "text_data_delivery_enabled": True,
                "embedding_data_delivery_enabled": False,
                "image_data_delivery_enabled": False,
                "video_data_delivery_enabled": False,
            },
            opts=ctx.child(self, retain_on_delete=True),
        )
        return log_group.name

    def _bedrock_role(self, purpose: str, policy: str, what: str, tags: dict, statements: list[dict]) -> aws.iam.Role:
        """A role only Bedrock, acting for this account, may assume, with exactly `statements`."""
        ctx = self.ctx
        role = aws.iam.Role(
            ctx.name(purpose, "role"),
            description=f"mlplat {ctx.prefix}: {what}",
            assume_role_policy=_bedrock_trust(aws.get_caller_identity_output().account_id),
            tags=tags,
            opts=ctx.child(self),
        )
        aws.iam.RolePolicy(
            ctx.name(purpose, policy),
            role=role.id,
            policy=iam.policy_document(statements),
            opts=ctx.child(role),
        )
        return role


def _bedrock_trust(account) -> pulumi.Output[str]:
    """Bedrock may assume the role only for this account's resources (confused-deputy guard)."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "bedrock.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            }],
        }
    )


def _decrypt_statements(key_arn) -> list[dict]:
    if key_arn is None:
        return []
    return [{"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], "Resource": [key_arn]}]


def _index_access_rule(collections: list[str], principals: list[str]) -> dict:
    return {
        "Rules": [
            {"ResourceType": "collection", "Resource": [f"collection/{c}" for c in collections],
             "Permission": ["aoss:DescribeCollectionItems"]},
            {"ResourceType": "index", "Resource": [f"index/{c}/{INDEX_NAME}" for c in collections],
             "Permission": ["aoss:CreateIndex", "aoss:DeleteIndex", "aoss:DescribeIndex", "aoss:UpdateIndex",
                            "aoss:ReadDocument", "aoss:WriteDocument"]},
        ],
        "Principal": principals,
    }
