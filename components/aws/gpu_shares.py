"""AWS GPU shares: a fair-share scheduling policy with one share identifier per use case that declares a
GPU share, and a second job queue on the same compute environment that uses it.

A second queue because Batch cannot add a scheduling policy to an existing FIFO queue (botocore batch
CreateJobQueueRequest.schedulingPolicyArn: "A job queue without a scheduling policy is scheduled as a
FIFO job queue and can't have a scheduling policy added"); the FIFO queue stays for platform jobs.
Batch fair share weighs, it does not cap: a share's weight factor is inversely proportional to its
fraction of the capacity (botocore ShareAttributes.weightFactor: "jobs that use a share identifier with
a weight factor of 0.125 (1/8) get 8 times the compute resources of jobs ... with a weight factor of 1").
"""

from __future__ import annotations

import pulumi_aws as aws

from ..context import PlatformContext
from ..naming import share_identifier

SHARE_DECAY_SECONDS = 3600  # recent usage counts against a share for an hour
MIN_WEIGHT, MAX_WEIGHT = 0.0001, 999.9999  # botocore ShareAttributes.weightFactor bounds


def share_weights(spec) -> dict[str, float]:
    """Share identifier -> weight factor (the largest share gets 1.0, smaller ones proportionally more)."""
    capacity = spec.training.max_nodes * spec.training.gpus_per_node
    fractions = {share_identifier(u.name): u.gpu_share.fraction(capacity) for u in spec.use_cases if u.gpu_share}
    if not fractions:
        return {}
    largest = max(fractions.values())
    return {k: min(MAX_WEIGHT, max(MIN_WEIGHT, round(largest / f, 4))) for k, f in fractions.items()}


def fair_share_queue(parent, ctx: PlatformContext, compute_environment, tags: dict, **queue_options):
    """The scheduling policy and the fair-share queue, or (None, None) when no use case has a share."""
    weights = share_weights(ctx.spec)
    if not weights:
        return None, None
    policy = aws.batch.SchedulingPolicy(
        ctx.name("training-shares"),
        name=ctx.name("training-shares"),
        fair_share_policy={
            "share_decay_seconds": SHARE_DECAY_SECONDS,
            "compute_reservation": 0,
            "share_distributions": [{"share_identifier": k, "weight_factor": w} for k, w in sorted(weights.items())],
        },
        tags=tags,
        opts=ctx.child(parent),
    )
    queue = aws.batch.JobQueue(
        ctx.name("training-shared-queue"),
        name=ctx.name("training-shared"),
        state="ENABLED",
        priority=1,
        scheduling_policy_arn=policy.arn,
        compute_environment_orders=[{"compute_environment": compute_environment.arn, "order": 1}],
        tags=tags,
        opts=ctx.child(parent, delete_before_replace=True),
        **queue_options,
    )
    return policy, queue
