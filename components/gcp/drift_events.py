"""Drift alerts for machines on GCP: a Pub/Sub topic and a `pubsub` notification channel on it, added to
the Vertex AI monitor's channels of an endpoint whose drift starts a retraining (the retraining's Eventarc
trigger subscribes to the topic, components/gcp/retraining_drift.py).

Facts: Cloud Monitoring `pubsub` channels take the label `topic` (`projects/<p>/topics/<t>`) and publish as
the project's notification service agent `service-<number>@gcp-sa-monitoring-notification.iam.gserviceaccount.com`,
which needs `roles/pubsub.publisher` on the topic (cloud.google.com/monitoring/support/notification-options#pubsub);
a topic under a customer-managed key needs the Pub/Sub service agent on the key.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from ..context import PlatformContext
from .base import Base


def drift_channel(ctx: PlatformContext, parent: pulumi.Resource, base: Base, endpoint: str,
                  labels: dict) -> tuple[gcp.pubsub.Topic, gcp.monitoring.NotificationChannel]:
    """The topic (under the platform key when there is one) and the channel publishing to it."""
    topic = gcp.pubsub.Topic(
        ctx.name(endpoint, "drift"),
        name=ctx.name(endpoint, "drift"),
        project=base.project,
        kms_key_name=base.key_id if ctx.customer_managed_keys else None,
        labels=labels,
        opts=ctx.child(parent, depends_on=base.key_access("pubsub")),
    )
    publisher = gcp.pubsub.TopicIAMMember(
        ctx.name(endpoint, "drift-publisher"),
        project=base.project,
        topic=topic.name,
        role="roles/pubsub.publisher",
        member=base.service_agent("monitoring-notification"),
        opts=ctx.child(topic),
    )
    channel = gcp.monitoring.NotificationChannel(
        ctx.name(endpoint, "drift-events"),
        project=base.project,
        display_name=f"mlplat {ctx.prefix}: {endpoint} drift (retraining trigger)",
        type="pubsub",
        labels={"topic": topic.id},
        user_labels=labels,
        opts=ctx.child(parent, depends_on=[publisher]),
    )
    return topic, channel
