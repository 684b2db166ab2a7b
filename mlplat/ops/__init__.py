"""Operations behind `mlplat init|bootstrap|preflight|preview|up|destroy`.

Library modules: cloud SDKs and `pulumi.automation` are imported inside functions only, so importing
this package (and the CLI) stays fast.
"""
