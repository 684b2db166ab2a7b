"""Cost policies: spot training, scale to zero, GPU limits, endpoint autoscaling, FinOps tags, budgets. One
module per concern; this one lists them (the SARIF report tags the policies listed here `cost`).

Each policy is a no-op for resource types it does not know, so it keeps working as capabilities land.
"""

try:
    from . import cost_endpoints, cost_finops, cost_training
except ImportError:  # run by the Pulumi CLI as a directory: siblings are top-level modules
    import cost_endpoints  # type: ignore[no-redef]
    import cost_finops  # type: ignore[no-redef]
    import cost_training  # type: ignore[no-redef]

POLICIES = [*cost_training.POLICIES, *cost_endpoints.POLICIES, *cost_finops.POLICIES]
