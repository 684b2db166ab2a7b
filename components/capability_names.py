"""Which capability each component class builds, as plain data: component class name (the last part of
its type token `mlplat:<cloud>:<Component>`) -> capability key (the spec section, the plan's "capability"
column).

`components/capabilities.py` derives the same map from the contracts; this copy exists for readers that
need only the names, above all the policy pack, whose process would otherwise import Pulumi's component
classes, the whole pydantic spec and pydantic itself to attribute a resource to a capability.
tests/policies/test_pack_imports.py keeps the two equal.
"""

CAPABILITY_OF_COMPONENT: dict[str, str] = {
    "Base": "base",
    "TrainingCluster": "training",
    "FeatureStore": "feature_store",
    "ModelRegistry": "registry",
    "Endpoint": "endpoints",
    "VectorSearch": "vector_search",
    "RagGeneration": "rag",
    "Budget": "budget",
    "UseCase": "use_cases",
    "Monitoring": "monitoring",
    "Retraining": "retraining",
    "BatchInference": "batch_inference",
    "Promotion": "promotion",
}
