"""What a user reads: preflight prints its own table and verdict, never a cloud SDK's warnings or log
lines; rich tables fit 80 and 100 columns and never cut an identifier (a word wider than its column folds,
every character kept)."""

from __future__ import annotations

import logging
import re
import warnings

import pytest
from typer.testing import CliRunner

from cli.app import app
from mlplat.ops.results import CheckResult
from mlplat.tables import table

runner = CliRunner()
SDK_LOGGERS = ["azure.identity._credentials.chained", "azure.core.pipeline", "google.auth._default",
               "google.api_core", "botocore.credentials", "boto3.resources", "urllib3.connectionpool"]
NOISE = re.compile(r"SDK-NOISE|Warning:|WARNING|\.get_token|Traceback")
PROGRESS = re.compile(r"^(aws|azure|gcp): ")  # preflight's own progress lines on stderr


def _noisy_preflight(spec, config, progress):
    """Checks that, like the real SDK calls, log and warn from the cloud libraries' own modules."""
    for name in SDK_LOGGERS:
        logging.getLogger(name).warning("SDK-NOISE from %s", name)
    for module in ("google.api_core._python_version_support", "azure.identity", "botocore.client"):
        warnings.warn_explicit("SDK-NOISE deprecated", FutureWarning, "sdk.py", 1, module=module)
    return [CheckResult("credentials", "fail", "no credentials found (the check's own line)")]


@pytest.mark.parametrize("stack", ["aws-dev", "azure-dev", "gcp-dev"])
def test_preflight_prints_no_sdk_noise(monkeypatch, stack):
    import mlplat.ops.preflight as preflight

    monkeypatch.setattr(preflight, "run_preflight", _noisy_preflight)
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # what a user's interpreter may do: show every warning
        result = runner.invoke(app, ["preflight", "--stack", stack])
    assert result.exit_code == 1, result.output
    assert "no credentials found (the check's own line)" in result.stdout
    assert not NOISE.search(result.stdout + result.stderr), result.stdout + result.stderr
    assert all(PROGRESS.match(line) for line in result.stderr.splitlines()), result.stderr


def test_preflight_without_azure_credentials_prints_only_its_table(monkeypatch):
    """The real azure-identity chain, limited to the environment credential with nothing set."""
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
                 "AZURE_USERNAME", "AZURE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")
    result = runner.invoke(app, ["preflight", "--stack", "azure-dev"])
    assert result.exit_code == 1, result.output
    assert "FAIL" in result.stdout
    assert not NOISE.search(result.stdout + result.stderr), result.stdout + result.stderr
    assert all(PROGRESS.match(line) for line in result.stderr.splitlines()), result.stderr


# -- tables ---------------------------------------------------------------------------------------------
LONG_ROWS = [
    ["azure-native:machinelearningservices:OnlineDeployment", "fraud-ml-prod-fraud-scorer-canary", "yes",
     "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules "
     "explains the rule; the deployment name is 3-32 characters"],
    ["aws:sagemaker/featureGroup:FeatureGroup", "fraud-ml-prod-transactions-s54fe89cb", "",
     "a short note"],
]


def _words(rows) -> set[str]:
    return {word for row in rows for cell in row for word in str(cell).split()}


def _shown(word: str, lines: list[str]) -> bool:
    """`word` whole on one line, or folded: its pieces on consecutive lines, each piece but the last ending
    the line or followed by a space, each continuation at or left of where the word began (its column)."""
    if any(word in line for line in lines):
        return True
    for k, line in enumerate(lines):
        for start in range(len(line)):
            rest, column, row, offset = word, start, k, start
            while row < len(lines):
                text = lines[row]
                piece = text[offset:].split(" ", 1)[0]
                if not piece or not rest.startswith(piece) or (row > k and offset > column):
                    break
                rest = rest[len(piece):]
                if not rest:
                    return row > k
                row += 1
                if row < len(lines):
                    nxt = lines[row]
                    offset = next((i for i in range(min(column, len(nxt)), -1, -1)
                                   if nxt[i:].startswith(rest[:1]) and (i == 0 or nxt[i - 1] == " ")), -1)
                    if offset < 0:
                        break
    return False


