"""A plan still runs after the caller's thread used `asyncio.run` (which leaves no current loop)."""

from __future__ import annotations

import asyncio
import textwrap


async def _nothing():
    return None


def test_a_plan_after_asyncio_run(tmp_path):
    from mlplat.offline_plan import plan_file

    asyncio.run(_nothing())
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent("""\
        name: shop
        environment: dev
        cloud: aws
        region: us-east-1
        finops: {cost_center: cc-1, owner: ml@example.com, team: ml}
        """))
    plan = plan_file(path)
    assert any(r.type == "mlplat:aws:Base" for r in plan.resources)
