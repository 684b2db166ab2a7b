"""GCP promotion, downstream half: a stack with `promoted_from` uploads its models as its workload account
(UploadModelRequest.service_account), the account the previous environment's stack grants read on its model
artifacts and images; without it the upload keeps Vertex AI's default (the project's service agent)."""

from __future__ import annotations

import pytest

from components.gcp.promotion import downstream_workload_account
from tests.support.fake_vertex import fake, provider  # noqa: F401 (fixtures)
from tests.support.fake_vertex import deployer_props
from tests.support.plans import plan_of_stack, reference_plan, resources_of

UPSTREAM = "fraud-ml-staging-project"
DEPLOYMENT = "pulumi-python:dynamic:Resource"


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return plan_of_stack(tmp_path_factory.mktemp("promoted"), "gcp-prod",
                         edit=lambda p: p.update(promoted_from={"environment": "staging", "principal": UPSTREAM}))


def _deployments(plan):
    return [r for r in resources_of(plan, DEPLOYMENT, "endpoints") if "versions" in r.inputs]


def test_the_deployments_upload_as_the_workload_account_the_upstream_grants(plan):
    deployments = _deployments(plan)
    assert deployments
    workload = plan.outputs["training"]["training"]["extras"]["workload_service_account"]
    for deployment in deployments:
        assert deployment.inputs["upload_service_account"] == deployment.inputs["service_account"] == workload


def test_the_upstream_grant_names_that_same_account(plan):
    # What the staging stack's promotion grants (components/gcp/promotion.py) when it promotes to this project.
    from types import SimpleNamespace

    project = plan.outputs["training"]["training"]["extras"]["workload_service_account"].split("@")[1].split(".")[0]
    member = downstream_workload_account(SimpleNamespace(spec=SimpleNamespace(name=plan.spec["name"])),
                                         SimpleNamespace(to="prod", principal=project))
    assert member == "serviceAccount:" + _deployments(plan)[0].inputs["upload_service_account"]


def test_without_promoted_from_the_upload_keeps_the_default():
    assert all("upload_service_account" not in r.inputs for r in _deployments(reference_plan("gcp-prod")))


def test_the_deployer_sends_the_upload_service_account(provider, fake):
    provider.create(deployer_props(upload_service_account="workloads@p.iam.gserviceaccount.com"))
    uploads = [args for name, args in fake.calls if name == "upload_model"]
    assert uploads and {args["service_account"] for args in uploads} == {"workloads@p.iam.gserviceaccount.com"}


def test_without_it_the_deployer_sends_none(provider, fake):
    provider.create(deployer_props())
    assert {args["service_account"] for name, args in fake.calls if name == "upload_model"} == {""}