@pytest.mark.parametrize("width", [80, 100])
@pytest.mark.parametrize("rows", [LONG_ROWS, [[w, "x"] for w in ("alpha beta gamma " * 12).split()]])
def test_tables_fit_the_width_and_never_cut_a_word(width, rows):
    headers = ["type", "name", "protected", "note"][: len(rows[0])]
    text = table(headers, rows, width=width)
    assert max(len(line) for line in text.splitlines()) <= width, text
    assert "…" not in text, text
    for word in _words(rows):
        # whole on one line or, wider than its column, folded across lines with every character kept
        assert _shown(word, text.splitlines()), (word, text)


def test_key_columns_keep_their_longest_word_before_the_prose_column_does():
    """At 80 columns the policy name stays whole; the resource, wider than what is left, folds."""
    rows = [["advisory", "nonprod-endpoint-scale-to-zero",
             "aws:sagemaker/endpointConfiguration:EndpointConfiguration fraud-ml-dev-fraud-scorer-config",
             "dev SageMaker variant 'stable' cannot scale to zero; use serverless inference"]]
    text = table(["level", "policy", "resource", "message"], rows, width=80)
    lines = text.splitlines()
    assert any("advisory  nonprod-endpoint-scale-to-zero  " in line for line in lines), text
    assert _shown("aws:sagemaker/endpointConfiguration:EndpointConfiguration", lines), text
    assert "serverless" in text and "…" not in text


def _table_lines(text: str) -> list[str]:
    """The lines of every table in a command's output: from the header above a rule to the blank line."""
    lines, found = text.splitlines(), []
    for index, line in enumerate(lines):
        if line.strip() and set(line.strip()) == {"─"}:
            end = next((i for i in range(index, len(lines)) if not lines[i].strip()), len(lines))
            found += lines[index - 1:end]
    return found


@pytest.mark.parametrize("columns", ["80", "100"])
@pytest.mark.parametrize("argv", [["plan", "--stack", "azure-prod"], ["plan", "--stack", "aws-prod"],
                                  ["cost", "--stack", "aws-prod"], ["cost", "--stack", "azure-prod"],
                                  ["policy", "check", "--stack", "aws-dev"]])
def test_command_tables_follow_the_terminal_width(monkeypatch, argv, columns):
    """Every table fits the terminal, and no identifier is cut: resource names, types and policy names
    show whole, or (wider than their column) folded with every character kept."""
    from tests.support.plans import reference_plan

    plan = reference_plan(argv[-1])
    monkeypatch.setenv("COLUMNS", columns)
    result = runner.invoke(app, argv)
    assert result.exit_code in (0, 1), result.output
    tables = _table_lines(result.stdout)
    assert tables, result.stdout
    too_wide = [line for line in tables if len(line) > int(columns)]
    assert not too_wide, "\n".join(too_wide)
    assert "…" not in result.stdout, result.stdout
    lines = result.stdout.splitlines()
    prefix = f"{plan.spec['name']}-{plan.environment}-"
    if argv[0] == "plan":
        words = {w for r in plan.custom_resources() for w in (r.name, r.type)}
    elif argv[0] == "cost":
        words = {r.name.removeprefix(prefix) for r in plan.custom_resources()} & set(result.stdout.split())
        assert len(words) > 10, words  # the priced resources' names, whole (they fit)
        assert all(any(w in line.split() for line in lines) for w in words)
    else:
        import json

        violations = json.loads(runner.invoke(app, [*argv, "-f", "json"]).stdout)["violations"]
        assert violations
        words = {v[key] for v in violations for key in ("policy", "resourceType", "resourceName") if v.get(key)}
        assert all(any(v["policy"] in line.split() for line in lines) for v in violations), result.stdout
    missing = [w for w in words if not _shown(w, lines)]
    assert not missing, (missing, result.stdout)
