"""FinOps library: SKU resolution of planned resources, the monthly cost estimate, the cross-cloud
comparison and the price refreshers. Standard library + the price catalog only (the policy pack imports
the cost model); the refreshers import their SDKs inside their functions."""
