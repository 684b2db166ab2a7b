"""A YAML loader that refuses duplicate keys: plain YAML keeps the last one silently, so a spec could
say one thing on screen and mean another."""

from __future__ import annotations

import yaml

from .base import field_path


class DuplicateKeyError(yaml.YAMLError):
    def __init__(self, path: str, line: int):
        super().__init__(f"{path}: duplicate key")
        self.path = path
        self.line = line


class UniqueKeyLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that raises `DuplicateKeyError` (field path, line) for a repeated mapping key."""

    def construct_document(self, node):
        _check_unique(node, ())
        return super().construct_document(node)


def _check_unique(node, path: tuple) -> None:
    # Iterative, so that the check itself never recurses deeper than the composer already did.
    stack = [(node, path)]
    seen_nodes: set[int] = set()
    while stack:
        current, where = stack.pop()
        if id(current) in seen_nodes:  # anchors and aliases share nodes
            continue
        seen_nodes.add(id(current))
        if isinstance(current, yaml.MappingNode):
            keys: set = set()
            for key_node, value_node in current.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if key is not None and key != "<<":
                    if key in keys:
                        raise DuplicateKeyError(field_path(*where, key) or key, key_node.start_mark.line + 1)
                    keys.add(key)
                stack.append((value_node, (*where, key if key is not None else "?")))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, (*where, index)) for index, item in enumerate(current.value))
