"""The offline plan of an AWS or GCP stack as Terraform HCL (checkov's `terraform` framework).

HCL, not Terraform JSON: checkov 3.3's `terraform_json` framework reports resource checks without their type
and never evaluates a policy document given as a JSON string (CKV_AWS_290/355 were neither passed nor
failed on `aws_iam_role_policy.policy`), so a whole family of checks would pass by omission.

pulumi-aws and pulumi-gcp are bridged from the Terraform providers, so the mapping is mechanical:
the type token names the Terraform resource type (`aws:s3/bucket:Bucket` -> `aws_s3_bucket`), and each
input is the Terraform attribute in camelCase (`enableKeyRotation` -> `enable_key_rotation`). Two things the
bridge changes are undone here: a few module prefixes that Terraform spells differently, and list blocks
whose singular Terraform name the bridge pluralised (`lifecycle_rule` -> `lifecycleRules`), kept in the
tables below. Values the program passed as another resource's id, name or ARN (the mock engine's outputs)
become Terraform references (`aws_vpc.x.id`) so checkov's graph checks can connect the resources.
"""

from __future__ import annotations

import hashlib
import re

from .skips import skip_comments

# Terraform types whose names are not `<provider>_<module>_<snake kind>`.
TYPE_EXCEPTIONS = {
    "gcp:serviceaccount/account:Account": "google_service_account",
}
# Module -> Terraform prefix, where the bridge's module name differs from Terraform's.
MODULE_PREFIX = {
    "aws": {"ec2": "aws_", "opensearch": "aws_opensearch_", "bedrockmodel": "aws_bedrock_model_"},
    "gcp": {"projects": "google_project_", "serviceaccount": "google_service_account_",
            "servicenetworking": "google_service_networking_", "artifactregistry": "google_artifact_registry_",
            "networkconnectivity": "google_network_connectivity_"},
}
# Inputs whose Terraform name is not the snake_case of the Pulumi name: (Terraform type or "*", Pulumi name).
ATTRIBUTE_NAMES = {
    ("aws_ecr_repository", "encryptionConfigurations"): "encryption_configuration",
    ("aws_s3_bucket_server_side_encryption_configuration", "rules"): "rule",
    ("aws_sagemaker_model", "containers"): "container",
    ("aws_sagemaker_feature_group", "featureDefinitions"): "feature_definition",
    ("aws_budgets_budget", "notifications"): "notification",
    ("aws_budgets_budget", "costFilters"): "cost_filter",
    ("aws_batch_job_queue", "computeEnvironmentOrders"): "compute_environment_order",
    ("aws_cloudwatch_metric_alarm", "metricQueries"): "metric_query",
    ("aws_iam_role", "inlinePolicies"): "inline_policy",
    ("aws_route_table", "routes"): "route",
    ("aws_batch_compute_environment", "ec2Configurations"): "ec2_configuration",
    ("aws_batch_job_definition", "evaluateOnExits"): "evaluate_on_exit",
    ("aws_batch_job_queue", "jobStateTimeLimitActions"): "job_state_time_limit_action",
    ("aws_budgets_budget", "ands"): "and",
    ("google_compute_subnetwork", "secondaryIpRanges"): "secondary_ip_range",
    ("google_storage_bucket", "lifecycleRules"): "lifecycle_rule",
    ("google_container_cluster", "nodePools"): "node_pool",
    ("*", "guestAccelerators"): "guest_accelerator",
    ("*", "taints"): "taint",
    ("google_bigquery_dataset", "accesses"): "access",
    ("google_compute_firewall", "denies"): "deny",
    ("aws_s3_bucket_lifecycle_configuration", "rules"): "rule",
    ("google_compute_firewall", "allows"): "allow",
    ("aws_bedrock_guardrail", "filtersConfigs"): "filters_config",
}
PROVIDER_PREFIX = {"aws": "aws_", "gcp": "google_"}


