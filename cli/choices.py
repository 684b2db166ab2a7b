"""Choices shared by the commands. `--cloud` offers exactly the registered clouds (components/registry.py)."""

from __future__ import annotations

from enum import Enum

from components.registry import cloud_names

# typer needs an Enum for a choice; it is built from the registry, never listed here.
CloudChoice = Enum("CloudChoice", {name: name for name in cloud_names()}, type=str)


def cloud_list(last: str = "or") -> str:
    """"aws, azure or gcp": the registered clouds for help texts and messages."""
    names = list(cloud_names())
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {last} {names[-1]}"
