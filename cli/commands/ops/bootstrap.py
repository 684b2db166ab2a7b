"""`mlplat bootstrap backend`: the Pulumi state backend (`mlplat.ops.backends`, one registration per cloud)."""

from __future__ import annotations

from typing import Optional

import typer

from cli.choices import CloudChoice as CloudOption
from cli.commands.ops.options import FORMAT_OPTION, OutputFormat
from cli.console import EXIT_FINDINGS, EXIT_USAGE, FLAG, emit_json, fail, info, json_errors
from cli.group import Group
from mlplat.project import stacks_dir

app = typer.Typer(cls=Group, help="Create what the platform needs before its first deployment.", no_args_is_help=True)


def _stack_config(stack: Optional[str]) -> dict:
    """Provider settings and spec of `--stack`, used as defaults for bootstrap flags."""
    if not stack:
        return {}
    from components.spec import SpecError, load_stack

    try:
        loaded = load_stack(stack, stacks_dir())
    except SpecError as error:
        fail(error.lines, EXIT_USAGE)
    return {**loaded.config, "_cloud": loaded.spec.cloud.value, "_region": loaded.spec.region}


@app.command("backend")
def bootstrap_backend(
    cloud: Optional[CloudOption] = typer.Option(None, "--cloud", help="aws, azure or gcp (default: the --stack's cloud)."),
    stack: Optional[str] = typer.Option(None, "--stack", "-s", help="Take cloud, region, subscription/project from this stack."),
    region: Optional[str] = typer.Option(None, "--region", help="AWS region, Azure location or GCS location."),
    bucket: Optional[str] = typer.Option(None, "--bucket", help="S3/GCS bucket name (default: derived, unique per account/project)."),
    kms_key: Optional[str] = typer.Option(None, "--kms-key", help="AWS: KMS key id/ARN for default encryption (default SSE-S3)."),
    subscription: Optional[str] = typer.Option(None, "--subscription", help="Azure subscription id (default: $AZURE_SUBSCRIPTION_ID)."),
    resource_group: str = typer.Option("mlplat-state", "--resource-group", help="Azure resource group (created if missing)."),
    storage_account: Optional[str] = typer.Option(None, "--storage-account", help="Azure storage account (default: derived)."),
    container: str = typer.Option("pulumi-state", "--container", help="Azure blob container."),
    project: Optional[str] = typer.Option(None, "--project", help="GCP project id (default: the --stack's gcp:project)."),
    fix_existing: bool = typer.Option(
        False, "--fix-existing", metavar=FLAG,
        help="GCP: apply irreversible changes to an existing bucket (uniform bucket-level access)."),
    fix_existing_alias: bool = typer.Option(False, "--yes", hidden=True, help="Alias of --fix-existing."),
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Create the Pulumi state backend (S3 / Azure Blob / GCS) with safe settings. Idempotent, never deletes."""
    from mlplat.ops.backends import BackendRequest, BackendUsageError, ensure_backend
    from mlplat.ops.results import OpsError

    json_errors(output == OutputFormat.json)
    fix_existing = fix_existing or fix_existing_alias
    config = _stack_config(stack)
    cloud_name = cloud.value if cloud else config.get("_cloud")
    if cloud_name is None:
        fail("--cloud is required (aws, azure or gcp), or pass --stack")
    if stack and config.get("_cloud") != cloud_name:
        fail(f"--cloud {cloud_name} does not match stack {stack!r}, which is on {config.get('_cloud')}")
    region = region or config.get("_region")
    progress = info if output == OutputFormat.text else (lambda _m: None)
    request = BackendRequest(
        region=region, bucket=bucket, kms_key=kms_key, subscription=subscription, resource_group=resource_group,
        storage_account=storage_account, container=container, project=project, fix_existing=fix_existing,
        config=config,
    )
    try:
        result = ensure_backend(cloud_name, request, progress)
    except BackendUsageError as error:
        fail(str(error))
    except OpsError as error:
        fail(error.lines, EXIT_FINDINGS)
    login = f"pulumi login '{result.url}'"
    if output == OutputFormat.json:
        emit_json({"cloud": cloud_name, **result.to_dict(), "login": login})
        return
    for change in result.changes:
        typer.echo(f"  + {change}")
    if not result.changes:
        typer.echo("no changes: the state backend already exists with the required settings")
    typer.echo(f"state backend: {result.url}")
    typer.echo(f"use it with: {login}   (or: export PULUMI_BACKEND_URL='{result.url}')")


