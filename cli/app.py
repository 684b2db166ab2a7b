"""The `mlplat` command line: thin typer commands over the library.

Start-up must stay fast (`mlplat --help`): command modules import cloud SDKs and Pulumi lazily, inside
the command functions, never at module level.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="mlplat",
    help="Provision the same production ML platform on AWS, Azure and GCP from one spec, with Pulumi.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module has `register(app: typer.Typer) -> None` and adds its commands.
COMMAND_MODULES = [
    "cli.commands.spec",
    "cli.commands.ops",
    "cli.commands.finops",
    "cli.commands.policy",
    "cli.commands.regions",
]


def _register_all() -> None:
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(app)


_register_all()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
