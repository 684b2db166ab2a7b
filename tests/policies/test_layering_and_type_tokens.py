"""Provider type tokens are spelled only in the resource catalogue, and the pack and the components never import
the CLI: the pack must run standalone under the Pulumi CLI, and a type is known in one place."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.support.plans import ROOT

TYPE_TOKEN = re.compile(r"(aws|azure-native|gcp):[a-zA-Z0-9/]+:[A-Za-z]+")
CLI_IMPORT = re.compile(r"^\s*(import cli\b|from cli\b)", re.M)
COST_MODEL = ["mlplat/finops/sku.py", "mlplat/finops/charges.py", "mlplat/finops/pricing_rules.py",
              "mlplat/finops/estimate.py", "mlplat/finops/compare.py"]


def _python_files(*roots: str) -> list:
    return sorted(p for root in roots for p in ((ROOT / root).rglob("*.py") if (ROOT / root).is_dir() else [ROOT / root]))


def test_no_provider_type_token_in_the_policies_or_the_cost_model():
    found = [f"{p.relative_to(ROOT)}:{n}: {m.group(0)}"
             for p in _python_files("policies", *COST_MODEL)
             for n, line in enumerate(p.read_text().splitlines(), 1) for m in [TYPE_TOKEN.search(line)] if m]
    assert not found, "type tokens belong in components/catalog/resources:\n" + "\n".join(found)


def test_the_pack_and_the_components_do_not_import_the_cli():
    found = [str(p.relative_to(ROOT)) for p in _python_files("policies", "components") if CLI_IMPORT.search(p.read_text())]
    assert not found, found


def test_loading_the_pack_modules_loads_no_cli_module():
    code = ("import sys; sys.path.insert(0, 'policies'); import cost, security, budget_policy; "
            "print(sorted(m for m in sys.modules if m == 'cli' or m.startswith('cli.')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout
