"""`mlplat init`: a new stack file `stacks/Pulumi.<stack>.yaml` from a template, validated before it is
written, written atomically (temporary file, then rename) so a failure never leaves half a file."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from components.spec import CONFIG_KEY, Cloud, Environment, SpecError, parse_spec
from components.spec.loading import stack_file
from components.azure.cloud import SUBSCRIPTION_PLACEHOLDER as AZURE_SUBSCRIPTION_PLACEHOLDER
from components.gcp.cloud import BILLING_ACCOUNT_PLACEHOLDER as GCP_BILLING_ACCOUNT_PLACEHOLDER
from components.gcp.cloud import PROJECT_PLACEHOLDER as GCP_PROJECT_PLACEHOLDER
from components.registry import cloud_of

# Pulumi stack names: letters, digits, '-', '_' and '.'; mlplat also uses the stack name as the
# default platform name, which must fit the spec's name pattern (checked separately).
STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")

# A starting monthly budget (USD) per environment when none is given: every stack needs one (the mandatory
# `stack-budget` and `budget-within-estimate` policies), and it is listed as a placeholder to set.
BUDGET_PLACEHOLDER_USD = {"dev": 1000, "staging": 2000, "prod": 10000}
FINOPS_PLACEHOLDERS = {"cost_center": "CHANGE-ME", "owner": "change-me@example.com", "team": "CHANGE-ME"}


class InitError(Exception):
    """Usage problem (bad name, existing file without --force); `lines` are printed as errors."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass
class InitResult:
    path: Path
    stack: str
    cloud: str
    environment: str
    region: str
    overwritten: bool
    placeholders: list[str]


def provider_config(cloud: Cloud, region: str) -> dict[str, str]:
    """The Pulumi provider settings that sit beside the spec in the stack's `config:`."""
    # Placeholders the user must edit (the cloud's own); they validate so the stack passes `mlplat validate`.
    return cloud_of(cloud).provider_config(region)


PROVIDER_PLACEHOLDERS = (AZURE_SUBSCRIPTION_PLACEHOLDER, GCP_PROJECT_PLACEHOLDER, GCP_BILLING_ACCOUNT_PLACEHOLDER)


def default_platform_name(stack: str, environment: Environment) -> str:
    """The stack name without a trailing `-<environment>`: resource names are `<name>-<environment>-...`,
    so stack `fraud-dev` in dev gives `fraud-dev-...`, not `fraud-dev-dev-...`."""
    import re

    from components.spec.base import NAME_PATTERN

    name = stack.removesuffix(f"-{environment.value}")
    return name if re.match(NAME_PATTERN, name) else stack


def render(
    stack: str,
    cloud: Cloud,
    environment: Environment,
    region: str | None = None,
    name: str | None = None,
    cost_center: str | None = None,
    owner: str | None = None,
    team: str | None = None,
    budget_usd: float | None = None,
    notify: list[str] | None = None,
) -> tuple[str, dict, list[str]]:
    """The stack file text, its parsed document and the config keys still holding placeholders."""
    region = region or cloud_of(cloud).region_example
    name = name or default_platform_name(stack, environment)
    finops = {
        "cost_center": cost_center or FINOPS_PLACEHOLDERS["cost_center"],
        "owner": owner or FINOPS_PLACEHOLDERS["owner"],
        "team": team or FINOPS_PLACEHOLDERS["team"],
    }
    placeholders = [f"{CONFIG_KEY}.finops.{k}" for k, v in finops.items() if v == FINOPS_PLACEHOLDERS[k]]
    providers = provider_config(cloud, region)
    placeholders += [k for k, v in providers.items() if v in PROVIDER_PLACEHOLDERS]
    if budget_usd is None:
        budget_usd = BUDGET_PLACEHOLDER_USD[environment.value]
        placeholders.append(f"{CONFIG_KEY}.budget.monthly_usd")
    if notify is None:  # the owner hears about the budget, when the owner is an e-mail address
        notify = [finops["owner"]] if "@" in finops["owner"] else []
    budget = {"monthly_usd": budget_usd, "alert_thresholds_percent": [50, 80, 100], "notify": list(notify)}
    spec = {
        "name": name,
        "environment": environment.value,
        "cloud": cloud.value,
        "region": region,
        "finops": finops,
        "budget": budget,
    }
    document = {"config": {**providers, CONFIG_KEY: spec}}
    body = yaml.safe_dump(document, sort_keys=False, default_flow_style=False)
    header = (
        f"# Stack {stack}: written by `mlplat init`. Edit the values marked CHANGE-ME / change-me.\n"
        "# The platform spec is the value of config.mlplat:platform; environment defaults fill what is left\n"
        "# out (see docs/operations.md). Add sections as needed, for example:\n"
        "#     training: {gpu: a100, gpus_per_node: 8, max_nodes: 2}\n"
        "#     endpoints: [{name: scorer, compute: cpu, max_replicas: 4}]\n"
        "# Check it with `mlplat preflight --stack " + stack + "` before `mlplat up`.\n"
    )
    return header + body, document, placeholders


def write_stack(
    stack: str,
    stacks_dir: Path,
    cloud: Cloud,
    environment: Environment,
    region: str | None = None,
    name: str | None = None,
    cost_center: str | None = None,
    owner: str | None = None,
    team: str | None = None,
    force: bool = False,
    budget_usd: float | None = None,
    notify: list[str] | None = None,
) -> InitResult:
    """Render, validate, then atomically write `stacks/Pulumi.<stack>.yaml`.

    Raises InitError (usage) or SpecError (the values given do not make a valid spec); nothing is
    written in either case.
    """
    if not STACK_NAME.match(stack):
        raise InitError([f"stack name {stack!r}: use letters, digits, '-', '_' or '.' (at most 100 characters)"])
    path = stack_file(stack, stacks_dir)
    existed = path.exists()
    if existed and not force:
        raise InitError([f"{path}: already exists; pass --force to overwrite it"])
    text, document, placeholders = render(stack, cloud, environment, region, name, cost_center, owner, team,
                                          budget_usd, notify)
    # Validate exactly what will be written: parse the text back.
    reparsed = yaml.safe_load(text)
    try:
        spec = parse_spec(reparsed["config"][CONFIG_KEY], str(path), CONFIG_KEY)
    except SpecError as error:
        if name is None and any(f"{CONFIG_KEY}.name:" in line for line in error.lines):
            default = default_platform_name(stack, environment)
            raise SpecError(error.lines + [f"  the platform name defaults to {default!r} (from the stack name); "
                                           "pass --name with lowercase letters, digits and hyphens"]) from None
        raise
    stacks_dir.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".Pulumi.{stack}.", suffix=".tmp", dir=stacks_dir)
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return InitResult(
        path=path,
        stack=stack,
        cloud=spec.cloud.value,
        environment=spec.environment.value,
        region=spec.region,
        overwritten=existed,
        placeholders=placeholders,
    )
