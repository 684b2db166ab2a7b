"""A program that used `asyncio.run()` (which leaves its thread without a current event loop) can still plan."""

from __future__ import annotations

import asyncio

from mlplat.offline_plan import plan_stack
from tests.support.plans import STACKS_DIR


def test_plan_after_asyncio_run_leaves_no_current_loop():
    async def nothing():
        return None

    asyncio.run(nothing())
    plan = plan_stack("aws-dev", STACKS_DIR)
    assert plan.custom_resources()
