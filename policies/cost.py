"""Cost policies: spot training, scale to zero, GPU limits, endpoint autoscaling, FinOps tags, budgets.

Each policy is a no-op for resource types it does not know, so it keeps working as capabilities land.
"""

from __future__ import annotations

import re

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

try:
    from . import resource_facts as facts
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    import resource_facts as facts  # type: ignore[no-redef]

DOCS = "docs/policies.md"
NEUTRAL_TAG_KEYS = ["cost-center", "owner", "team", "environment", "platform", "managed-by"]
GPU_CLASSES = ["t4", "l4", "a10g", "a100", "a100-80gb", "h100"]
PROD_ENVIRONMENTS = ["prod", "production"]


def setting(config, key, default):
    """A policy setting: the configured value, else the schema default (the Pulumi CLI merges defaults, but a
    pack run without config must behave the same)."""
    if config and key in config and config[key] is not None:
        return config[key]
    return default


def _env_schema():
    return {"type": "array", "items": {"type": "string"}, "default": PROD_ENVIRONMENTS,
            "description": "Environment tag values treated as production."}


# ---------------------------------------------------------------------------------------------------
# Training capacity


def _is_aws_training(args) -> bool:
    return args.resource_type == "aws:batch/computeEnvironment:ComputeEnvironment"


def _is_azure_training(args) -> bool:
    return (args.resource_type.startswith("azure-native:machinelearningservices")
            and args.resource_type.endswith(":Compute")
            and facts.lower(facts.get(args.props, "properties.computeType")) == "amlcompute")


def _is_gcp_training(args) -> bool:
    """A GKE node pool with GPUs outside endpoints: the training capacity. A CPU-only system pool (cluster
    add-ons, job controllers) is not training capacity and stays on-demand for reliability."""
    if args.resource_type != "gcp:container/nodePool:NodePool":
        return False
    if facts.in_component(args.urn, facts.ENDPOINT_COMPONENTS):
        return False
    return bool(facts.gcp_gpu_classes(facts.get(args.props, "nodeConfig", {})))


def _validate_spot(args: ResourceValidationArgs, report: ReportViolation):
    env = facts.environment_of(args.resource_type, args.props)
    exempt = [e.lower() for e in setting(args.get_config(), "allowOnDemandEnvironments", [])]
    if env and env in exempt:
        return
    if _is_aws_training(args):
        kind = facts.get(args.props, "computeResources.type")
        if isinstance(kind, str) and kind.upper() not in ("SPOT", "FARGATE_SPOT"):
            report(f"AWS Batch compute environment uses {kind} (on-demand) capacity; set computeResources.type "
                   "to SPOT with allocationStrategy SPOT_PRICE_CAPACITY_OPTIMIZED.")
    elif _is_azure_training(args):
        priority = facts.get(args.props, "properties.properties.vmPriority")
        if facts.is_known(priority) and facts.lower(priority) != "lowpriority":
            report(f"Azure ML compute cluster uses vmPriority {priority or 'Dedicated (default)'}; "
                   "set vmPriority to LowPriority.")
    elif _is_gcp_training(args):
        spot = facts.get(args.props, "nodeConfig.spot")
        preemptible = facts.get(args.props, "nodeConfig.preemptible")
        if facts.is_known(spot) and facts.is_known(preemptible) and not (facts.truthy(spot) or facts.truthy(preemptible)):
            report("GKE training node pool is on-demand; set nodeConfig.spot = true.")


