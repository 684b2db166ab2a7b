"""Training capacity policies: spot capacity, scale to zero, GPU classes and node limits. Each reads the
training-capacity rows of the resource catalogue (`training_spot`, `training_scale_to_zero`, `training_gpus`
readers); other types are not training capacity.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationPolicy

from components.catalog import resources as catalogue

try:
    from .concern_rules import check_resource
    from .pack_settings import setting
    from .stack_facts import environment_of
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from concern_rules import check_resource  # type: ignore[no-redef]
    from pack_settings import setting  # type: ignore[no-redef]
    from stack_facts import environment_of  # type: ignore[no-redef]

GPU_CLASSES = ["t4", "l4", "a10g", "a100", "a100-80gb", "h100"]


def _validate_spot(args, report) -> None:
    env = environment_of(args.resource_type, args.props)
    exempt = [e.lower() for e in setting(args.get_config(), "allowOnDemandEnvironments", [])]
    if env and env in exempt:
        return
    check_resource("training_spot", args, report)


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


def _validate_scale_to_zero(args, report) -> None:
    check_resource("training_scale_to_zero", args, report)


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


def _validate_gpu_limits(args, report) -> None:
    config = args.get_config()
    allowed = [c.lower() for c in setting(config, "allowedGpuClasses", GPU_CLASSES)]
    max_nodes = setting(config, "maxNodes", 16)
    found = catalogue.read(catalogue.Subject(type=args.resource_type, props=args.props, urn=args.urn), "training_gpus")
    if found is None:
        return  # not training capacity
    classes, nodes = found
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

POLICIES = [training_spot_capacity, training_scale_to_zero, training_gpu_limits]
