"""Opt-in cloud features (one cloud's service): a cloud has one only when it offers it; any other cloud, a new
one included, lacks it with the stated reason, and a cloud's own reason wins over the generic one."""

from __future__ import annotations

import pytest

from components.cloud import OPT_IN_FEATURES, CloudFeature, CloudFeatureUnsupported
from components.gcp.cloud import GcpCloud
from components.registry import cloud_of

PIPELINE, PROMOTED = CloudFeature.RETRAINING_PIPELINE, CloudFeature.PROMOTED_FROM_GRANTS


class AcmeCloud(GcpCloud):
    """A cloud that declares no gaps and offers nothing (never registered)."""

    name, display_name, offered_features = "acme", "Acme", frozenset()

    def unsupported_features(self):
        return {}


def test_aws_offers_both_gcp_the_downstream_grants_only():
    aws, gcp, azure = cloud_of("aws"), cloud_of("gcp"), cloud_of("azure")
    assert aws.supports(PIPELINE) and aws.supports(PROMOTED)
    assert gcp.supports(PROMOTED) and not gcp.supports(PIPELINE)
    assert not azure.supports(PIPELINE) and not azure.supports(PROMOTED)


def test_a_cloud_that_does_not_offer_one_gets_the_generic_reason_with_its_name():
    acme = AcmeCloud()
    assert acme.feature_gap(PIPELINE) == OPT_IN_FEATURES[PIPELINE].format(cloud="Acme")
    with pytest.raises(CloudFeatureUnsupported, match="acme has no retraining started as a SageMaker pipeline"):
        acme.check_features({PIPELINE})
    assert acme.feature_gap(CloudFeature.ALARM_ROLLBACK) is None  # not opt-in: declared gaps only


def test_a_cloud_s_own_reason_wins():
    assert "Vertex AI pipeline job" in cloud_of("gcp").feature_gap(PIPELINE)
