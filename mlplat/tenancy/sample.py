"""A platform spec with N use cases, each with its own feature group, endpoint, budget and GPU share:
the scale the tenancy features are tested and benchmarked at."""

from __future__ import annotations


def many_use_cases_spec(count: int, cloud: str = "aws", environment: str = "prod") -> dict:
    """A valid spec (the value of `mlplat:platform`) with `count` use cases sharing one training cluster."""
    regions = {"aws": "us-east-1", "azure": "eastus", "gcp": "us-central1"}
    names = [f"uc{i:02d}" for i in range(1, count + 1)]
    max_nodes = max(1, -(-count // 8))  # one 8-GPU node per eight use cases: one GPU each
    return {
        "name": "tenants",
        "environment": environment,
        "cloud": cloud,
        "region": regions[cloud],
        "finops": {"cost_center": "cc-platform", "owner": "ml-platform@example.com", "team": "ml-platform"},
        "budget": {"monthly_usd": 5000.0 * count, "notify": ["finops@example.com"]},
        "use_cases": [
            {
                "name": name,
                "cost_center": f"cc-{i:04d}",
                "owner": f"{name}@example.com",
                "budget": {"monthly_usd": 2000.0, "notify": [f"{name}@example.com"]},
                "gpu_share": {"max_gpus": 1},
                "max_endpoint_replicas": 4,
            }
            for i, name in enumerate(names, start=1)
        ],
        "feature_store": {
            "online": True,
            "feature_groups": [
                {"name": f"{name}-features", "entity": "entity_id", "event_time": "event_ts", "use_case": name,
                 "features": {"score_7d": "float", "count_30d": "int"}}
                for name in names
            ],
        },
        "training": {"gpu": "a100", "gpus_per_node": 8, "max_nodes": max_nodes, "spot": True},
        "registry": {},
        "endpoints": [{"name": f"{name}-api", "compute": "cpu", "max_replicas": 2, "use_case": name} for name in names],
    }
