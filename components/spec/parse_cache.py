"""Parse each spec once per process.

A command validates the spec, then the offline plan hands it to the Pulumi program as config JSON and
the program parses it again, exactly as under `pulumi up` (where the program is the only parser). The
second parse of the same input is answered from here: the key is the canonical JSON of the input as
the model sees it (after `--cloud`/`--region` are applied) and the registered clouds, so an input that
differs in any value, or a registry that changed, is parsed afresh. Only valid specs are kept; each
caller gets its own copy (the model is mutable).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

_MAX = 64
_PARSED: OrderedDict[str, Any] = OrderedDict()


def cache_key(raw: dict) -> str | None:
    from ..registry import cloud_names

    try:
        return json.dumps([raw, cloud_names()], sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):  # values JSON cannot hold (YAML dates, NaN): parse every time
        return None


def cached(key: str | None):
    if key is None or key not in _PARSED:
        return None
    _PARSED.move_to_end(key)
    return _PARSED[key].model_copy(deep=True)


def keep(key: str | None, spec) -> None:
    if key is None:
        return
    _PARSED[key] = spec.model_copy(deep=True)
    while len(_PARSED) > _MAX:
        _PARSED.popitem(last=False)


def clear() -> None:
    _PARSED.clear()
