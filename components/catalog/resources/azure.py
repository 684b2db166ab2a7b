"""Azure (`pulumi_azure_native`) resource types: one row per type token (see the package docstring).

Tags: every taggable Azure type takes `tags`. Aliases: older module spellings of the same type.
"""

from __future__ import annotations

from . import FREE, CloudCatalog, DynamicProvider, free, priced, row, unpriced, usage_only
from . import azure_readers as r
from . import rag_readers as rag
from . import use_case_grants as grants
from . import monitoring_rows

T = "tags"
AML = "azure-native:machinelearningservices"

ROWS = (
    # Shared layer
    row("azure-native:resources:ResourceGroup", "base", FREE, tags=T),
    row("azure-native:managedidentity:UserAssignedIdentity", ("base", "use_cases"), FREE, tags=T),
    row("azure-native:authorization:RoleAssignment", ("base", "feature_store", "registry", "vector_search", "use_cases",
                                                        "batch_inference", "promotion", "rag", "retraining"), FREE,
        readers={"iam": r.role_assignment, "use_case_grants": grants.AZURE}),
    row("azure-native:authorization:RoleDefinition", ("base", "use_cases", "retraining"), FREE,
        readers={"iam": r.role_definition}),
    row("azure-native:keyvault:Vault", "base", free("no charge of its own"), tags=T, stateful=True),
    row("azure-native:keyvault:Key", "base", priced("key_vault_key"), tags=T, stateful=True,
        readers={"rotation": r.key_rotation}),
    row("azure-native:storage:StorageAccount", "base", priced("storage_account"), tags=T, stateful=True,
        readers=r.STORAGE_ACCOUNT),
    row("azure-native:storage:BlobContainer", ("base", "vector_search"), FREE),
    row("azure-native:network:VirtualNetwork", "base", FREE, tags=T),
    row("azure-native:network:Subnet", "base", FREE),
    row("azure-native:network:NetworkSecurityGroup", "base", FREE, tags=T),
    row("azure-native:network:PrivateEndpoint", ("base", "feature_store", "registry", "rag"),
        priced("hourly", sku="network/private-endpoint", what="endpoint"), tags=T),
    row("azure-native:network:PrivateDnsZoneGroup", ("base", "feature_store", "registry", "rag"), FREE),
    row("azure-native:privatedns:PrivateZone", "base", priced("monthly", sku="network/private-dns-zone", what="zone"),
        tags=T, aliases=("azure-native:network:PrivateZone",)),
    row("azure-native:privatedns:VirtualNetworkLink", "base", FREE, tags=T,
        aliases=("azure-native:network:VirtualNetworkLink",)),
    row("azure-native:operationalinsights:Workspace", "base", usage_only("billed per GB ingested"), tags=T,
        readers={"public_network": r.monitor_network}),
    row("azure-native:applicationinsights:Component", "base", usage_only("billed per GB ingested (workspace-based)"),
        tags=T, aliases=("azure-native:insights:Component",), readers={"public_network": r.monitor_network}),
    # The private link scope and its scoped resources have no charge of their own (the scope's private
    # endpoint is priced as every private endpoint).
    row("azure-native:monitor:PrivateLinkScope", "base", FREE, tags=T, aliases=("azure-native:insights:PrivateLinkScope",)),
    row("azure-native:monitor:PrivateLinkScopedResource", "base", FREE,
        aliases=("azure-native:insights:PrivateLinkScopedResource",)),
    # Azure ML workspace, training, registry
    row(f"{AML}:Workspace", ("base", "feature_store"), FREE, tags=T, stateful=True, readers=r.WORKSPACE),
    row(f"{AML}:WorkspaceConnection", "feature_store", FREE),
    row(f"{AML}:Datastore", ("training", "batch_inference"), FREE),
    row(f"{AML}:Compute", ("training", "use_cases"), priced("aml_compute"), tags=T, roles={"training-capacity"}, readers=r.COMPUTE),
    # A registry has no charge of its own; it creates a Premium container registry and a storage account
    # (learn.microsoft.com "Manage Azure Machine Learning registries": "you pay for the storage and
    # Azure Container Registry the registry creates"): the ACR is priced, its storage from usage.
    row(f"{AML}:Registry", ("registry", "promotion"), priced("monthly", sku="acr/Premium", what="system-created ACR"),
        tags=T, stateful=True),
    row(f"{AML}:RegistryModelContainer", "registry", FREE),
    row(f"{AML}:ModelContainer", ("endpoints", "registry", "use_cases"), FREE, aliases=(f"{AML}:ModelContainerEntity",)),
    row(f"{AML}:ModelVersion", "endpoints", FREE),
    row(f"{AML}:EnvironmentContainer", ("endpoints", "retraining", "batch_inference"), FREE),
    row(f"{AML}:EnvironmentVersion", ("endpoints", "retraining", "batch_inference"), FREE),
    # Schedule: one row with monitoring's (monitoring_rows.py), which prices monitor runs only.
    # Batch endpoints and deployments have no charge of their own: their jobs run on the AmlCompute
    # cluster (learn.microsoft.com "Batch endpoints": "you only pay for the compute the jobs use"),
    # priced from usage: (batch_inference runs x hours_per_run x instance_count).
    row(f"{AML}:BatchEndpoint", "batch_inference", free("billed as the compute its jobs run on"), tags=T),
    row(f"{AML}:BatchDeployment", "batch_inference", free("billed as the compute its jobs run on"), tags=T),
    # Feature store
    row(f"{AML}:FeaturesetContainerEntity", "feature_store", FREE, aliases=(f"{AML}:FeaturesetContainer",)),
    row(f"{AML}:FeaturesetVersion", "feature_store", FREE),
    row(f"{AML}:FeaturestoreEntityContainerEntity", "feature_store", FREE,
        aliases=(f"{AML}:FeaturestoreEntityContainer",)),
    row(f"{AML}:FeaturestoreEntityVersion", "feature_store", FREE),
    row("azure-native:redis:Redis", "feature_store", priced("redis"), tags=T, aliases=("azure-native:cache:Redis",)),
    row("azure-native:redis:AccessPolicyAssignment", "feature_store", FREE,
        aliases=("azure-native:cache:AccessPolicyAssignment",)),
    row("azure-native:cosmosdb:DatabaseAccount", "feature_store",
        unpriced("Cosmos DB throughput is not in the usage model"), tags=T, stateful=True,
        aliases=("azure-native:documentdb:DatabaseAccount",)),
    # Endpoints
    row(f"{AML}:OnlineEndpoint", "endpoints", FREE, tags=T, readers=r.ONLINE_ENDPOINT),
    row(f"{AML}:OnlineDeployment", "endpoints", priced("online_deployment"), tags=T, roles={"online-deployment"},
        readers={"traffic_endpoint": r.deployment_endpoint},
        reads=(("registry", "azure-native:containerregistry:Registry"),)),
    row("azure-native:monitor:AutoscaleSetting", "endpoints", FREE, tags=T, roles={"autoscale-setting"},
        aliases=("azure-native:insights:AutoscaleSetting",)),
    # Registry
    row("azure-native:containerregistry:Registry", ("base", "registry"), priced("container_registry"), tags=T,
        stateful=True, readers=r.CONTAINER_REGISTRY),
    # Vector search
    row("azure-native:search:Service", "vector_search", priced("search_service"), tags=T, stateful=True,
        readers=r.SEARCH, reads=(("vector_search", "azure-native:storage:BlobContainer"),)),
    # Budget
    row("azure-native:consumption:Budget", ("budget", "use_cases"), FREE, roles={"budget"},
        readers={"budget_amount": r.budget_amount}, aliases=("azure-native:consumption:BudgetByResourceGroupName",)),
    row("azure-native:costmanagement:Budget", "budget", FREE, roles={"budget"}),
    *monitoring_rows.AZURE,
    # RAG generation (model tokens are priced from the model catalogue: mlplat/finops/tokens.py)
    row("azure-native:cognitiveservices:Account", "rag",
        free("no charge of its own: the deployments' tokens are priced"), tags=T, stateful=True,
        readers=rag.OPENAI_ACCOUNT),
    row("azure-native:cognitiveservices:Deployment", "rag",
        free("Standard deployments bill tokens only (priced from the model catalogue)"), tags=T,
        readers=rag.OPENAI_DEPLOYMENT),
    row("azure-native:cognitiveservices:RaiPolicy", "rag", FREE, tags=T),
    row("azure-native:monitor:DiagnosticSetting", ("rag", "retraining"),
        usage_only("Log Analytics ingestion, billed per GB")),
    # Drift-triggered retraining (components/azure/retraining_drift.py). Prices read 2026-11: Event Grid system
    # topics bill per operation beyond 100,000 a month free (azure.microsoft.com/pricing/details/event-grid);
    # Consumption Logic Apps bill per action and trigger execution (azure.microsoft.com/pricing/details/logic-apps):
    # a few executions per drift breach, no standing charge.
    row("azure-native:eventgrid:SystemTopic", "retraining",
        usage_only("per operation beyond 100,000 a month free (azure.microsoft.com/pricing/details/event-grid)"),
        tags=T),
    row("azure-native:eventgrid:SystemTopicEventSubscription", "retraining",
        free("billed as the system topic's operations")),
    row("azure-native:logic:Workflow", "retraining",
        usage_only("Consumption plan: per trigger and action execution, no standing charge "
                   "(azure.microsoft.com/pricing/details/logic-apps)"), tags=T),
)

# mlplat's dynamic provider setting an online endpoint's traffic split once its deployments exist.
TRAFFIC_SETTER = DynamicProvider(
    module="components.azure.traffic_setter",
    inputs=frozenset({"endpoint", "traffic", "workspace", "resource_group", "subscription_id"}),
    row=row("pulumi-python:dynamic:Resource#components.azure.traffic_setter", "endpoints",
            free("sets an Azure ML endpoint's traffic split (the deployments are priced)"),
            readers={"traffic_setter": r.traffic_setter}),
)

CATALOG = CloudCatalog(cloud="azure", package="azure-native", sdk="pulumi_azure_native", rows=ROWS,
                       dynamic=(TRAFFIC_SETTER,), default_readers={"local_auth": r.any_local_auth})
