"""Operations commands, one module per command group, each a thin wrapper over `mlplat.ops.*`:

- `init` (`init.py`): write a new stack file;
- `bootstrap backend` (`bootstrap.py`, the `bootstrap` sub-app): the Pulumi state backend;
- `preflight` (`preflight.py`): credentials, region and quota checks;
- `preview`, `up`, `destroy` (`deploy.py`): the Pulumi Automation API with the policy pack.

Cloud SDKs and `pulumi.automation` are imported inside the library functions these commands call, never
at module import, so `mlplat --help` stays fast.
"""

from __future__ import annotations

import typer

from cli.commands.ops import bootstrap, deploy, init, preflight


def register(app: typer.Typer) -> None:
    init.register(app)
    app.add_typer(bootstrap.app, name="bootstrap")
    preflight.register(app)
    deploy.register(app)
