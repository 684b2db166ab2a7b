"""AWS (`pulumi_aws`) resource types: one row per type token (see the package docstring for the fields).

Tags: every taggable AWS type takes `tags`. Stateful: holds data or keys (protected in prod).
"""

from __future__ import annotations

from . import FREE, CloudCatalog, DynamicProvider, free, priced, row, unpriced, usage_only
from . import aws_readers as r
from . import rag_readers as rag
from . import use_case_grants as grants
from . import monitoring_rows

T = "tags"
IAM_DOCUMENT = {"iam": r.policy_document}
ATTACHMENT = {"iam": r.policy_attachment}

ROWS = (
    # Shared layer: network, keys, storage
    row("aws:ec2/vpc:Vpc", ("base", "training"), FREE, tags=T),
    row("aws:ec2/subnet:Subnet", ("base", "training"), FREE, tags=T, readers={"public_network": r.subnet_network}),
    row("aws:ec2/routeTable:RouteTable", ("base", "training"), FREE, tags=T),
    row("aws:ec2/routeTableAssociation:RouteTableAssociation", ("base", "training"), FREE),
    row("aws:ec2/route:Route", "base", FREE),
    row("aws:ec2/internetGateway:InternetGateway", "training", FREE, tags=T),
    row("aws:ec2/natGateway:NatGateway", "base", priced("hourly", sku="vpc/nat-gateway", what="gateway"), tags=T),
    row("aws:ec2/vpcEndpoint:VpcEndpoint", ("base", "rag"), priced("vpc_endpoint"), tags=T),
    row("aws:ec2/securityGroup:SecurityGroup", ("base", "training"), FREE, tags=T),
    row("aws:ec2/securityGroupRule:SecurityGroupRule", "base", FREE),
    row("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", ("base", "training"), FREE, tags=T,
        roles={"default-security-group"}),
    row("aws:ec2/flowLog:FlowLog", ("base", "training"),
        usage_only("vended logs to S3 billed per GB delivered (aws.amazon.com/cloudwatch/pricing, 2026-11)"), tags=T,
        roles={"vpc-flow-log"}),
    row("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "base", FREE, tags=T),
    row("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "base", FREE, tags=T),
    row("aws:ec2/launchTemplate:LaunchTemplate", "training", FREE, tags=T),
    row("aws:kms/key:Key", ("base", "monitoring"), priced("monthly", sku="kms/key", what="key"), tags=T, stateful=True,
        readers={"rotation": r.kms_rotation}),
    row("aws:kms/alias:Alias", "base", FREE),
    row("aws:kms/grant:Grant", ("training", "promotion"), FREE),
    row("aws:s3/bucket:Bucket", ("base", "vector_search"), priced("stored_gb", sku="s3/standard-storage"), tags=T,
        stateful=True, roles={"s3-bucket"}, aliases=("aws:s3/bucketV2:BucketV2",),
        readers={"encryption": r.bucket_encryption, "public_access": r.bucket_public_access}),
    row("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        ("base", "vector_search"), FREE, roles={"s3-encryption-config"},
        aliases=("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",)),
    row("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", ("base", "vector_search"), FREE,
        roles={"s3-public-access-block"}),
    row("aws:s3/bucketAclV2:BucketAclV2", "base", FREE, aliases=("aws:s3/bucketAcl:BucketAcl",),
        readers={"public_access": r.bucket_acl}),
    row("aws:s3/bucketPolicy:BucketPolicy", ("base", "vector_search"), FREE, readers=IAM_DOCUMENT),
    row("aws:s3/bucketVersioning:BucketVersioning", ("base", "vector_search"), FREE, roles={"s3-versioning"},
        aliases=("aws:s3/bucketVersioningV2:BucketVersioningV2",)),
    row("aws:s3/bucketOwnershipControls:BucketOwnershipControls", ("base", "vector_search"), FREE),
    row("aws:s3/bucketLogging:BucketLogging", ("base", "vector_search"), FREE, roles={"s3-access-logging"},
        aliases=("aws:s3/bucketLoggingV2:BucketLoggingV2",)),
    row("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", ("base", "vector_search"), FREE,
        roles={"s3-lifecycle"},
        aliases=("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",)),
    row("aws:efs/fileSystem:FileSystem", "training", unpriced("file system storage is not in the usage model"),
        tags=T, stateful=True),
    # Identity
    row("aws:iam/role:Role", ("base", "feature_store", "training", "retraining", "batch_inference", "use_cases", "rag"),
        FREE, tags=T, readers={"iam": r.role_inline_policies}),
    row("aws:iam/rolePolicy:RolePolicy", ("base", "feature_store", "registry", "training", "vector_search", "retraining",
                                            "batch_inference", "use_cases", "rag"), FREE,
        readers={**IAM_DOCUMENT, "use_case_grants": grants.AWS}),
    row("aws:iam/policy:Policy", "base", FREE, tags=T, readers=IAM_DOCUMENT),
    row("aws:iam/userPolicy:UserPolicy", "base", FREE, readers=IAM_DOCUMENT),
    row("aws:iam/groupPolicy:GroupPolicy", "base", FREE, readers=IAM_DOCUMENT),
    row("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "base", FREE, readers=ATTACHMENT),
    row("aws:iam/userPolicyAttachment:UserPolicyAttachment", "base", FREE, readers=ATTACHMENT),
    row("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "base", FREE, readers=ATTACHMENT),
    row("aws:iam/policyAttachment:PolicyAttachment", "base", FREE, readers=ATTACHMENT),
    row("aws:iam/accessKey:AccessKey", "base", FREE, readers={"local_auth": r.access_key}),
    row("aws:iam/instanceProfile:InstanceProfile", "training", FREE, tags=T),
    row("aws:iam/serviceLinkedRole:ServiceLinkedRole", "base", FREE, tags=T),
    # Training
    row("aws:batch/computeEnvironment:ComputeEnvironment", "training", priced("batch_compute"), tags=T,
        roles={"training-capacity"}, readers=r.TRAINING),
    row("aws:batch/jobQueue:JobQueue", "training", FREE, tags=T),
    row("aws:batch/schedulingPolicy:SchedulingPolicy", "training", FREE, tags=T),
    row("aws:batch/jobDefinition:JobDefinition", ("training", "retraining"), FREE, tags=T),
    # The runs' GPU hours are the training capacity's (usage: retraining runs x hours_per_run). Invocations:
    # 14 million free per month, then USD 1.00 per million (aws.amazon.com/eventbridge/pricing, 2026-11).
    row("aws:scheduler/schedule:Schedule", ("retraining", "batch_inference"),
        free("schedule invocations: 14 million per month free (aws.amazon.com/eventbridge/pricing, 2026-11)")),
    # Drift-triggered retraining: rules and targets on the default bus carry no charge for AWS service events
    # (aws.amazon.com/eventbridge/pricing: "no charge for ... events published by AWS services", 2026-11).
    row("aws:cloudwatch/eventRule:EventRule", "retraining", free("AWS service events on the default bus are free"),
        tags=T),
    row("aws:cloudwatch/eventTarget:EventTarget", "retraining", FREE),
    row("aws:cloudwatch/logGroup:LogGroup", ("training", "rag"), usage_only("billed per GB ingested and stored"), tags=T),
    row("aws:sagemaker/domain:Domain", "training", FREE, tags=T),
    row("aws:sagemaker/userProfile:UserProfile", "training", FREE, tags=T),
    # Feature store
    row("aws:sagemaker/featureGroup:FeatureGroup", "feature_store",
        usage_only("billed per read/write request and online GB; not in the usage model"), tags=T, stateful=True,
        readers={"encryption": r.feature_group_encryption}),
    row("aws:glue/catalogDatabase:CatalogDatabase", "feature_store", FREE, tags=T),
    row("aws:glue/catalogTable:CatalogTable", "feature_store", FREE),
    row("aws:athena/workgroup:Workgroup", "feature_store", usage_only("billed per TB scanned by queries"), tags=T),
    row("aws:dynamodb/table:Table", "feature_store", unpriced("table capacity is not in the usage model"), tags=T,
        stateful=True),
    # Registry
    row("aws:ecr/repository:Repository", ("registry", "training"), usage_only("billed per GB of images stored"),
        tags=T, stateful=True, readers={"encryption": r.ecr_encryption}),
    row("aws:ecr/lifecyclePolicy:LifecyclePolicy", ("registry", "training"), FREE),
    row("aws:ecr/repositoryPolicy:RepositoryPolicy", ("base", "promotion"), FREE),
    row("aws:sagemaker/modelPackageGroup:ModelPackageGroup", ("registry", "use_cases"), FREE, tags=T, stateful=True),
    row("aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy", ("registry", "promotion"), FREE),
    # Endpoints
    row("aws:sagemaker/model:Model", "endpoints", FREE, tags=T, readers={"public_network": r.model_network},
        reads=(("registry", "aws:sagemaker/modelPackageGroup:ModelPackageGroup"),)),
    row("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "endpoints",
        priced("sagemaker_endpoint_config"), tags=T,
        readers={"encryption": r.endpoint_config_encryption, "model_variants": r.variants}),
    row("aws:sagemaker/endpoint:Endpoint", "endpoints", FREE, tags=T),
    row("aws:appautoscaling/target:Target", "endpoints", FREE, tags=T,
        readers={"scaled_variant": r.scaled_variant}),
    row("aws:appautoscaling/policy:Policy", "endpoints", FREE),
    row("aws:cloudwatch/metricAlarm:MetricAlarm", ("endpoints", "monitoring"), priced("cloudwatch_alarm"), tags=T,
        roles={"health-alert"}, readers={"alert_targets": monitoring_rows.targets("alarmActions")}),
    # Vector search
    row("aws:opensearch/serverlessCollection:ServerlessCollection", "vector_search",
        priced("opensearch_collection"), tags=T, stateful=True, reads=(("vector_search", "aws:s3/bucket:Bucket"),)),
    row("aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy", "vector_search", FREE,
        readers={"encryption": r.aoss_encryption, "public_network": r.aoss_network}),
    row("aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy", ("vector_search", "rag"), FREE,
        readers={"iam": r.aoss_access_policy}),
    row("aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint", "vector_search",
        priced("hourly_per_subnet", sku="vpc/interface-endpoint-az")),
    # RAG generation (model tokens are priced from the model catalogue: mlplat/finops/tokens.py)
    row("aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase", "rag",
        free("no charge of its own: embedding tokens and the collection are priced"), tags=T,
        readers=rag.KNOWLEDGE_BASE),
    row("aws:bedrock/agentDataSource:AgentDataSource", "rag", free("ingestion is billed as embedding tokens")),
    row("aws:bedrock/guardrail:Guardrail", "rag", usage_only("billed per 1,000 text units evaluated"), tags=T),
    row("aws:bedrock/inferenceProfile:InferenceProfile", "rag",
        free("no charge of its own: the chat tokens it carries are priced"), tags=T),
    row("aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration", "rag",
        free("the log group and bucket it writes to are billed")),
    # Budget
    row("aws:budgets/budget:Budget", ("budget", "use_cases"), free("budgets without actions are free"), tags=T, roles={"budget"},
        readers={"budget_amount": r.budget_amount}),
    row("aws:costexplorer/costAllocationTag:CostAllocationTag", "budget", FREE),
    # Cost Anomaly Detection "is available at no additional cost" (aws.amazon.com/aws-cost-management/
    # aws-cost-anomaly-detection/, read 2026-11-29).
    row("aws:costexplorer/anomalyMonitor:AnomalyMonitor", "use_cases", free("Cost Anomaly Detection is free"), tags=T),
    row("aws:costexplorer/anomalySubscription:AnomalySubscription", "use_cases", free("Cost Anomaly Detection is free"),
        tags=T),
    row("aws:sns/topic:Topic", ("budget", "monitoring"), usage_only("billed per notification"), tags=T,
        readers={"alert_encryption": monitoring_rows.sns_topic_encryption}),
    row("aws:sns/topicSubscription:TopicSubscription", ("budget", "monitoring"), FREE, roles={"alert-subscriber"},
        readers={"subscribers": monitoring_rows.one}),
    *monitoring_rows.AWS,
)

VECTOR_INDEX = DynamicProvider(
    module="components.aws.aoss_index",
    inputs=frozenset({"index_name", "mapping", "region"}),  # the endpoint is unknown until the collection exists
    row=row("pulumi-python:dynamic:Resource#components.aws.aoss_index", "rag",
            free("an index inside the collection (the collection is priced)"), stateful=True),
)

CATALOG = CloudCatalog(cloud="aws", package="aws", sdk="pulumi_aws", rows=ROWS, dynamic=(VECTOR_INDEX,))
