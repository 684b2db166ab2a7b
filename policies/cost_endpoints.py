"""Endpoint cost policies: every model endpoint autoscales; non-production endpoints scale to zero where the
cloud allows it. The resources are found by their catalogue rows (`model_variants`, `scaled_variant` and
`idle_instances` readers; `online-deployment` and `autoscale-setting` roles)."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationPolicy

from components.catalog import resources as catalogue
from components.catalog.resources.props import get, lower

try:
    from .pack_settings import PROD_SCHEMA, prod_environments
    from .stack_facts import stack_environment, subject
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    from pack_settings import PROD_SCHEMA, prod_environments  # type: ignore[no-redef]
    from stack_facts import stack_environment, subject  # type: ignore[no-redef]


def _model_variants(resources):
    """(endpoint configuration resource, variant name, serverless?) for each production variant."""
    for r in resources:
        for name, serverless in catalogue.read(subject(r), "model_variants", ()) or ():
            yield r, name, serverless


def _scaling_targets(resources):
    """(target resource, resourceId, minCapacity) of each autoscaling target of a model variant."""
    for r in resources:
        scaled = catalogue.read(subject(r), "scaled_variant")
        if scaled is not None:
            yield r, scaled[0], scaled[1]


def _target_matches_variant(resource_id, variant_name) -> bool:
    return isinstance(resource_id, str) and resource_id.endswith(f"/variant/{variant_name}")


def _with_role(resources, role: str):
    return [r for r in resources if catalogue.has_role(r.resource_type, role)]


def _segments(uri) -> list[str]:
    return [x.lower() for x in uri.split("/")] if isinstance(uri, str) else []


def _autoscaled(deployment, deployments, settings) -> bool:
    """An autoscale setting targets this deployment: by property dependency (the engine), by a deployment ID
    ending in /deployments/<name>, or (IDs not known yet) one setting per deployment naming its endpoint."""
    name = lower(get(deployment.props, "deploymentName"))
    endpoint = lower(get(deployment.props, "endpointName"))
    for setting_ in settings:
        deps = setting_.property_dependencies.get("targetResourceUri") or []
        if any(d.urn == deployment.urn for d in deps):
            return True
        segments = _segments(get(setting_.props, "targetResourceUri"))
        if name and len(segments) >= 2 and segments[-2] == "deployments" and segments[-1] == name:
            return True
    if not endpoint:
        return False
    siblings = [d for d in deployments if lower(get(d.props, "endpointName")) == endpoint]
    naming = [s for s in settings if endpoint in _segments(get(s.props, "targetResourceUri"))
              and not (len(_segments(get(s.props, "targetResourceUri"))) >= 2
                       and _segments(get(s.props, "targetResourceUri"))[-2] == "deployments")]
    return len(naming) >= len(siblings)


def _validate_endpoint_autoscaling(args, report) -> None:
    resources = args.resources
    targets = list(_scaling_targets(resources))
    for config, variant, serverless in _model_variants(resources):
        if serverless:
            continue
        if not any(_target_matches_variant(resource_id, variant) for _, resource_id, _ in targets):
            report(f"SageMaker production variant {variant!r} has no Application Auto Scaling target "
                   "(aws.appautoscaling.Target with resourceId endpoint/<name>/variant/" + variant + ").", config.urn)
    settings = _with_role(resources, "autoscale-setting")
    deployments = _with_role(resources, "online-deployment")
    for deployment in deployments:
        scale = lower(get(deployment.props, "properties.scaleSettings.scaleType"))
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


def _validate_nonprod_scale_to_zero(args, report) -> None:
    env = stack_environment(args.resources)
    if env is None or env in prod_environments(args.get_config()):
        return
    targets = list(_scaling_targets(args.resources))
    for config, variant, serverless in _model_variants(args.resources):
        if serverless:
            continue
        minimums = [minimum for _, resource_id, minimum in targets if _target_matches_variant(resource_id, variant)]
        if not any(isinstance(m, (int, float)) and m == 0 for m in minimums):
            report(f"{env} SageMaker variant {variant!r} cannot scale to zero; use serverless inference or an "
                   "inference-component scaling target with minCapacity 0.", config.urn)
    for r in args.resources:
        minimum = catalogue.read(subject(r), "idle_instances")
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
    config_schema=PolicyConfigSchema(properties=PROD_SCHEMA),
)

POLICIES = [endpoint_autoscaling, nonprod_endpoint_scale_to_zero]