def snake(name: str) -> str:
    """camelCase (or a kind such as `iAMMember`) to snake_case: `IAMMember` -> `iam_member`."""
    name = name[:1].upper() + name[1:]
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def terraform_type(token: str) -> str | None:
    """The Terraform resource type of a bridged type token, None for other packages."""
    if token in TYPE_EXCEPTIONS:
        return TYPE_EXCEPTIONS[token]
    parts = token.split(":")
    if len(parts) != 3 or parts[0] not in PROVIDER_PREFIX or "/" not in parts[1]:
        return None
    package, module, kind = parts[0], parts[1].split("/")[0], parts[2]
    prefix = MODULE_PREFIX.get(package, {}).get(module, f"{PROVIDER_PREFIX[package]}{module}_")
    kind_snake = snake(kind)
    if package == "aws" and module == "opensearch" and kind_snake.startswith("serverless_"):
        return "aws_opensearchserverless_" + kind_snake.removeprefix("serverless_")
    if package == "aws" and module == "bedrock" and kind_snake.startswith("agent_"):  # Agents for Bedrock
        return "aws_bedrockagent_" + kind_snake.removeprefix("agent_")
    return prefix + kind_snake


def attribute_name(tf_type: str, name: str) -> str:
    return ATTRIBUTE_NAMES.get((tf_type, name)) or ATTRIBUTE_NAMES.get(("*", name)) or snake(name)


# Inputs that are maps in Terraform (their keys are data, not attribute names).
MAP_ATTRIBUTES = {"tags", "tagsAll", "labels", "resourceLabels", "userLabels", "environment", "dimensions",
                  "environmentVariables"}


class Reference(str):
    """A Terraform expression (`aws_vpc.x.id`), written bare rather than quoted."""


