"""The downstream half of promotion: `promoted_from` names the previous environment whose approved models
this stack deploys (docs/retraining.md, "Promotion").

The upstream stack's `promotion` section makes the resource-side grants (its registry, images, artifacts and
key name this account or project). Where a cloud also needs identity-side permissions in the downstream
account (AWS: the execution role's policy; GCP: the account that uploads the model), this section is what
the downstream stack builds them from: the previous environment's name gives every upstream resource name
mlplat derives (`<platform>-<environment>-...`), `principal` its account or project.
"""

from __future__ import annotations

from pydantic import Field

from .base import SpecModel
from .retraining import ENVIRONMENT_ORDER


class PromotedFromSpec(SpecModel):
    environment: str = Field(description="The previous environment, whose stack's promotion.to names this one.")
    principal: str = Field(
        min_length=1, description="That environment's account id (AWS) or project id (GCP).",
    )


def check_promoted_from(spec) -> None:
    """`promoted_from` names an earlier environment and its account/project, on a cloud that needs it."""
    source = spec.promoted_from
    if source is None:
        return
    from ..cloud import CloudFeature
    from ..registry import cloud_of

    cloud = cloud_of(spec.cloud)
    lacking = cloud.feature_gap(CloudFeature.PROMOTED_FROM_GRANTS)
    if lacking:
        raise ValueError(f"promoted_from: not on {spec.cloud.value}: {lacking}")
    here = ENVIRONMENT_ORDER.index(spec.environment.value)
    earlier = ENVIRONMENT_ORDER[:here]
    if source.environment not in earlier:
        raise ValueError(
            f"promoted_from.environment: environment {source.environment!r} does not come before "
            f"{spec.environment.value} (promote from one of {earlier or 'nothing: dev is the first environment'})"
        )
    problem = cloud.promotion_principal_error(source.principal)
    if problem:
        raise ValueError(f"promoted_from.principal: {problem}")
