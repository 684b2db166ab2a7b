"""mlplat's libraries, called by the CLI (`cli/`) and, for the cost model, by the policy pack:

- `offline_plan`: the real Pulumi program under Pulumi's mock runtime, recorded resource by resource;
- `policy_run`: the policy pack started as the Pulumi CLI starts it, driven over the Analyzer protocol;
- `finops`: the cost model, the cross-cloud comparison and the price refreshers;
- `ops`: stack files, backends, quotas and deployment through the Automation API;
- `project`: where the Pulumi project and its stacks are.

Layers point one way: cli -> mlplat -> components (spec, catalogue, components); policies -> mlplat.finops
and components. Nothing here imports `cli`.
"""
