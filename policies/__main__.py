"""The mlplat policy pack: the entry point the Pulumi CLI runs (`pulumi preview --policy-pack policies`).

The CLI's Python plugin host runs `python -u -m pulumi.policy <engine-address> <this directory>`, which runs this
file; PolicyPack(...) starts the Analyzer gRPC server and prints its port on stdout. `mlplat policy check`
starts the pack exactly the same way.
"""

import gc
import os
import sys

# The pack process lives for one analysis, like the CLI process that starts it (cli/app.py: tune_gc): the
# cyclic collector would rescan the objects the SDK and the pack's imports create, again and again, for
# garbage there is little of. Reference counting still frees everything acyclic.
gc.disable()

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:  # run as a directory: rule modules are siblings
    sys.path.insert(0, _HERE)

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

import budget_policy  # noqa: E402  (imports the cost model from the project: the pack runs in its venv)
import cost  # noqa: E402
import monitoring_policy  # noqa: E402
import rag_generation  # noqa: E402
import security  # noqa: E402

PolicyPack(
    name="mlplat-policies",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=[*cost.POLICIES, budget_policy.budget_within_estimate, *security.POLICIES, *monitoring_policy.POLICIES,
              *rag_generation.POLICIES],
    description="mlplat cost and security policies for ML platform stacks on AWS, Azure and GCP.",
)
