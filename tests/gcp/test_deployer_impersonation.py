"""The Vertex AI deployer (dynamic provider) impersonates the service account the gcp provider is
configured to impersonate, and uses Application Default Credentials as they are otherwise."""

from __future__ import annotations

from tests.support.plans import one_resource, plan_of_stack, reference_plan


def test_the_deployer_impersonates_the_account_the_gcp_provider_impersonates(tmp_path):
    plan = plan_of_stack(tmp_path, "gcp-dev", config={
        "gcp:impersonateServiceAccount": "deployer@fraud-ml-dev-project.iam.gserviceaccount.com",
        "gcp:impersonateServiceAccountDelegates": ["hop@fraud-ml-dev-project.iam.gserviceaccount.com"],
    })
    deployment = one_resource(plan, "pulumi-python:dynamic:Resource", name_part="-deployment").inputs
    assert deployment["impersonate_service_account"] == "deployer@fraud-ml-dev-project.iam.gserviceaccount.com"
    assert deployment["impersonate_delegates"] == ["hop@fraud-ml-dev-project.iam.gserviceaccount.com"]
    # Without the setting the deployer uses Application Default Credentials as they are.
    plain = one_resource(reference_plan("gcp-dev"), "pulumi-python:dynamic:Resource", name_part="-deployment").inputs
    assert "impersonate_service_account" not in plain
