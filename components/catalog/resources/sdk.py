"""What the installed provider SDK class of a type token accepts: the fallback for tag facts of a type
without a catalogue row, and what the catalogue tests check the rows against.

Reads the class's generated source file (the SDK modules are large to import), falling back to importing
only the module of the token; cached per token.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
from functools import lru_cache
from typing import Optional

_INIT_RE = re.compile(r"def _internal_init\(__self__,(.*?)\):", re.S)
_ARG_RE = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*:", re.M)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# Provider packages the catalogue holds rows of without being a cloud: Kubernetes objects on a cloud's
# cluster (GKE GPU shares). Their modules are versioned API groups (`core/v1`) and their files are named
# by the class itself (`Namespace.py`).
_OTHER_SDKS = {"kubernetes": "pulumi_kubernetes"}
KUBERNETES_NAME_INPUT = "metadata.name"  # every Kubernetes object is named by its metadata


def sdk_module_and_class(type_token: str) -> Optional[tuple[str, str]]:
    """`aws:ec2/vpc:Vpc` -> (`pulumi_aws.ec2`, `Vpc`): where the installed SDK defines the class of a type."""
    from . import clouds

    parts = type_token.split(":")
    if len(parts) != 3:
        return None
    sdk = next((c.sdk for c in clouds() if c.package == parts[0]), None) or _OTHER_SDKS.get(parts[0])
    if sdk is None:
        return None
    module = parts[1].split("/")[0]
    if parts[0] in ("azure-native", "kubernetes") and "/" in parts[1]:  # versioned: storage/v20230101, core/v1
        module = parts[1].replace("/", ".")
    return f"{sdk}.{module}", parts[2]


@lru_cache(maxsize=None)
def _package_dir(package: str) -> Optional[str]:
    spec = importlib.util.find_spec(package)
    return spec.submodule_search_locations[0] if spec and spec.submodule_search_locations else None


@lru_cache(maxsize=None)
def sdk_input_names(type_token: str) -> Optional[frozenset]:
    """The input argument names (snake_case) the installed SDK class of `type_token` accepts, or None when the
    SDK or class is not installed."""
    located = sdk_module_and_class(type_token)
    if located is None:
        return None
    module, cls_name = located
    package, _, rest = module.partition(".")
    base = _package_dir(package)
    if base:
        for file_name in (snake(cls_name), cls_name):
            path = os.path.join(base, *rest.split("."), file_name + ".py")
            try:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
            except OSError:
                continue
            match = _INIT_RE.search(text) if f"class {cls_name}(pulumi." in text else None
            if match:
                return frozenset(_ARG_RE.findall(match.group(1)))
    try:
        mod = importlib.import_module(module)
        cls = getattr(mod, cls_name)
        init = getattr(cls, "_internal_init", None) or cls.__init__
        return frozenset(inspect.signature(init).parameters)
    except Exception:  # noqa: BLE001 - unknown module/class: the type is unknown to this SDK
        return None


def sdk_tag_input(type_token: str) -> Optional[str]:
    """The tag input (camelCase) the SDK class accepts: `tags` (AWS, Azure), `labels` on GCP, `userLabels` where
    GCP `labels` is configuration (monitoring notification channels), `resourceLabels` on GKE clusters; None
    when the class takes none or is not installed."""
    from . import cloud_of

    cloud = cloud_of(type_token)
    names = sdk_input_names(type_token)
    if cloud is None or not names:
        return None
    if cloud != "gcp":
        prop = "tags"
    elif "user_labels" in names:
        prop = "userLabels"
    elif "labels" not in names and "resource_labels" in names:
        prop = "resourceLabels"
    else:
        prop = "labels"
    return prop if snake(prop) in names else None


def _to_camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def sdk_name_input(type_token: str) -> Optional[str]:
    """The input (camelCase) carrying the physical name of a resource of `type_token`, by the provider SDKs'
    conventions: `<class>_name` or a trailing part of it (`account_name` of StorageAccount, `deployment_name`
    of OnlineDeployment), `<module>_<class>_name` (`search_service_name`), `<class>_id` or a trailing part
    (GCP's `account_id`, `dataset_id`, `role_id`), `name`, the class itself (S3's `bucket`), or
    azure-native's `resource_name_` (the identity's own name, renamed clear of Pulumi's `resource_name`);
    a Kubernetes object's `metadata.name` (kubernetes.io "Object Names and IDs"). None when the class takes no
    name (ids the service assigns) or the SDK is not installed."""
    names = sdk_input_names(type_token)
    parts = type_token.split(":")
    if not names or len(parts) != 3:
        return None
    if parts[0] == "kubernetes":
        return KUBERNETES_NAME_INPUT if "metadata" in names else None
    words = snake(parts[2]).split("_")
    tails = ["_".join(words[i:]) for i in range(len(words))]
    module = snake(parts[1].split("/")[0])
    candidates = [f"{t}_name" for t in tails] + [f"{module}_{tails[0]}_name"] + [f"{t}_id" for t in tails]
    candidates += ["name", tails[0], "resource_name_"]
    found = next((c for c in candidates if c in names), None)
    return _to_camel(found) if found else None
