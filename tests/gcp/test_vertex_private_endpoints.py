"""A private (Private Service Connect) Vertex AI endpoint: the deployer reports and refreshes its address."""

from __future__ import annotations

import re

from google.cloud import aiplatform_v1
import pulumi

from tests.support.fake_vertex import fake, provider  # noqa: F401 (fixtures)
from tests.support.fake_vertex import ENDPOINT, deployer_props


def _psc_config():
    return aiplatform_v1.PrivateServiceConnectConfig(
        enable_private_service_connect=True,
        project_allowlist=["p"],
        psc_automation_configs=[
            aiplatform_v1.PSCAutomationConfig(
                project_id="p", network="projects/42/global/networks/vpc", ip_address="10.0.0.7",
                forwarding_rule="projects/p/regions/us-central1/forwardingRules/fr-1",
                state=aiplatform_v1.PSCAutomationState.PSC_AUTOMATION_STATE_SUCCESSFUL,
            )
        ],
    )


def test_private_endpoints_report_the_psc_address(provider, fake):
    fake.psc = _psc_config()
    created = provider.create(deployer_props(private=True))
    assert created.outs["private_access"]["ip_address"] == "10.0.0.7"
    assert created.outs["private_access"]["dedicated_endpoint_dns"] == "123.us-central1-42.prediction.vertexai.goog"
    public = provider.create(deployer_props(private=False))
    assert public.outs["private_access"]["ip_address"] is None


def test_the_deployer_waits_for_psc_automation_to_give_the_address(provider, fake):
    fake.psc = _psc_config()
    fake.psc_pending_reads = 4  # create reads the endpoint once before deploying, then polls
    created = provider.create(deployer_props(private=True))
    assert created.outs["private_access"]["ip_address"] == "10.0.0.7"
    assert created.outs["private_access"]["forwarding_rule"].endswith("/fr-1")


def test_a_psc_address_that_comes_late_is_filled_in_by_the_next_up_or_a_refresh(provider, fake):
    fake.psc = _psc_config()
    fake.psc_wait_seconds = 0  # the address is not there within the wait
    fake.psc_pending_reads = 10**6
    created = provider.create(deployer_props(private=True))
    assert created.outs["private_access"]["ip_address"] is None and created.outs["private_access"]["psc_error"] is None
    # Nothing changed in the spec, but the state lacks the address: the next up is an update that re-reads it.
    assert provider.diff(ENDPOINT, created.outs, deployer_props(private=True)).changes
    fake.psc_pending_reads = 0
    updated = provider.update(ENDPOINT, created.outs, deployer_props(private=True))
    assert updated.outs["private_access"]["ip_address"] == "10.0.0.7"
    assert updated.outs["deployed"] == created.outs["deployed"]
    assert not provider.diff(ENDPOINT, updated.outs, deployer_props(private=True)).changes  # and then it is settled
    # `pulumi refresh` reads it too.
    refreshed = provider.read(ENDPOINT, created.outs)
    assert refreshed.id == ENDPOINT and refreshed.outs["private_access"]["ip_address"] == "10.0.0.7"
    assert refreshed.outs["deployed"] == created.outs["deployed"]


def test_a_failed_psc_automation_is_reported_not_waited_for(provider, fake):
    fake.psc = _psc_config()
    fake.psc.psc_automation_configs[0].ip_address = ""
    fake.psc.psc_automation_configs[0].forwarding_rule = ""
    fake.psc.psc_automation_configs[0].state = aiplatform_v1.PSCAutomationState.PSC_AUTOMATION_STATE_FAILED
    fake.psc.psc_automation_configs[0].error_message = "no service connection policy for gcp-vertexai"
    fake.psc_wait_seconds = 3600  # would hang the test if a failure were waited on
    created = provider.create(deployer_props(private=True))
    assert created.outs["private_access"]["psc_error"] == "no service connection policy for gcp-vertexai"
    assert created.outs["private_access"]["ip_address"] is None
    assert not provider.diff(ENDPOINT, created.outs, deployer_props(private=True)).changes  # an error is not retried each up


def test_refresh_of_a_deleted_endpoint_reports_the_deployment_gone(provider, fake):
    created = provider.create(deployer_props())
    assert provider.read(ENDPOINT, created.outs).outs["deployed"] == created.outs["deployed"]
    fake.gone = True
    assert provider.read(ENDPOINT, created.outs).id == ""
