"""Run by checkov's own interpreter (the tool env, never the project's): every check of the terraform and arm
frameworks as JSON lines {id, framework, types, name}.

A check's types are the resource types its results are about: a resource check's supported resources; for a
graph check, the types of its shallowest `resource_type` filter (the subjects; a deeper filter narrows a
connected resource), else the `resource_types` of its conditions; never the connected types nor `all`."""
import json
from pathlib import Path

import checkov
import yaml
from checkov.terraform.checks.resource.registry import resource_registry as tf
from checkov.arm.registry import arm_resource_registry as arm

def subject_types(d, out):
    if isinstance(d, dict):
        if d.get("cond_type") == "filter" and d.get("attribute") == "resource_type":
            v = d.get("value"); out.update(v if isinstance(v, list) else [v])
        elif "resource_types" in d:
            v = d["resource_types"]; out.update(v if isinstance(v, list) else [v])
        for k, v in d.items():
            if k not in ("resource_types", "connected_resource_types", "value"):
                subject_types(v, out)
    elif isinstance(d, list):
        for x in d: subject_types(x, out)

def filters(definition, out):
    """The resource types of a graph check's shallowest `filter` conditions: the subjects its results are
    about (a deeper filter narrows a connected resource)."""
    level = [definition]
    while level and not out:
        nxt = []
        for d in level:
            if isinstance(d, dict):
                if d.get("cond_type") == "filter" and d.get("attribute") == "resource_type":
                    v = d.get("value"); out.update(v if isinstance(v, list) else [v])
                nxt.extend(v for v in d.values() if isinstance(v, (dict, list)))
            elif isinstance(d, list):
                nxt.extend(d)
        level = nxt

checks = {}
for fw, reg in (("terraform", tf), ("arm", arm)):
    for rtype, cs in list(reg.checks.items()) + list(getattr(reg, "wildcard_checks", {}).items()):
        for c in cs:
            e = checks.setdefault((fw, c.id), {"id": c.id, "framework": fw, "types": set(), "name": c.name})
            e["types"].add(rtype)
root = Path(checkov.__file__).parent
for fw in ("terraform", "arm"):
    for path in sorted((root / fw / "checks" / "graph_checks").rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json"): continue
        doc = json.loads(path.read_text()) if path.suffix == ".json" else yaml.safe_load(path.read_text())
        if not isinstance(doc, dict) or "metadata" not in doc: continue
        ts = set(); filters(doc.get("definition", {}), ts)
        if not ts:
            subject_types(doc.get("definition", {}), ts)
        ts.discard("all")
        m = doc["metadata"]
        e = checks.setdefault((fw, m["id"]), {"id": m["id"], "framework": fw, "types": set(), "name": m.get("name", "")})
        e["types"] |= ts
for e in checks.values():
    e["types"] = sorted(e["types"])
    print(json.dumps(e))
