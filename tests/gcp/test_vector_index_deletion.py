"""The Vertex AI vector index cannot be deleted in prod (deletion policy and protect), and can in dev."""

from __future__ import annotations

import pytest

from tests.support.plans import one_resource, reference_plan


@pytest.mark.parametrize("stack,policy", [("gcp-prod", "PREVENT"), ("gcp-dev", None)], ids=["gcp-prod", "gcp-dev"])
def test_the_vector_index_cannot_be_deleted_in_prod(stack, policy):
    index = one_resource(reference_plan(stack), "gcp:vertex/aiIndex:AiIndex")
    assert index.inputs.get("deletionPolicy") == policy
    assert index.protect is (policy is not None)
