"""The floor under an offline plan: a bare Pulumi mock program that registers the same resource types, names,
parents and inputs as a given plan, through the provider SDK modules those types live in, and nothing else
(no spec, no components, no capability logic, no mlplat mocks). Each custom resource registers the
properties its SDK class declares, as that class's constructor does, so the floor holds the same number of
`Output`s as any program using the SDK's classes (most of a large plan's memory).

Run: `python benchmarks/floor_program.py PLAN.json` where PLAN.json is `mlplat plan --format json` output.
`benchmarks/process_times.py` times this process next to the real one: the difference is what mlplat
itself costs; the floor is what importing the SDKs and running Pulumi's runtime costs.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import json
import sys

SDK_PACKAGES = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native", "gcp": "pulumi_gcp",
                "kubernetes": "pulumi_kubernetes"}


def sdk_class(type_token: str) -> tuple[str, str] | None:
    """`aws:ec2/vpc:Vpc` -> (`pulumi_aws.ec2`, `Vpc`): the module and class a program uses for that resource.
    Kubernetes modules carry their API version (`kubernetes:core/v1:Namespace` -> `pulumi_kubernetes.core.v1`).
    The catalogue's `sdk_module_and_class` answers the same; the floor keeps its own copy so that it imports
    nothing of mlplat (tests/benchmarks/test_floor_program.py keeps the two equal)."""
    package, module, kind = (type_token.split(":") + ["", ""])[:3]
    root = SDK_PACKAGES.get(package)
    if root is None:
        return None
    if package == "kubernetes" and "/" in module:  # API group and version: rbac.authorization.k8s.io/v1 -> rbac.v1
        group, version = module.split("/", 1)
        module = f"{group.split('.')[0]}.{version}"
    else:
        module = module.split("/")[0]
    return (root if module in ("", "index") else f"{root}.{module}"), kind


def declared_properties(resource_class: type) -> list[str]:
    """The engine names of the properties an SDK resource class declares (its `@pulumi.getter`s): its
    constructor registers every one of them (outputs it does not set as None), and the SDK creates an
    `Output` for each, whatever the program reads."""
    return [
        getattr(member.fget, "_pulumi_name")
        for member in vars(resource_class).values()
        if isinstance(member, property) and hasattr(member.fget, "_pulumi_name")
    ]


def main(path: str) -> None:
    gc.disable()  # the same collector settings as the mlplat CLI process (cli/app.py: tune_gc)
    atexit.register(gc.freeze)
    plan = json.loads(open(path).read())
    import pulumi

    # The SDK modules load lazily: touching the class imports its submodule (all of it), as the program does.
    classes = sorted({c for r in plan["resources"] if (c := sdk_class(r["type"]))})
    declared = {(module, kind): declared_properties(getattr(importlib.import_module(module), kind))
                for module, kind in classes}

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args):
            return {}

    pulumi.runtime.set_mocks(Mocks(), project="mlplat", stack=plan["stack"], preview=False)
    # Parents before children: a URN's type part holds one `$` per ancestor component.
    ordered = sorted(plan["resources"], key=lambda r: r["urn"].split("::")[2].count("$"))

    def program():
        created = {}
        for r in ordered:
            opts = pulumi.ResourceOptions(parent=created.get(r["parent"]), protect=r["protect"])
            if r["type"].startswith("mlplat:"):
                created[r["urn"]] = pulumi.ComponentResource(r["type"], r["name"], None, opts)
            else:
                # What a resource class of the SDK registers: every property it declares (None unless an input:
                # not sent to the engine, but an `Output` each), then the inputs.
                props = dict.fromkeys(declared.get(sdk_class(r["type"]), ()))
                props.update(r["inputs"])
                created[r["urn"]] = pulumi.CustomResource(r["type"], r["name"], props, opts)

    pulumi.runtime.mocks.test(program)()


if __name__ == "__main__":
    main(sys.argv[1])
