"""Result types shared by the per-cloud backend and quota modules (same shape on every cloud)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable, Literal

Progress = Callable[[str], None]


def no_progress(_message: str) -> None:
    pass


class OpsError(Exception):
    """An operation failed for a reason the user can act on; `lines` are printed, never a traceback."""

    def __init__(self, lines: list[str] | str):
        lines = [lines] if isinstance(lines, str) else lines
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass
class BackendResult:
    """What `ensure_backend` found and did. `changes` is empty when the backend was already right."""

    url: str  # the `pulumi login` URL
    created: bool
    changes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


Status = Literal["pass", "fail", "warn", "skip"]


@dataclass
class CheckResult:
    """One preflight line: what was checked, pass/fail/warn, and why."""

    check: str
    status: Status
    detail: str

    def to_dict(self) -> dict:
        return asdict(self)
