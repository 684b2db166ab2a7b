"""The floor under the mlplat policy pack: the same plugin process (`python -m pulumi.policy`, pulumi-policy
serving the Analyzer protocol, the same collector setting as policies/__main__.py) with one stack policy that
reads every resource's properties and reports nothing. What the mlplat pack costs above this is its own modules
(the catalogue, the cost model) and its rules."""

import gc

gc.disable()

from pulumi_policy import EnforcementLevel, PolicyPack, StackValidationPolicy  # noqa: E402


def _walk(args, report_violation) -> None:
    for resource in args.resources:
        dict(resource.props or {})


PolicyPack(
    name="bare-analyzer",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=[StackValidationPolicy(name="walk-resources", description="Reads every resource; reports nothing.",
                                    validate=_walk)],
)