training_spot_capacity = ResourceValidationPolicy(
    name="training-spot-capacity",
    description=(
        "Training compute uses spot / low-priority capacity (AWS Batch SPOT, Azure ML LowPriority, GKE spot node "
        "pools). Mirrors Pulumi compliance-policies' cost guidance and AWS/Azure/GCP spot training recommendations "
        "(SageMaker managed spot training, Azure ML low-priority VMs, GKE Spot VMs)."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_spot,
    config_schema=PolicyConfigSchema(properties={
        "allowOnDemandEnvironments": {"type": "array", "items": {"type": "string"}, "default": [],
                                      "description": "Environment tag values allowed to train on on-demand capacity."},
    }),
)


def _validate_scale_to_zero(args: ResourceValidationArgs, report: ReportViolation):
    if _is_aws_training(args):
        minimum = facts.get(args.props, "computeResources.minVcpus", 0)
        if isinstance(minimum, (int, float)) and minimum > 0:
            report(f"AWS Batch compute environment keeps {int(minimum)} vCPUs running; set minVcpus = 0.")
    elif _is_azure_training(args):
        minimum = facts.get(args.props, "properties.properties.scaleSettings.minNodeCount", 0)
        if isinstance(minimum, (int, float)) and minimum > 0:
            report(f"Azure ML compute cluster keeps {int(minimum)} nodes running; set scaleSettings.minNodeCount = 0.")
    elif _is_gcp_training(args):
        autoscaling = facts.get(args.props, "autoscaling")
        if not facts.is_known(autoscaling):
            return
        if not autoscaling:
            report("GKE training node pool has no autoscaling; enable autoscaling with minNodeCount = 0.")
            return
        for key in ("minNodeCount", "totalMinNodeCount"):
            value = facts.get(autoscaling, key, 0)
            if isinstance(value, (int, float)) and value > 0:
                report(f"GKE training node pool keeps {int(value)} nodes running; set autoscaling.{key} = 0.")


training_scale_to_zero = ResourceValidationPolicy(
    name="training-scale-to-zero",
    description=(
        "Training clusters scale to zero when idle (Batch minVcpus 0, Azure ML minNodeCount 0, GKE autoscaling "
        "min 0). Mirrors the Azure ML guidance 'compute cluster minimum node count 0' (steampipe/PSRule "
        "Azure.ML.ComputeIdleShutdown) and AWS Batch / GKE cost optimisation guides."
    ),
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_validate_scale_to_zero,
)


def _validate_gpu_limits(args: ResourceValidationArgs, report: ReportViolation):
    config = args.get_config()
    allowed = [c.lower() for c in setting(config, "allowedGpuClasses", GPU_CLASSES)]
    max_nodes = setting(config, "maxNodes", 16)
    classes: list[tuple[str, str]] = []  # (class, shape)
    nodes = None
    if _is_aws_training(args):
        types = facts.plain(facts.get(args.props, "computeResources.instanceTypes", [])) or []
        vcpus = []
        for instance in types if isinstance(types, list) else []:
            if isinstance(instance, str):
                gpu = facts.aws_gpu_class(instance)
                if gpu:
                    classes.append((gpu, instance))
                    if facts.aws_instance_vcpus(instance):
                        vcpus.append(facts.aws_instance_vcpus(instance))
        max_vcpus = facts.get(args.props, "computeResources.maxVcpus")
        if vcpus and isinstance(max_vcpus, (int, float)):
            nodes = int(max_vcpus // min(vcpus))
    elif _is_azure_training(args):
        size = facts.get(args.props, "properties.properties.vmSize")
        if isinstance(size, str) and facts.azure_gpu_class(size):
            classes.append((facts.azure_gpu_class(size), size))
        value = facts.get(args.props, "properties.properties.scaleSettings.maxNodeCount")
        nodes = int(value) if isinstance(value, (int, float)) else None
    elif _is_gcp_training(args):
        node_config = facts.get(args.props, "nodeConfig", {})
        shape = facts.get(node_config, "machineType") or "accelerator"
        classes.extend((gpu, str(shape)) for gpu in facts.gcp_gpu_classes(node_config))
        for key in ("totalMaxNodeCount", "maxNodeCount"):
            value = facts.get(args.props, f"autoscaling.{key}")
            if isinstance(value, (int, float)):
                nodes = int(value)
                break
    else:
        return
    for gpu, shape in classes:
        if gpu not in allowed:
            label = "an unlisted GPU" if gpu == "other" else f"GPU class {gpu}"
            report(f"{shape} is {label}; allowed GPU classes: {', '.join(allowed)}.")
    if classes and nodes is not None and nodes > max_nodes:
        report(f"training cluster can scale to {nodes} GPU nodes; the limit is {max_nodes} (config maxNodes).")


training_gpu_limits = ResourceValidationPolicy(
    name="training-gpu-limits",
    description=(
        "Training GPU classes and maximum node counts stay within configured limits (allowedGpuClasses, maxNodes). "
        "Mirrors Pulumi's cost-control policy examples (allowed instance types) and Azure Policy "
        "'Allowed virtual machine size SKUs'."
    ),
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_validate_gpu_limits,
    config_schema=PolicyConfigSchema(properties={
        "allowedGpuClasses": {"type": "array", "items": {"type": "string"}, "default": GPU_CLASSES,
                              "description": "Neutral GPU classes (t4, l4, a10g, a100, a100-80gb, h100) allowed."},
        "maxNodes": {"type": "integer", "minimum": 1, "default": 16,
                     "description": "Most GPU nodes one training cluster may scale to."},
    }),
)


# ---------------------------------------------------------------------------------------------------
# Endpoints


def _sagemaker_variants(resources):
    """(endpoint configuration resource, variant name, serverless?) for each SageMaker production variant."""
    for r in resources:
        if r.resource_type != "aws:sagemaker/endpointConfiguration:EndpointConfiguration":
            continue
        variants = facts.plain(facts.get(r.props, "productionVariants", [])) or []
        for index, variant in enumerate(variants if isinstance(variants, list) else []):
            if not isinstance(variant, dict):
                continue
            name = variant.get("variantName") or f"variant-{index}"
            yield r, name, bool(variant.get("serverlessConfig"))


def _sagemaker_targets(resources):
    for r in resources:
        if r.resource_type == "aws:appautoscaling/target:Target" and facts.lower(
                facts.get(r.props, "serviceNamespace")) == "sagemaker":
            yield r


def _target_matches_variant(target, variant_name) -> bool:
    resource_id = facts.get(target.props, "resourceId")
    return isinstance(resource_id, str) and resource_id.endswith(f"/variant/{variant_name}")


def _azure_deployments(resources):
    for r in resources:
        if r.resource_type.startswith("azure-native:machinelearningservices") and r.resource_type.endswith(
                ":OnlineDeployment"):
            yield r


def _azure_autoscale_settings(resources):
    for r in resources:
        if r.resource_type in ("azure-native:monitor:AutoscaleSetting", "azure-native:insights:AutoscaleSetting"):
            yield r


def _segments(uri) -> list[str]:
    return [x.lower() for x in uri.split("/")] if isinstance(uri, str) else []


def _autoscaled(deployment, deployments, settings) -> bool:
    """An autoscale setting targets this deployment: by property dependency (the engine), by a deployment ID
    ending in /deployments/<name>, or (IDs not known yet) one setting per deployment naming its endpoint."""
    name = facts.lower(facts.get(deployment.props, "deploymentName"))
    endpoint = facts.lower(facts.get(deployment.props, "endpointName"))
    for setting_ in settings:
        deps = setting_.property_dependencies.get("targetResourceUri") or []
        if any(d.urn == deployment.urn for d in deps):
            return True
        segments = _segments(facts.get(setting_.props, "targetResourceUri"))
        if name and len(segments) >= 2 and segments[-2] == "deployments" and segments[-1] == name:
            return True
    if not endpoint:
        return False
    siblings = [d for d in deployments if facts.lower(facts.get(d.props, "endpointName")) == endpoint]
    naming = [s for s in settings if endpoint in _segments(facts.get(s.props, "targetResourceUri"))
              and not (len(_segments(facts.get(s.props, "targetResourceUri"))) >= 2
                       and _segments(facts.get(s.props, "targetResourceUri"))[-2] == "deployments")]
    return len(naming) >= len(siblings)


def _validate_endpoint_autoscaling(args: StackValidationArgs, report: ReportViolation):
    resources = args.resources
    targets = list(_sagemaker_targets(resources))
    for config, variant, serverless in _sagemaker_variants(resources):
        if serverless:
            continue
        if not any(_target_matches_variant(t, variant) for t in targets):
            report(f"SageMaker production variant {variant!r} has no Application Auto Scaling target "
                   "(aws.appautoscaling.Target with resourceId endpoint/<name>/variant/" + variant + ").", config.urn)
    settings = list(_azure_autoscale_settings(resources))
    deployments = list(_azure_deployments(resources))
    for deployment in deployments:
        scale = facts.lower(facts.get(deployment.props, "properties.scaleSettings.scaleType"))
        if scale == "targetutilization" or _autoscaled(deployment, deployments, settings):
            continue
        report("Azure ML online deployment has manual scale settings and no Azure Monitor autoscale setting; "
               "use scaleSettings.scaleType TargetUtilization or an autoscale setting.", deployment.urn)
    # Vertex AI endpoints scale through the deployed model's min/max replicas, which are not endpoint inputs.


endpoint_autoscaling = StackValidationPolicy(
    name="endpoint-autoscaling",
    description=(
        "Model endpoints autoscale: each SageMaker production variant has an Application Auto Scaling target "
        "(or is serverless); each Azure ML online deployment uses TargetUtilization scaling or an Azure Monitor "
        "autoscale setting. Mirrors AWS Well-Architected ML Lens MLCOST-23 and Azure Well-Architected guidance "
        "for online endpoints autoscale."
    ),
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_validate_endpoint_autoscaling,
)


def _validate_nonprod_scale_to_zero(args: StackValidationArgs, report: ReportViolation):
    env = facts.stack_environment(args.resources)
    prod = [e.lower() for e in setting(args.get_config(), "prodEnvironments", PROD_ENVIRONMENTS)]
    if env is None or env in prod:
        return
    targets = list(_sagemaker_targets(args.resources))
    for config, variant, serverless in _sagemaker_variants(args.resources):
        if serverless:
            continue
        matching = [t for t in targets if _target_matches_variant(t, variant)]
        minimums = [facts.get(t.props, "minCapacity") for t in matching]
        if not any(isinstance(m, (int, float)) and m == 0 for m in minimums):
            report(f"{env} SageMaker variant {variant!r} cannot scale to zero; use serverless inference or an "
                   "inference-component scaling target with minCapacity 0.", config.urn)
    for r in args.resources:
        if r.resource_type == "gcp:cloudrunv2/service:Service":
            minimum = facts.get(r.props, "template.scaling.minInstanceCount", 0)
            if isinstance(minimum, (int, float)) and minimum > 0:
                report(f"{env} Cloud Run service keeps {int(minimum)} instances; set minInstanceCount = 0.", r.urn)
    # Azure ML managed online endpoints and Vertex AI endpoints cannot scale to zero (minimum 1 replica).


nonprod_endpoint_scale_to_zero = StackValidationPolicy(
    name="nonprod-endpoint-scale-to-zero",
    description=(
        "Non-production endpoints scale to zero where the cloud allows it (SageMaker serverless or minCapacity 0; "
        "Cloud Run minInstanceCount 0). Azure ML managed online endpoints and Vertex AI endpoints keep one "
        "replica and are exempt. Mirrors AWS Well-Architected ML Lens MLCOST-23 (right-size inference)."
    ),
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_validate_nonprod_scale_to_zero,
    config_schema=PolicyConfigSchema(properties={"prodEnvironments": _env_schema()}),
)


# ---------------------------------------------------------------------------------------------------
# FinOps tags and budget


def _gcp_key(key: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "_", key.lower())


def _validate_tags(args: ResourceValidationArgs, report: ReportViolation):
    if not facts.is_taggable(args.resource_type):
        return
    tags = facts.tags_of(args.resource_type, args.props, args.provider.props if args.provider else None)
    if tags is None:
        return  # computed during preview: cannot decide
    cloud = facts.cloud_of(args.resource_type)
    required = setting(args.get_config(), "requiredTags", NEUTRAL_TAG_KEYS)
    if cloud == "gcp":
        present = {k: v for k, v in tags.items()}
        wanted = {_gcp_key(k): k for k in required}
    elif cloud == "azure":
        present = {str(k).lower(): v for k, v in tags.items()}
        wanted = {k.lower(): k for k in required}
    else:
        present = dict(tags)
        wanted = {k: k for k in required}
    missing = [shown for key, shown in wanted.items() if present.get(key) in (None, "")]
    if missing:
        kind = "labels" if cloud == "gcp" else "tags"
        report(f"missing FinOps {kind}: {', '.join(missing)}.")


required_finops_tags = ResourceValidationPolicy(
    name="required-finops-tags",
    description=(
        "Every taggable resource carries the FinOps tags (GCP labels) cost-center, owner, team, environment, "
        "platform and managed-by. Mirrors Pulumi's compliance policy 'required tags' (aws/azure/gcp "
        "*-missing-required-tags) and Azure Policy 'Require a tag on resources'."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_tags,
    config_schema=PolicyConfigSchema(properties={
        "requiredTags": {"type": "array", "items": {"type": "string"}, "default": NEUTRAL_TAG_KEYS,
                         "description": "Tag/label keys every taggable resource must carry (non-empty)."},
    }),
)


def _validate_budget(args: StackValidationArgs, report: ReportViolation):
    clouds = {facts.cloud_of(r.resource_type) for r in args.resources} - {None}
    if not clouds:
        return  # nothing of a known cloud in the stack
    if not any(r.resource_type in facts.BUDGET_TYPES for r in args.resources):
        report(f"the stack creates {', '.join(sorted(clouds))} resources but no budget "
               "(aws.budgets.Budget, azure-native consumption Budget or gcp.billing.Budget); set `budget:` in the spec.")


stack_budget = StackValidationPolicy(
    name="stack-budget",
    description=(
        "The stack has a cost budget with alerts. Mirrors Pulumi compliance policies for budgets, CIS/AWS "
        "Well-Architected COST02-BP05 (implement cost controls: budgets) and Azure Policy/Advisor "
        "'configure budgets'."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_budget,
)


POLICIES = [
    training_spot_capacity,
    training_scale_to_zero,
    training_gpu_limits,
    endpoint_autoscaling,
    nonprod_endpoint_scale_to_zero,
    required_finops_tags,
    stack_budget,
]
