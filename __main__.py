"""Entry point of the Pulumi program (`pulumi up` runs this file)."""

from components.program import run

run()
