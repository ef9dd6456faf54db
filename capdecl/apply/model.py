"""Values of an apply: its options, the events it reports and its result."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from capdecl.errors import StepFailure


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ApplyOptions:
    """How to apply.

    ``parallelism`` bounds the threads that upload, update and delete captures.
    ``backup_dir``, when set, receives a copy of every capture before it is deleted or
    replaced (``<backup_dir>/<UTC timestamp>/<capture name>`` plus
    ``<capture name>.metadata.json``). During the uploads the ledger is flushed every
    ``flush_seconds`` seconds and, when ``flush_every`` is set, every ``flush_every``
    finished uploads. Every flush re-reads and rewrites the whole ledger (three requests
    carrying it), so the default is time only: a count would make an apply's ledger
    traffic grow with the square of its size; the pending entries written before the
    uploads vouch for captures uploaded between flushes. ``verify_files`` re-checks (through the
    hash cache: one ``stat`` per unchanged file) that each file to upload still has the
    SHA-256 the plan recorded. ``now`` and ``monotonic`` are injectable clocks.
    """

    parallelism: int = 4
    backup_dir: Path | None = None
    flush_every: int | None = None
    flush_seconds: float = 10.0
    verify_files: bool = True
    now: Callable[[], datetime] = utc_now
    monotonic: Callable[[], float] = time.monotonic


# ``counts`` keys, by plan action
COUNT_KEYS = {"create": "added", "update": "changed", "replace": "replaced", "delete": "destroyed"}


@dataclass(frozen=True)
class ApplyResult:
    """What an apply did. ``counts`` holds changes carried out completely (keys added,
    changed, replaced, destroyed); ``written`` the number of write calls made to the
    server (each is at least one request); ``steps`` the plan's changes plus any failed
    apply-only step (ledger writes); ``failed_steps`` how many of those failed."""

    counts: dict[str, int]
    failures: tuple[StepFailure, ...] = ()
    written: int = 0
    steps: int = 0
    failed_steps: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class StepEvent:
    """One completed (or failed) step, as reporters see it.

    ``kind`` and ``action`` are the plan's spellings (``"capture"``, ``"create"``); apply-
    only steps use kind ``"ledger"`` and action ``"update"``. A failed event names the
    sub-step that failed (``"upload"``, ``"metadata"``, ...) and the error message.
    ``size`` is the uploaded byte count, ``fields`` the changed fields of an update.
    """

    kind: str
    action: str
    name: str
    status: Literal["ok", "failed"] = "ok"
    step: str = ""
    error: str | None = None
    size: int | None = None
    fields: tuple[str, ...] = ()

    @property
    def address(self) -> str:
        return "ledger" if self.kind == "ledger" else f'{self.kind} "{self.name}"'

    @property
    def failure(self) -> StepFailure:
        return StepFailure(step=f"{self.address} {self.step}".strip(), cause=self.error or "")
