"""The typer group class every `mlplat` command group uses (`typer.Typer(cls=Group)`).

typer coerces an option's value through pydantic unless it is already a bool. A group's `--help` flag
that was not given has no value (None), so `mlplat plan --help` or `mlplat policy check --help` made the
parent groups import pydantic just to read "not asked for help" (about as costly as typer itself).
Defaulting the flag to False keeps help and argument parsing free of pydantic; behaviour is unchanged.
"""

from __future__ import annotations

from typer.core import TyperGroup


class Group(TyperGroup):
    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.default = False
        return option