def translate_value(tf_type: str, name: str | None, value, references: dict[str, str]):
    """An input value with Terraform attribute names and references resolved (numbers as ints when whole)."""
    if isinstance(value, dict):
        if name in MAP_ATTRIBUTES:  # data (tags, labels, environment): literal values, never references
            return {k: translate_value(tf_type, None, v, {}) for k, v in value.items()}
        return {attribute_name(tf_type, k): translate_value(tf_type, k, v, references)
                for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [translate_value(tf_type, name, v, references) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value in references:
        return Reference(references[value])
    return value


def hcl_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    escaped = escaped.replace("\t", "\\t").replace("${", "$${").replace("%{", "%%{")
    return f'"{escaped}"'


def hcl_expression(value) -> str:
    if isinstance(value, Reference):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return hcl_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(hcl_expression(v) for v in value) + "]"
    return "{" + ", ".join(f"{hcl_string(str(k))} = {hcl_expression(v)}" for k, v in value.items()) + "}"


def hcl_body(body: dict, map_names: set[str], indent: str = "  ") -> list[str]:
    """Attributes as `name = value`, nested objects as blocks (lists of objects as repeated blocks): the
    shape checkov's HCL parser gives the checks (`conf["versioning"][0]["enabled"]`)."""
    lines = []
    for key, value in body.items():
        is_map = key in map_names
        blocks = [value] if isinstance(value, dict) and not is_map else (
            value if isinstance(value, list) and value and all(isinstance(v, dict) for v in value) and not is_map
            else None)
        if blocks is None:
            lines.append(f"{indent}{key} = {hcl_expression(value)}")
            continue
        for block in blocks:
            lines.append(f"{indent}{key} {{")
            lines.extend(hcl_body(block, map_names, indent + "  "))
            lines.append(f"{indent}}}")
    return lines


def resource_label(name: str, used: set[str]) -> str:
    """A Terraform resource name (letters, digits, `_`, `-`) for a Pulumi name, unique in the document."""
    label = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    if not re.match(r"[A-Za-z_]", label):
        label = "r_" + label
    if label in used:
        label = f"{label}_{hashlib.sha256(name.encode()).hexdigest()[:6]}"
    used.add(label)
    return label


# Which outputs of the mock engine a program passes on, and the Terraform attribute each one is.
MOCK_OUTPUT_ATTRIBUTES = {"aws": {"arn": "arn"}, "gcp": {"name": "name", "email": "email", "selfLink": "self_link",
                                                         "member": "member"}}


def mock_outputs(resource, mocks) -> dict[str, str]:
    """The values the offline plan's mock engine answered for `resource` -> their Terraform attribute: where
    another resource's input carries one, the program passed that output, i.e. a reference."""
    from types import SimpleNamespace

    package = resource.type.split(":")[0]
    resource_id, state = mocks.new_resource(SimpleNamespace(typ=resource.type, name=resource.name,
                                                            inputs=resource.inputs or {}))
    out = {str(resource_id): "id"}
    for key, attribute in MOCK_OUTPUT_ATTRIBUTES.get(package, {}).items():
        if isinstance(state.get(key), str):
            out.setdefault(state[key], attribute)
    return out


def plan_mocks(plan):
    """The mock engine the offline plan ran with (region from the spec, GCP project from the stack file)."""
    from mlplat.offline_plan.mocks import PlanMocks
    from mlplat.offline_plan.mocks import OFFLINE_GCP_PROJECT
    from mlplat.policy_run.results import stack_file_config

    project = stack_file_config(plan.source).get("gcp:project", OFFLINE_GCP_PROJECT)
    return PlanMocks(region=str((plan.spec or {}).get("region") or ""), gcp_project=str(project))


MAP_NAMES = {snake(name) for name in MAP_ATTRIBUTES}


def translated_resources(plan) -> list[tuple[str, str, dict, object]]:
    """(Terraform type, resource name, attribute body, plan resource) for each translatable resource."""
    mocks = plan_mocks(plan)
    resources = [r for r in plan.custom_resources() if terraform_type(r.type)]
    used: set[str] = set()
    labels = {r.urn: (terraform_type(r.type), resource_label(r.name, used)) for r in resources}
    outputs = {r.urn: mock_outputs(r, mocks) for r in resources}
    references: dict[str, str] = {}
    for r in resources:
        tf_type, label = labels[r.urn]
        for value, attribute in outputs[r.urn].items():
            references.setdefault(value, f"{tf_type}.{label}.{attribute}")
    out = []
    for r in resources:
        tf_type, label = labels[r.urn]
        refs = {k: v for k, v in references.items() if k not in outputs[r.urn]}  # never a reference to itself
        body = {attribute_name(tf_type, k): translate_value(tf_type, k, v, refs)
                for k, v in (r.inputs or {}).items() if v is not None}
        if r.protect:  # Pulumi's `protect` is Terraform's `prevent_destroy` (read by e.g. CKV_GCP_82)
            body["lifecycle"] = {"prevent_destroy": True}
        out.append((tf_type, label, body, r))
    return out


def to_hcl(plan, skips=()) -> tuple[str, dict[str, object]]:
    """The plan as Terraform HCL, and each Terraform resource address's plan resource. `skips` (as
    `skips_for` gives them, or plain (check id, reason) pairs) are written as checkov skip comments into the
    resources they apply to (a skip comment only suppresses its check, and checkov reports each suppression
    with its reason)."""
    lines: list[str] = []
    by_address: dict[str, object] = {}
    for tf_type, label, body, r in translated_resources(plan):
        lines.append(f"# {r.urn}")
        lines.append(f'resource "{tf_type}" "{label}" {{')
        for check, reason in skip_comments(skips, r):
            lines.append(f"  #checkov:skip={check}:{reason}")
        lines.extend(hcl_body(body, MAP_NAMES))
        lines.append("}")
        lines.append("")
        by_address[f"{tf_type}.{label}"] = r
    return "\n".join(lines), by_address
