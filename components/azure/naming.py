"""Azure physical names: globally unique services (storage, Key Vault, registries, search) have tight
alphabets and lengths, so they get a compact stem plus a stable hash of subscription and platform."""

from __future__ import annotations

import hashlib
import re

from ..context import PlatformContext


def unique_name(ctx: PlatformContext, purpose: str, max_length: int = 24, hyphens: bool = False) -> str:
    """Stable, globally unique-ish name: same spec + subscription -> same name on every run."""
    seed = f"{ctx.settings.azure_subscription_id or ''}/{ctx.prefix}/{purpose}"
    digest = hashlib.sha256(seed.encode()).hexdigest()[:6]
    stem = f"{ctx.prefix}-{purpose}" if hyphens else re.sub(r"[^a-z0-9]", "", f"{ctx.prefix}{purpose}")
    stem = stem[: max_length - len(digest) - (1 if hyphens else 0)].rstrip("-")
    return f"{stem}-{digest}" if hyphens else f"{stem}{digest}"
