"""Shared state of one apply: resolved ids, the ledger journal, failures and events."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from capdecl.apply.counting import CountingWriter
from capdecl.apply.model import COUNT_KEYS, ApplyOptions, ApplyResult, StepEvent
from capdecl.apply.report import Reporter
from capdecl.errors import CapdeclError, StepFailure
from capdecl.planner.index import RELATIONSHIP_ORDER
from capdecl.planner.model import Change, Plan
from capdecl.state import DesiredState, LedgerEntry, LiveRelationship, LiveState


@dataclass
class Ids:
    """Names -> uuids as known so far: read from the live state, then updated as creates
    return new uuids. ``missing`` explains names whose create or rename failed."""

    project: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)  # field name -> uuid
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> value -> uuid
    configurations: dict[str, str] = field(default_factory=dict)
    captures: dict[str, str] = field(default_factory=dict)
    relationships: dict[tuple[str, str], LiveRelationship] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # 'metadata "X"' -> reason

    @classmethod
    def from_live(cls, live: LiveState) -> Ids:
        return cls(
            project=live.project.uuid if live.project else None,
            metadata={f.name: f.uuid for f in live.metadata},
            values={f.name: dict(f.values) for f in live.metadata},
            configurations={c.name: c.uuid for c in live.configurations},
            captures={c.name: c.uuid for c in live.captures},
            relationships={
                (r.capture, r.label): r for r in sorted(live.relationships, key=RELATIONSHIP_ORDER)
            },
        )

    def why_missing(self, kind: str, name: str) -> str:
        """Why a dependency cannot be used (a failure cause for the dependent step)."""
        address = f'{kind} "{name}"'
        return self.missing.get(address, f"{address} does not exist on the server")


class LedgerJournal:
    """Ledger changes queued until the next flush (one ``update_ledger`` call)."""

    def __init__(self) -> None:
        self.add: dict[str, LedgerEntry] = {}
        self.remove: set[str] = set()
        self.add_pending: dict[str, LedgerEntry] = {}
        self.remove_pending: set[str] = set()

    def clear(self) -> None:
        self.add.clear()
        self.remove.clear()
        self.add_pending.clear()
        self.remove_pending.clear()

    def queue(
        self,
        add: Mapping[str, LedgerEntry] | None = None,
        remove: Iterable[str] = (),
        *,
        add_pending: Mapping[str, LedgerEntry] | None = None,
        remove_pending: Iterable[str] = (),
    ) -> None:
        """Queue changes; a later queue call wins over an earlier one for the same key."""
        for uuid, entry in (add or {}).items():
            self.remove.discard(uuid)
            self.add[uuid] = entry
        for uuid in remove:
            self.add.pop(uuid, None)
            self.remove.add(uuid)
        for name, entry in (add_pending or {}).items():
            self.remove_pending.discard(name)
            self.add_pending[name] = entry
        for name in remove_pending:
            self.add_pending.pop(name, None)
            self.remove_pending.add(name)

    def __len__(self) -> int:
        return len(self.add) + len(self.remove) + len(self.add_pending) + len(self.remove_pending)

    def flush(self, writer: CountingWriter, project_uuid: str) -> str | None:
        """Write everything queued; returns the error message (entries stay queued)."""
        if not self:
            return None
        try:
            writer.update_ledger(
                project_uuid,
                dict(self.add),
                sorted(self.remove),
                add_pending=dict(self.add_pending),
                remove_pending=sorted(self.remove_pending),
            )
        except CapdeclError as error:
            return str(error)
        self.clear()
        return None


class ApplyContext:
    """Everything the apply phases share. Failure and event methods are thread-safe."""

    def __init__(
        self,
        plan: Plan,
        desired: DesiredState,
        live: LiveState,
        writer: CountingWriter,
        options: ApplyOptions,
        reporter: Reporter,
    ) -> None:
        self.plan = plan
        self.desired = desired
        self.live = live
        self.writer = writer
        self.options = options
        self.reporter = reporter
        self.ids = Ids.from_live(live)
        self.journal = LedgerJournal()
        self.pending_written: set[str] = set()  # names whose pending entry this apply wrote
        self.removed: set[str] = set()  # uuids of captures this apply deleted
        self._lock = threading.Lock()
        self._failures: list[StepFailure] = []
        self._failed: set[int] = set()  # id() of changes with a failure
        self._extra_failed = 0  # failed steps that are not plan changes

    @property
    def project_uuid(self) -> str:
        if self.ids.project is None:
            raise RuntimeError("no project uuid: the project phase must run first")
        return self.ids.project

    def ok(self, change: Change, *, size: int | None = None, fields: Iterable[str] = ()) -> None:
        """Report a change carried out (unless one of its steps failed)."""
        if self.failed(change):
            return
        event = StepEvent(
            change.kind.value, change.action.value, change.name, size=size, fields=tuple(fields)
        )
        self.reporter.step(event)

    def fail(self, change: Change, step: str, cause: str) -> None:
        """Record and report a failed step of a change."""
        event = StepEvent(
            change.kind.value, change.action.value, change.name, "failed", step, cause
        )
        with self._lock:
            self._failures.append(event.failure)
            self._failed.add(id(change))
        self.reporter.step(event)

    def fail_ledger(self, step: str, cause: str) -> None:
        """Record and report a failed ledger write (not a plan change)."""
        event = StepEvent("ledger", "update", "ledger", "failed", step, cause)
        with self._lock:
            self._failures.append(event.failure)
            self._extra_failed += 1
        self.reporter.step(event)

    def failed(self, change: Change) -> bool:
        with self._lock:
            return id(change) in self._failed

    def flush_ledger(self, *, final: bool = False) -> str | None:
        """Write the queued ledger changes; returns the error message, if any. A failure
        is recorded only on the ``final`` flush; earlier ones keep the entries queued for
        the next flush."""
        if self.ids.project is None or not self.journal:
            return None
        error = self.journal.flush(self.writer, self.ids.project)
        if error is not None and final:
            self.fail_ledger("update", error)
        return error

    def blocker(self, metadata: Mapping[str, str], configuration: str | None) -> str | None:
        """Why a capture with these dependencies cannot be written now (or None)."""
        if configuration is not None and configuration not in self.ids.configurations:
            return self.ids.why_missing("configuration", configuration)
        for name, value in metadata.items():
            if name not in self.ids.metadata:
                return self.ids.why_missing("metadata", name)
            if value not in self.ids.values.get(name, {}):
                return self.ids.why_missing("metadata value", f"{name}={value}")
        return None

    def result(self) -> ApplyResult:
        counts = dict.fromkeys(COUNT_KEYS.values(), 0)
        with self._lock:
            for change in self.plan.changes:
                if id(change) not in self._failed:
                    counts[COUNT_KEYS[change.action.value]] += 1
            return ApplyResult(
                counts=counts,
                failures=tuple(self._failures),
                written=self.writer.written,
                steps=len(self.plan.changes) + self._extra_failed,
                failed_steps=len(self._failed) + self._extra_failed,
            )
