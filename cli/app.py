"""The `mlplat` command line: thin typer commands over the library.

Start-up must stay fast (`mlplat --help`): command modules import cloud SDKs and Pulumi lazily, inside
the command functions, never at module level.
"""

from __future__ import annotations

import atexit
import gc
import importlib

import typer

from cli.group import Group

app = typer.Typer(
    cls=Group,
    name="mlplat",
    help="Provision the same production ML platform on AWS, Azure and GCP from one spec, with Pulumi.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help: rendering it with rich imports rich's markdown, syntax and table modules, which
    # made `mlplat --help` cost nearly three times `import typer` (docs/performance.md).
    rich_markup_mode=None,
)

# Each module has `register(app: typer.Typer) -> None` and adds its commands.
COMMAND_MODULES = [
    "cli.commands.spec",
    "cli.commands.ops",
    "cli.commands.finops",
    "cli.commands.policy",
    "cli.commands.diff",
    "cli.commands.scan",
    "cli.commands.regions",
    "cli.commands.models",
    "cli.commands.use_case",
]


def _register_all() -> None:
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(app)


_register_all()


def tune_gc() -> None:
    """Turn off the cyclic garbage collector for this short-lived process.

    The provider SDKs create hundreds of thousands of long-lived objects on import, and every full
    collection rescans all of them: that was about a third of an offline plan's CPU time. The objects a
    command creates live until it exits anyway, so the collector frees little; peak memory grows by a few
    percent (docs/performance.md). Reference counting still frees everything acyclic.

    The interpreter's shutdown runs one full collection even so, over every object still alive: about a
    third of a 100-endpoint plan's CPU time. Freezing them at exit (an atexit handler) leaves them out of
    that collection; everything else about the shutdown (exit handlers, flushing, module teardown) is as before.
    """
    gc.disable()
    atexit.register(gc.freeze)


def main() -> None:
    tune_gc()
    app()


if __name__ == "__main__":
    main()
