"""AWS use cases as customers: a budget and an anomaly monitor per use case on its tag, fair-share
identifiers with the stated shares, and one role per use case whose policy names only its own resources."""

from __future__ import annotations

import json

from policies.use_case_isolation import violations
from tests.support.aws import role_policy_statements
from tests.support.plans import resources_of
from tests.support.tenancy import as_policy_resources, tenancy_plan

COUNT = 3


def plan():
    return tenancy_plan(COUNT, "aws")


def test_one_budget_per_use_case_filtered_on_its_tag_with_its_recipients():
    budgets = {r.name: r.inputs for r in resources_of(plan(), "aws:budgets/budget:Budget", "use_cases")}
    assert sorted(budgets) == [f"tenants-prod-uc0{i}-budget" for i in range(1, COUNT + 1)]
    uc02 = budgets["tenants-prod-uc02-budget"]
    tags = {t["tags"]["key"]: t["tags"]["values"] for t in uc02["filterExpression"]["ands"]}
    assert tags == {"platform": ["tenants"], "environment": ["prod"], "use-case": ["uc02"]}
    assert uc02["limitAmount"] == "2000.00" and uc02["timeUnit"] == "MONTHLY"
    recipients = {a for n in uc02["notifications"] for a in n["subscriberEmailAddresses"]}
    assert recipients == {"uc02@example.com"}
    assert sorted(n["threshold"] for n in uc02["notifications"] if n["notificationType"] == "ACTUAL") == [50, 80, 100]


def test_an_anomaly_monitor_on_the_use_case_tag_with_a_daily_subscription():
    monitors = resources_of(plan(), "aws:costexplorer/anomalyMonitor:AnomalyMonitor")
    assert len(monitors) == COUNT
    spec = json.loads(next(m for m in monitors if "uc03" in m.name).inputs["monitorSpecification"])
    assert spec == {"Tags": {"Key": "use-case", "Values": ["uc03"], "MatchOptions": ["EQUALS"]}}
    subscription = next(s for s in resources_of(plan(), "aws:costexplorer/anomalySubscription:AnomalySubscription")
                        if "uc03" in s.name).inputs
    assert subscription["frequency"] == "DAILY"
    assert subscription["subscribers"] == [{"type": "EMAIL", "address": "uc03@example.com"}]


def test_a_fair_share_queue_with_one_share_identifier_per_use_case():
    policy = resources_of(plan(), "aws:batch/schedulingPolicy:SchedulingPolicy")[0].inputs
    shares = {s["shareIdentifier"]: s["weightFactor"] for s in policy["fairSharePolicy"]["shareDistributions"]}
    assert shares == {f"uc0{i}": 1.0 for i in range(1, COUNT + 1)}  # one GPU each: equal weights
    queues = {q.name: q.inputs for q in resources_of(plan(), "aws:batch/jobQueue:JobQueue")}
    assert "schedulingPolicyArn" not in queues["tenants-prod-training-queue"]  # the FIFO queue is untouched
    assert queues["tenants-prod-training-shared-queue"]["schedulingPolicyArn"]


def test_one_role_per_use_case_naming_only_its_own_resources():
    roles = resources_of(plan(), "aws:iam/role:Role", "use_cases")
    assert len(roles) == COUNT and all(r.inputs["tags"]["use-case"] in r.name for r in roles)
    statements = {s.get("Sid"): s for s in role_policy_statements(plan(), "uc02-identity-own")}
    resources = lambda sid: statements[sid]["Resource"]  # noqa: E731
    assert [r.rsplit("/", 1)[0].rsplit(":", 1)[1] for r in resources("OwnFeatureGroups")] == ["feature-group"]
    assert all("uc02-features" in r for r in resources("OwnFeatureGroups"))
    assert resources("InvokeOwnEndpoints") == ["arn:aws:sagemaker:us-east-1:123456789012:endpoint/tenants-prod-uc02-api"]
    assert all(r.endswith("/use-cases/uc02/*") for r in resources("OwnPrefix"))
    assert statements["ListOwnPrefix"]["Condition"] == {"StringLike": {"s3:prefix": ["use-cases/uc02/*"]}}
    assert all("tenants-prod-uc02-models" in r for r in resources("OwnModelGroup"))
    assert statements["SubmitUnderOwnShare"]["Condition"] == {"StringEquals": {"batch:ShareIdentifier": "uc02"}}
    everything = json.dumps(list(statements.values()))
    assert "uc01" not in everything and "uc03" not in everything


def test_the_pack_accepts_isolated_identities():
    assert violations(as_policy_resources(plan())) == []


def test_the_pack_flags_an_identity_reaching_another_use_case():
    def widen(resources):
        policy = next(r for r in resources if r.name == "tenants-prod-uc02-identity-own")
        document = json.loads(policy.props["policy"])
        document["Statement"].append({"Effect": "Allow", "Action": ["sagemaker:InvokeEndpoint"], "Resource": [
            "arn:aws:sagemaker:us-east-1:123456789012:endpoint/tenants-prod-uc01-api"]})
        document["Statement"].append({"Effect": "Allow", "Action": ["s3:GetObject"],
                                      "Resource": ["arn:aws:s3:::tenants-prod-data/use-cases/uc03/*"]})
        document["Statement"].append({"Effect": "Allow", "Action": ["sagemaker:GetRecord"], "Resource": ["*"]})
        policy.props["policy"] = json.dumps(document)

    messages = [m for m, _ in violations(as_policy_resources(plan(), widen))]
    assert any("reaches endpoint tenants-prod-uc01-api of uc01" in m for m in messages), messages
    assert any("outside its prefix use-cases/uc02/" in m for m in messages)
    assert any("on '*'" in m for m in messages)
    assert all(m.startswith("use case 'uc02'") for m in messages)
