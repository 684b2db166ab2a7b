"""Naming rules and count limits the clouds enforce, per provider type token, with the source of each.

`pulumi up` fails (or, worse, a later update does) when a physical name breaks these rules, while the
offline plan cannot notice on its own: the table lets tests walk every physical name of every plan,
and lets the spec refuse counts a cloud will not accept before anything is planned.

Sources: AWS rules come from the botocore service models installed with this project (authoritative:
the same shapes the API validates against; `botocore/data/<service>/.../service-2.json`, shape named in
`source`); Azure and GCP rules from the services' own documentation, cited by URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AZURE_NAME_RULES = "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules"


@dataclass(frozen=True)
class NamingRule:
    """The rule for the physical name a resource of `type_token` takes from its input `field`."""

    type_token: str
    field: str  # the input, a dotted path into it where the name is nested (Kubernetes `metadata.name`)
    min_length: int
    max_length: int
    pattern: str  # a regular expression the whole name must match
    characters: str  # the pattern in words, for messages and docs
    scope: str  # where the name must be unique
    source: str

    def problem(self, name: str) -> str | None:
        """Why `name` breaks this rule, or None."""
        if not self.min_length <= len(name) <= self.max_length:
            return f"{name!r} is {len(name)} characters; {self.type_token} names are {self.min_length}-{self.max_length}"
        if not re.fullmatch(self.pattern, name):
            return f"{name!r}: {self.type_token} names are {self.characters}"
        return None


def _rule(type_token, field, length, pattern, characters, scope, source) -> NamingRule:
    return NamingRule(type_token, field, length[0], length[1], pattern, characters, scope, source)


_ALNUM_HYPHEN = "letters, digits and hyphens, starting with a letter and ending with a letter or digit"
_SM = "botocore sagemaker service model"
_AML_ASSET = ("letters, digits, hyphens and underscores, starting with a letter or digit",
              "azure-rest-api-specs machinelearningservices swagger, asset name path pattern "
              "^[a-zA-Z0-9][a-zA-Z0-9\\-_]{0,254}$")
_OSS = "botocore opensearchserverless service model"
_WORD_HYPHEN = "letters, digits, hyphens and underscores"
_BEDROCK_NAME = "letters and digits, each optionally followed by one hyphen or underscore"
_COGNITIVE = "azure-rest-api-specs cognitiveservices swagger (Azure/bicep-types-az microsoft.cognitiveservices types)"

NAMING_RULES: tuple[NamingRule, ...] = (
    # -- AWS --------------------------------------------------------------------------------------------
    _rule("aws:sagemaker/endpoint:Endpoint", "name", (1, 63), r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
          "letters, digits and hyphens, not starting or ending with a hyphen", "account and region",
          f"{_SM}, shape EndpointName"),
    _rule("aws:sagemaker/featureGroup:FeatureGroup", "featureGroupName", (1, 64),
          r"[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}", "letters, digits, hyphens and underscores, starting and "
          "ending with a letter or digit", "account and region", f"{_SM}, shape FeatureGroupName"),
    _rule("aws:sagemaker/modelPackageGroup:ModelPackageGroup", "modelPackageGroupName", (1, 63),
          r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", "letters, digits and hyphens, not starting or ending with a "
          "hyphen", "account and region", f"{_SM}, shape EntityName"),
    _rule("aws:athena/workgroup:Workgroup", "name", (1, 128), r"[a-zA-Z0-9._-]{1,128}",
          "letters, digits, dots, hyphens and underscores", "account and region",
          "botocore athena service model, shape WorkGroupName"),
    _rule("aws:budgets/budget:Budget", "name", (1, 100), r"[^:\\]+", "any characters but ':' and '\\'",
          "account", "botocore budgets service model, shape BudgetName"),
    _rule("aws:ecr/repository:Repository", "name", (2, 256),
          r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*",
          "lowercase letters and digits, separated by . _ - or /", "account and region",
          "botocore ecr service model, shape RepositoryName"),
    _rule("aws:opensearch/serverlessCollection:ServerlessCollection", "name", (3, 32), r"[a-z][a-z0-9-]+",
          "lowercase letters, digits and hyphens, starting with a letter", "account and region",
          f"{_OSS}, shape CollectionName (3-64 there; CreateCollection documents 3-32)"),
    _rule("aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy", "name", (3, 32), r"[a-z][a-z0-9-]+",
          "lowercase letters, digits and hyphens, starting with a letter", "account, region and policy type",
          f"{_OSS}, shape PolicyName"),
    _rule("aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy", "name", (3, 32), r"[a-z][a-z0-9-]+",
          "lowercase letters, digits and hyphens, starting with a letter", "account, region and policy type",
          f"{_OSS}, shape PolicyName"),
    _rule("aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint", "name", (3, 32), r"[a-z][a-z0-9-]+",
          "lowercase letters, digits and hyphens, starting with a letter", "account and region",
          f"{_OSS}, shape VpcEndpointName"),
    _rule("aws:cloudwatch/logGroup:LogGroup", "name", (1, 512), r"[.\-_/#A-Za-z0-9]+",
          "letters, digits and . - _ / #", "account and region", "botocore logs service model, shape LogGroupName"),
    _rule("aws:kms/alias:Alias", "name", (1, 256), r"alias/[a-zA-Z0-9:/_-]+",
          "'alias/' then letters, digits and : / _ -", "account and region",
          "botocore kms service model, shape AliasNameType"),
    _rule("aws:batch/jobQueue:JobQueue", "name", (1, 128), r"[A-Za-z0-9_-]+",
          "letters, digits, hyphens and underscores", "account and region",
          "botocore batch service model, CreateJobQueue jobQueueName"),
    _rule("aws:batch/jobDefinition:JobDefinition", "name", (1, 128), r"[A-Za-z0-9_-]+",
          "letters, digits, hyphens and underscores", "account and region",
          "botocore batch service model, RegisterJobDefinition jobDefinitionName"),
    _rule("aws:glue/catalogDatabase:CatalogDatabase", "name", (1, 255), r"[a-z0-9_]+",
          "lowercase letters, digits and underscores (what Athena can query)", "account and region",
          "botocore glue service model, shape NameString; Athena: "
          "https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html"),
    _rule("aws:s3/bucket:Bucket", "bucket", (3, 63), r"[a-z0-9][a-z0-9.-]*[a-z0-9]",
          "lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit", "global",
          "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"),
    _rule("aws:iam/role:Role", "name", (1, 64), r"[\w+=,.@-]+", "letters, digits and + = , . @ _ -", "account",
          "botocore iam service model, shape roleNameType"),
    _rule("aws:cloudwatch/metricAlarm:MetricAlarm", "name", (1, 255), r".+", "any characters", "account and region",
          "botocore cloudwatch service model, shape AlarmName (1-255, no pattern)"),
    _rule("aws:cloudwatch/dashboard:Dashboard", "dashboardName", (1, 255), r"[A-Za-z0-9_-]+", _WORD_HYPHEN, "account",
          "botocore cloudwatch service model, PutDashboard DashboardName documentation"),
    _rule("aws:sns/topic:Topic", "name", (1, 256), r"[A-Za-z0-9_-]+", "letters, digits, hyphens and underscores "
          "(standard topics; FIFO topics end in .fifo)", "account and region",
          "botocore sns service model, CreateTopic Name documentation"),
    _rule("aws:scheduler/schedule:Schedule", "name", (1, 64), r"[0-9a-zA-Z_.-]+",
          "letters, digits, dots, hyphens and underscores", "schedule group",
          "botocore scheduler service model, shape Name"),
    *(_rule(f"aws:sagemaker/{module}:{kind}", "name", (1, 63), r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
            "letters, digits and hyphens, not starting or ending with a hyphen", "account and region",
            f"{_SM}, shape {shape}")
      for module, kind, shape in (
          ("dataQualityJobDefinition", "DataQualityJobDefinition", "MonitoringJobDefinitionName"),
          ("monitoringSchedule", "MonitoringSchedule", "MonitoringScheduleName"))),
    *(_rule(token, "name", (1, 200), r"([0-9a-zA-Z][_-]?){1,100}", _BEDROCK_NAME, scope,
            f"botocore bedrock-agent service model, shape Name ({operation})")
      for token, scope, operation in (
          ("aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase", "account and region", "CreateKnowledgeBase"),
          ("aws:bedrock/agentDataSource:AgentDataSource", "knowledge base", "CreateDataSource"))),
    _rule("aws:bedrock/guardrail:Guardrail", "name", (1, 50), r"[0-9a-zA-Z_-]+", _WORD_HYPHEN, "account and region",
          "botocore bedrock service model, shape GuardrailName"),
    _rule("aws:bedrock/inferenceProfile:InferenceProfile", "name", (1, 64), r"([0-9a-zA-Z][ _-]?)+",
          "letters and digits, each optionally followed by one space, hyphen or underscore", "account and region",
          "botocore bedrock service model, shape InferenceProfileName"),
    _rule("aws:batch/schedulingPolicy:SchedulingPolicy", "name", (1, 128), r"[A-Za-z0-9_-]+", _WORD_HYPHEN,
          "account and region",
          "botocore batch service model, CreateSchedulingPolicy name documentation"),
    *(_rule(f"aws:costexplorer/{module}:{kind}", "name", (1, 1024), r"[\S\s]+", "any characters",
            "account", f"botocore ce service model, {member} (shape GenericString, 0-1024)")
      for module, kind, member in (("anomalyMonitor", "AnomalyMonitor", "AnomalyMonitor.MonitorName"),
                                   ("anomalySubscription", "AnomalySubscription",
                                    "AnomalySubscription.SubscriptionName"))),
    # -- Azure --------------------------------------------------------------------------------------------
    # AmlCompute clusters: 2-16 (3-24 is for compute instances); the service's own message, quoted in
    # MicrosoftLearning/DP100#50 and hashicorp/terraform-provider-azurerm#14817.
    _rule("azure-native:machinelearningservices:Compute", "computeName", (2, 16),
          r"[a-zA-Z]([a-zA-Z0-9-]*[a-zA-Z0-9])?", _ALNUM_HYPHEN, "workspace",
          "Azure ML error text quoted in hashicorp/terraform-provider-azurerm#14817"),
    _rule("azure-native:storage:StorageAccount", "accountName", (3, 24), r"[a-z0-9]+",
          "lowercase letters and digits", "global", AZURE_NAME_RULES + "#microsoftstorage"),
    _rule("azure-native:containerregistry:Registry", "registryName", (5, 50), r"[a-zA-Z0-9]+",
          "letters and digits", "global", AZURE_NAME_RULES + "#microsoftcontainerregistry"),
    _rule("azure-native:keyvault:Vault", "vaultName", (3, 24), r"[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]",
          _ALNUM_HYPHEN + ", no consecutive hyphens", "global", AZURE_NAME_RULES + "#microsoftkeyvault"),
    _rule("azure-native:keyvault:Key", "keyName", (1, 127), r"[a-zA-Z0-9-]+", "letters, digits and hyphens",
          "vault", AZURE_NAME_RULES + "#microsoftkeyvault"),
    _rule("azure-native:resources:ResourceGroup", "resourceGroupName", (1, 90), r"[-\w._()]*[-\w_()]",
          "letters, digits, underscores, parentheses, hyphens and periods, not ending with a period",
          "subscription", AZURE_NAME_RULES + "#microsoftresources"),
    _rule("azure-native:machinelearningservices:Workspace", "workspaceName", (3, 33),
          r"[a-zA-Z0-9][a-zA-Z0-9_-]*", "letters, digits, hyphens and underscores, starting with a letter or "
          "digit", "resource group", AZURE_NAME_RULES + "#microsoftmachinelearningservices"),
    _rule("azure-native:machinelearningservices:OnlineEndpoint", "endpointName", (3, 32),
          r"[a-zA-Z][a-zA-Z0-9-]*", "letters, digits and hyphens, starting with a letter", "region",
          "https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas#azure-machine-learning-online-endpoints-and-batch-endpoints"),
    _rule("azure-native:machinelearningservices:OnlineDeployment", "deploymentName", (3, 32),
          r"[a-zA-Z][a-zA-Z0-9-]*", "letters, digits and hyphens, starting with a letter", "endpoint",
          "https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas#azure-machine-learning-online-endpoints-and-batch-endpoints"),
    _rule("azure-native:machinelearningservices:Registry", "registryName", (3, 33),
          r"[a-zA-Z0-9][a-zA-Z0-9_-]*", "letters, digits, hyphens and underscores, starting with a letter or digit",
          "global", "https://learn.microsoft.com/azure/machine-learning/how-to-manage-registries"),
    _rule("azure-native:machinelearningservices:BatchEndpoint", "endpointName", (3, 32),
          r"[a-zA-Z][a-zA-Z0-9-]*", "letters, digits and hyphens, starting with a letter", "region",
          "https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas#azure-machine-learning-online-endpoints-and-batch-endpoints"),
    _rule("azure-native:machinelearningservices:BatchDeployment", "deploymentName", (3, 32),
          r"[a-zA-Z][a-zA-Z0-9-]*", "letters, digits and hyphens, starting with a letter", "endpoint",
          "https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas#azure-machine-learning-online-endpoints-and-batch-endpoints"),
    _rule("azure-native:search:Service", "searchServiceName", (2, 60), r"[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]",
          "lowercase letters, digits and hyphens, not at the start or end, no consecutive hyphens", "global",
          AZURE_NAME_RULES + "#microsoftsearch"),
    _rule("azure-native:redis:Redis", "name", (1, 63), r"[a-zA-Z0-9](?!.*--)([a-zA-Z0-9-]*[a-zA-Z0-9])?",
          "letters, digits and hyphens, starting and ending with a letter or digit, no consecutive hyphens",
          "global", AZURE_NAME_RULES + "#microsoftcache"),
    _rule("azure-native:consumption:Budget", "budgetName", (1, 63), r"[a-zA-Z0-9_-]+",
          "letters, digits, underscores and hyphens", "subscription",
          AZURE_NAME_RULES + "#microsoftconsumption"),
    _rule("azure-native:machinelearningservices:Datastore", "name", (1, 255), r"[a-z0-9_]+",
          "lowercase letters, digits and underscores", "workspace",
          "https://learn.microsoft.com/azure/machine-learning/how-to-datastore"),
    _rule("azure-native:storage:BlobContainer", "containerName", (3, 63), r"[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]",
          "lowercase letters, digits and hyphens, each hyphen between letters or digits", "storage account",
          AZURE_NAME_RULES + "#microsoftstorage (blobServices/containers)"),
    _rule("azure-native:network:VirtualNetwork", "virtualNetworkName", (2, 64), r"\w([\w.-]*\w)?",
          "letters, digits, underscores, periods and hyphens, starting with a letter or digit and ending with a "
          "letter, digit or underscore", "resource group", AZURE_NAME_RULES + "#microsoftnetwork"),
    _rule("azure-native:network:Subnet", "subnetName", (1, 80), r"[a-zA-Z0-9]([\w.-]*\w)?",
          "letters, digits, underscores, periods and hyphens, starting with a letter or digit and ending with a "
          "letter, digit or underscore", "virtual network", AZURE_NAME_RULES + "#microsoftnetwork"),
    _rule("azure-native:privatedns:PrivateZone", "privateZoneName", (1, 253),
          r"[\w-]{1,63}(\.[\w-]{1,63}){1,33}", "2 to 34 dot-separated labels of 1-63 letters, digits, "
          "underscores and hyphens", "resource group", AZURE_NAME_RULES + "#microsoftnetwork (privateDnsZones)"),
    _rule("azure-native:machinelearningservices:WorkspaceConnection", "connectionName", (3, 33),
          r"[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}", "letters, digits, hyphens and underscores, starting with a letter or "
          "digit", "workspace", "azure-rest-api-specs machinelearningservices swagger, connectionName pattern "
          "^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$"),
    *(_rule(f"azure-native:machinelearningservices:{kind}", "name", (1, 255), r"[a-zA-Z0-9][a-zA-Z0-9_-]*",
            _AML_ASSET[0], "workspace", _AML_ASSET[1])
      for kind in ("ModelContainer", "ModelVersion", "FeaturesetContainerEntity", "FeaturesetVersion",
                   "FeaturestoreEntityContainerEntity", "FeaturestoreEntityVersion", "EnvironmentContainer",
                   "EnvironmentVersion", "Schedule")),
    _rule("azure-native:cognitiveservices:Account", "accountName", (2, 64), r"[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?",
          "letters, digits and hyphens, starting and ending with a letter or digit", "resource group",
          AZURE_NAME_RULES + "#microsoftcognitiveservices; swagger: 2-64, ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$"),
    *(_rule(f"azure-native:cognitiveservices:{kind}", field, (2, 64), r"[a-zA-Z0-9][a-zA-Z0-9_.-]*",
            "letters, digits, underscores, dots and hyphens, starting with a letter or digit", "account", source)
      for kind, field, source in (
          ("RaiPolicy", "raiPolicyName", f"{_COGNITIVE}, raiPolicies name pattern ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$"),
          ("Deployment", "deploymentName", f"{_COGNITIVE}: the deployments path has no pattern; mlplat holds "
                                           "deployment names to the account's (2-64, the child resources' pattern)"))),
    _rule("azure-native:applicationinsights:Workbook", "resourceName", (36, 36),
          r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "a GUID",
          "resource group", AZURE_NAME_RULES + "#microsoftinsights (workbooks)"),
    _rule("azure-native:monitor:DiagnosticSetting", "name", (1, 260),
          r"[^*<>%&:\\?+/\x00-\x1f]*[^*<>%&:\\?+/\x00-\x1f .]",
          "any characters but * < > % & : \\ ? + / and control characters, not ending with a space or period",
          "the resource it sets", AZURE_NAME_RULES + "#microsoftinsights (diagnosticSettings)"),
    _rule("azure-native:eventgrid:SystemTopic", "systemTopicName", (3, 128), r"[a-zA-Z0-9-]+",
          "letters, digits and hyphens", "resource group", AZURE_NAME_RULES + "#microsofteventgrid"),
    _rule("azure-native:eventgrid:SystemTopicEventSubscription", "eventSubscriptionName", (3, 64), r"[a-zA-Z0-9-]+",
          "letters, digits and hyphens", "system topic", AZURE_NAME_RULES + "#microsofteventgrid"),
    _rule("azure-native:logic:Workflow", "workflowName", (1, 80), r"[-\w.()]+",
          "letters, digits, hyphens, underscores, periods and parentheses", "resource group",
          AZURE_NAME_RULES + "#microsoftlogic"),
    # -- GCP ----------------------------------------------------------------------------------------------
    _rule("gcp:cloudscheduler/job:Job", "name", (1, 500), r"[a-zA-Z0-9_-]+", "letters, digits, hyphens and "
          "underscores", "project and region",
          "https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs#Job (name)"),
    _rule("gcp:container/cluster:Cluster", "name", (1, 40), r"[a-z]([a-z0-9-]*[a-z0-9])?",
          "lowercase " + _ALNUM_HYPHEN, "project and location",
          "https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters#Cluster"),
    _rule("gcp:container/nodePool:NodePool", "name", (1, 40), r"[a-z]([a-z0-9-]*[a-z0-9])?",
          "lowercase " + _ALNUM_HYPHEN, "cluster",
          "https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters.nodePools"),
    _rule("gcp:kms/keyRing:KeyRing", "name", (1, 63), r"[a-zA-Z0-9_-]+", "letters, digits, underscores and "
          "hyphens", "project and location", "https://cloud.google.com/kms/docs/resource-hierarchy#key_rings"),
    _rule("gcp:kms/cryptoKey:CryptoKey", "name", (1, 63), r"[a-zA-Z0-9_-]+", "letters, digits, underscores "
          "and hyphens", "key ring", "https://cloud.google.com/kms/docs/resource-hierarchy#keys"),
    _rule("gcp:billing/budget:Budget", "displayName", (1, 60), r".+", "any characters", "billing account",
          "https://cloud.google.com/billing/docs/reference/budget/rest/v1/billingAccounts.budgets#Budget"),
    _rule("gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore", "name", (1, 60), r"[a-z_][a-z0-9_]{0,59}",
          "lowercase letters, digits and underscores, not starting with a digit", "project and region",
          "https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.featureOnlineStores/create"),
    _rule("gcp:vertex/aiFeatureGroup:AiFeatureGroup", "name", (1, 60), r"[a-z_][a-z0-9_]{0,59}",
          "lowercase letters, digits and underscores, not starting with a digit", "project and region",
          "https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.featureGroups/create"),
    _rule("gcp:vertex/aiFeatureGroupFeature:AiFeatureGroupFeature", "name", (1, 60), r"[a-z_][a-z0-9_]{0,59}",
          "lowercase letters, digits and underscores, not starting with a digit", "feature group",
          "https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.featureGroups.features/create"),
    _rule("gcp:vertex/aiFeatureOnlineStoreFeatureview:AiFeatureOnlineStoreFeatureview", "name", (1, 60),
          r"[a-z_][a-z0-9_]{0,59}", "lowercase letters, digits and underscores, not starting with a digit",
          "online store", "https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations."
          "featureOnlineStores.featureViews/create"),
    _rule("gcp:vertex/aiEndpoint:AiEndpoint", "displayName", (1, 128), r".+", "any UTF-8 characters",
          "none (display name)", "https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.endpoints"),
    _rule("gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy", "name", (1, 63),
          r"[a-z]([a-z0-9-]*[a-z0-9])?", "lowercase " + _ALNUM_HYPHEN + " (RFC 1035)", "project and region",
          "https://cloud.google.com/vpc/docs/reference/networkconnectivity/rest/v1/projects.locations."
          "serviceConnectionPolicies/create"),
    _rule("gcp:artifactregistry/repository:Repository", "repositoryId", (1, 63), r"[a-z]([a-z0-9-]*[a-z0-9])?",
          "lowercase " + _ALNUM_HYPHEN, "project and location",
          "https://cloud.google.com/artifact-registry/docs/repositories/create-repos (repository names)"),
    _rule("gcp:bigquery/dataset:Dataset", "datasetId", (1, 1024), r"[a-zA-Z0-9_]+",
          "letters, digits and underscores", "project", "pulumi_gcp bigquery.Dataset dataset_id input docs; "
          "https://cloud.google.com/bigquery/docs/datasets#dataset-naming"),
    _rule("gcp:bigquery/table:Table", "tableId", (1, 1024), r"[\w-]+",
          "letters, digits, underscores and hyphens (mlplat's subset of the Unicode rule)", "dataset",
          "https://cloud.google.com/bigquery/docs/tables#table_naming"),
    _rule("gcp:serviceaccount/account:Account", "accountId", (6, 30), r"[a-z]([-a-z0-9]*[a-z0-9])",
          "lowercase " + _ALNUM_HYPHEN + " (RFC 1035)", "project",
          "pulumi_gcp serviceaccount.Account account_id input docs (6-30 characters, RFC 1035)"),
    _rule("gcp:projects/iAMCustomRole:IAMCustomRole", "roleId", (3, 64), r"[a-zA-Z0-9_.]+",
          "letters, digits, underscores and periods", "project",
          "https://cloud.google.com/iam/docs/reference/rest/v1/projects.roles/create (roleId)"),
    _rule("gcp:projects/service:Service", "service", (1, 253), r"[a-z0-9.-]+\.googleapis\.com",
          "a Google API service name, <api>.googleapis.com", "project",
          "https://cloud.google.com/service-usage/docs/reference/rest/v1/services/enable"),
    _rule("gcp:storage/bucket:Bucket", "name", (3, 63), r"[a-z0-9][a-z0-9_.-]*[a-z0-9]",
          "lowercase letters, digits, dashes, underscores and dots, starting and ending with a letter or digit",
          "global", "https://cloud.google.com/storage/docs/buckets#naming"),
    _rule("gcp:vertex/aiIndexEndpointDeployedIndex:AiIndexEndpointDeployedIndex", "deployedIndexId", (1, 128),
          r"[a-zA-Z][a-zA-Z0-9_]*", "letters, digits and underscores, starting with a letter", "project",
          "pulumi_gcp vertex.AiIndexEndpointDeployedIndex deployed_index_id input docs"),
)

# Kubernetes objects on a cloud's cluster (GKE GPU shares), named by `metadata.name`.
_K8S_NAMES = "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/"
_DNS_LABEL = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?"
NAMING_RULES += (
    _rule("kubernetes:core/v1:Namespace", "metadata.name", (1, 63), _DNS_LABEL,
          "lowercase letters, digits and hyphens, starting and ending with a letter or digit (RFC 1123 label)",
          "cluster", _K8S_NAMES + "#dns-label-names (namespaces)"),
    *(_rule(f"kubernetes:core/v1:{kind}", "metadata.name", (1, 253), rf"{_DNS_LABEL}(\.{_DNS_LABEL})*",
            "dot-separated RFC 1123 labels of lowercase letters, digits and hyphens (DNS subdomain)", "namespace",
            _K8S_NAMES + "#dns-subdomain-names") for kind in ("ResourceQuota", "ServiceAccount")),
)

RULES_BY_TYPE: dict[str, NamingRule] = {rule.type_token: rule for rule in NAMING_RULES}


@dataclass(frozen=True)
class CountLimit:
    what: str
    cloud: str
    limit: int
    source: str


# Counts the clouds cap; the spec refuses more (components/spec), the plan never sees them.
FEATURES_PER_GROUP = {
    "aws": CountLimit("features per feature group", "aws", 2500,
                      "botocore sagemaker service model, shape FeatureDefinitions (max 2500)"),
}
TAGS_PER_RESOURCE = {
    "aws": CountLimit("tags per resource", "aws", 50, "botocore sagemaker service model, shape TagList (max 50)"),
    "azure": CountLimit("tags per resource", "azure", 50,
                        "https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations"),
    "gcp": CountLimit("labels per resource", "gcp", 64,
                      "https://cloud.google.com/resource-manager/docs/labels-overview#requirements"),
}
BUDGET_NOTIFICATION_CHANNELS = {
    "aws": CountLimit("e-mail subscribers per budget notification", "aws", 10,
                      "https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-controls.html "
                      "(10 e-mail subscribers and 1 SNS topic; botocore budgets shape Subscribers: max 11)"),
    "azure": CountLimit("contact e-mails per budget notification", "azure", 50,
                        "https://learn.microsoft.com/rest/api/consumption/budgets/create-or-update#notification"),
    "gcp": CountLimit("notification channels per budget", "gcp", 5,
                      "https://cloud.google.com/billing/docs/reference/budget/rest/v1/billingAccounts.budgets"
                      "#NotificationsRule (monitoringNotificationChannels: at most 5)"),
}


_PULUMI_AUTONAME = "Pulumi auto-names it: the logical name plus a random 7-character suffix"
_SERVICE_ID = "the service assigns the id"

# Types whose physical name input mlplat leaves to the provider (the name input the provider SDK takes is
# unset in every plan). Where such a type also has a rule, the plan checks the auto-name's form against it.
AUTO_NAMED: dict[str, str] = {
    "aws:appautoscaling/policy:Policy": _PULUMI_AUTONAME,
    "aws:batch/computeEnvironment:ComputeEnvironment": "AWS completes the namePrefix mlplat sets",
    "aws:ec2/launchTemplate:LaunchTemplate": _PULUMI_AUTONAME,
    "aws:ec2/securityGroup:SecurityGroup": _PULUMI_AUTONAME,
    "aws:iam/instanceProfile:InstanceProfile": _PULUMI_AUTONAME,
    "aws:iam/role:Role": _PULUMI_AUTONAME,
    "aws:iam/rolePolicy:RolePolicy": _PULUMI_AUTONAME,
    "aws:kms/grant:Grant": _PULUMI_AUTONAME,
    "aws:s3/bucket:Bucket": _PULUMI_AUTONAME,
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": _PULUMI_AUTONAME,
    "aws:sagemaker/model:Model": _PULUMI_AUTONAME,
    "azure-native:applicationinsights:Component": _PULUMI_AUTONAME,
    "azure-native:authorization:RoleAssignment": "the provider generates a GUID",
    "azure-native:authorization:RoleDefinition": "the provider generates a GUID",
    "azure-native:managedidentity:UserAssignedIdentity": _PULUMI_AUTONAME,
    "azure-native:monitor:ActionGroup": _PULUMI_AUTONAME,
    "azure-native:monitor:AutoscaleSetting": _PULUMI_AUTONAME,
    "azure-native:monitor:PrivateLinkScope": _PULUMI_AUTONAME,
    "azure-native:monitor:PrivateLinkScopedResource": _PULUMI_AUTONAME,
    "azure-native:network:PrivateDnsZoneGroup": _PULUMI_AUTONAME,
    "azure-native:network:PrivateEndpoint": _PULUMI_AUTONAME,
    "azure-native:network:VirtualNetwork": _PULUMI_AUTONAME,
    "azure-native:operationalinsights:Workspace": _PULUMI_AUTONAME,
    "azure-native:privatedns:VirtualNetworkLink": _PULUMI_AUTONAME,
    "azure-native:redis:AccessPolicyAssignment": _PULUMI_AUTONAME,
    "gcp:compute/firewall:Firewall": _PULUMI_AUTONAME,
    "gcp:compute/globalAddress:GlobalAddress": _PULUMI_AUTONAME,
    "gcp:compute/network:Network": _PULUMI_AUTONAME,
    "gcp:compute/subnetwork:Subnetwork": _PULUMI_AUTONAME,
    "gcp:storage/bucket:Bucket": _PULUMI_AUTONAME,
    "gcp:vertex/aiEndpoint:AiEndpoint": _SERVICE_ID + " (mlplat names it by displayName)",
}
