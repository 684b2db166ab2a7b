"""AWS: one module per capability, and `cloud.py`, the cloud object registered in components/registry.py.

Kept empty so that the registry (and `mlplat --help`) can import `cloud.py` without the provider SDK.
"""
