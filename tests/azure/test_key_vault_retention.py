"""Azure Key Vault soft delete in the offline plans: a dev vault's name comes back a week after a destroy,
prod keeps 90 days with purge protection, customer-managed keys need purge protection in dev too, and
an existing vault keeps the retention it was created with."""

from __future__ import annotations

from mlplat.offline_plan import plan_stack
from tests.support.plans import STACKS_DIR, plan_of_spec, platform_document, reference_plan


def _vault(plan):
    (vault,) = plan.by_type("azure-native:keyvault:Vault")
    return vault.inputs["properties"]


def test_dev_vault_keeps_deleted_names_for_seven_days_without_purge_protection():
    properties = _vault(reference_plan("azure-dev"))
    assert properties["softDeleteRetentionInDays"] == 7
    assert not properties.get("enablePurgeProtection")


def test_prod_vault_keeps_90_days_with_purge_protection():
    properties = _vault(reference_plan("azure-prod"))
    assert properties["softDeleteRetentionInDays"] == 90
    assert properties["enablePurgeProtection"] is True


def test_an_existing_vault_keeps_its_retention(registrations):
    plan_stack("azure-dev", STACKS_DIR)
    (vault,) = [r for r in registrations.values() if r.type == "azure-native:keyvault:Vault"]
    assert list(vault.ignoreChanges) == ["properties.softDeleteRetentionInDays"]


def test_customer_managed_keys_turn_purge_protection_on_in_dev_too(tmp_path):
    raw = platform_document("azure-dev")
    raw["encryption"] = {"customer_managed_keys": True}
    properties = _vault(plan_of_spec(tmp_path, raw, "azure"))
    assert properties["enablePurgeProtection"] is True and properties["softDeleteRetentionInDays"] == 7
