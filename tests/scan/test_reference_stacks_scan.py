"""checkov over the six reference stacks and a deliberately bad plan, in ONE checkov run (the tool env is cached
under ~/.cache/mlplat/tools). SKIPPED, saying so, when checkov cannot be installed on this machine.

Every failed check on the reference stacks is either fixed or in the documented skip list (mlplat/scan/skips.py,
docs/scanning.md): the test requires no failed check at all, so a new finding fails."""

from __future__ import annotations

import copy

import pytest

from mlplat.scan import scan_plans
from mlplat.scan.skips import SKIPS
from tests.support.plans import REFERENCE_STACKS, reference_plan
from tests.support.scan import checkov_or_skip

# What a deliberately bad plan must fail: IMDSv1 allowed, no scan on push, key rotation off.
BAD_CHECKS = {"CKV_AWS_79", "CKV_AWS_163", "CKV_AWS_7"}


def bad_plan():
    plan = copy.deepcopy(reference_plan("aws-prod"))
    plan.stack = "aws-bad"
    for r in plan.resources:
        if r.type == "aws:ec2/launchTemplate:LaunchTemplate":
            r.inputs["metadataOptions"]["httpTokens"] = "optional"
        elif r.type == "aws:ecr/repository:Repository":
            r.inputs["imageScanningConfiguration"] = {"scanOnPush": False}
        elif r.type == "aws:kms/key:Key":
            r.inputs["enableKeyRotation"] = False
    return plan


@pytest.fixture(scope="module")
def results():
    checkov_or_skip()
    plans = [reference_plan(stack) for stack in REFERENCE_STACKS] + [bad_plan()]
    return {result.stack: result for result in scan_plans(plans)}


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_reference_stack_fails_no_check(results, stack):
    result = results[stack]
    assert result.parsing_errors == []
    assert result.passed, f"{stack}: checkov evaluated nothing: the translation produced no input it reads"
    reported = {check: sorted(c.resource_name for c in result.failed if c.check == check)
                for check in result.failed_ids()}
    assert result.failed_ids() == set(), f"{stack}: failed checks: {reported}"
    assert all(c.urn and c.resource_type for c in result.failed + result.passed + result.skipped)


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_skipped_checks_are_the_documented_design_choices(results, stack):
    result = results[stack]
    allowed = {s.check for s in SKIPS if s.cloud == result.cloud and result.environment in s.environments}
    assert {c.check for c in result.skipped} <= allowed
    assert all(c.reason for c in result.skipped), "every skip carries its reason"


def test_sampled_checks_ran_on_their_resources(results):
    """A check that never ran on a resource would pass by omission: these must be evaluated (passed or failed)."""
    ran = {(c.check, c.resource_type) for r in results.values() for c in r.passed + r.failed + r.skipped}
    for pair in [("CKV_AWS_79", "aws:ec2/launchTemplate:LaunchTemplate"), ("CKV_AWS_163", "aws:ecr/repository:Repository"),
                 ("CKV_AWS_290", "aws:iam/rolePolicy:RolePolicy"), ("CKV_AWS_7", "aws:kms/key:Key"),
                 ("CKV_GCP_29", "gcp:storage/bucket:Bucket"), ("CKV_GCP_69", "gcp:container/nodePool:NodePool"),
                 ("CKV_AZURE_35", "azure-native:storage:StorageAccount"),
                 ("CKV_AZURE_110", "azure-native:keyvault:Vault"), ("CKV_AZURE_89", "azure-native:redis:Redis"),
                 ("CKV_AZURE_134", "azure-native:cognitiveservices:Account"),
                 ("CKV_AZURE_236", "azure-native:cognitiveservices:Account"),
                 ("CKV_AZURE_238", "azure-native:cognitiveservices:Account"),
                 ("CKV_AZURE_39", "azure-native:authorization:RoleDefinition")]:
        assert pair in ran, f"{pair[0]} never evaluated a {pair[1]}"


def test_a_deliberately_bad_stack_fails_with_the_expected_checks(results):
    result = results["aws-bad"]
    assert BAD_CHECKS <= result.failed_ids()
    assert result.failed_ids() == BAD_CHECKS
    violations = {(v.policy, v.resource_type) for v in result.violations()}
    assert ("CKV_AWS_79", "aws:ec2/launchTemplate:LaunchTemplate") in violations
    assert all(v.enforcement_level == "mandatory" for v in result.violations())
