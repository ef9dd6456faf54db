"""The project itself: create it when missing, and tidy capdecl's content ledger.

Ledger housekeeping is an UPDATE of the project with one diff, path ``ledger``, whose
before/after are counts: ``{"ledger_entries": n, "pending": n}``. It is planned when
pending entries exist (an apply was interrupted between upload and ledger write) or when
uuid entries name captures that no longer exist. Apply recomputes the exact entries with
:func:`ledger_housekeeping` on the live state it reads, by the same rule:

* a pending entry whose name is a live capture without a uuid entry and whose size equals
  that capture's ``file_size`` becomes a uuid entry ("finalised");
* every other pending entry is dropped, and so are uuid entries of vanished captures.
"""

from __future__ import annotations

from dataclasses import dataclass

from capdecl.planner.model import Action, Change, FieldDiff, Kind
from capdecl.state import DesiredState, LedgerEntry, LiveState


@dataclass(frozen=True)
class LedgerHousekeeping:
    """Ledger edits that bring the ledger in line with the live captures."""

    finalise: dict[str, LedgerEntry]  # capture uuid -> entry (from a pending entry)
    drop: tuple[str, ...]  # uuid entries whose capture is gone
    drop_pending: tuple[str, ...]  # every pending name (finalised or not)

    @property
    def needed(self) -> bool:
        return bool(self.finalise or self.drop or self.drop_pending)


def ledger_housekeeping(live: LiveState) -> LedgerHousekeeping:
    """What to finalise and drop in the ledger of ``live`` (a pure function of it)."""
    by_name = {c.name: c for c in live.captures}
    finalise: dict[str, LedgerEntry] = {}
    for name, entry in sorted(live.pending.items()):
        capture = by_name.get(name)
        if capture and capture.uuid not in live.ledger and capture.file_size == entry.size:
            finalise[capture.uuid] = entry
    existing = {c.uuid for c in live.captures}
    return LedgerHousekeeping(
        finalise=finalise,
        drop=tuple(sorted(uuid for uuid in live.ledger if uuid not in existing)),
        drop_pending=tuple(sorted(live.pending)),
    )


def plan_project(desired: DesiredState, live: LiveState) -> list[Change]:
    """CREATE when the project is missing; UPDATE when the ledger needs housekeeping."""
    if live.project is None:
        create = {"name": desired.project}
        return [Change(kind=Kind.PROJECT, action=Action.CREATE, name=desired.project, after=create)]
    work = ledger_housekeeping(live)
    if not work.needed:
        return []
    before = {"ledger_entries": len(live.ledger), "pending": len(live.pending)}
    after = {
        "ledger_entries": len(live.ledger) - len(work.drop) + len(work.finalise),
        "pending": 0,
    }
    notes = [
        f"{text}: {count}"
        for text, count in (
            ("pending entries recorded", len(work.finalise)),
            ("pending entries dropped", len(work.drop_pending) - len(work.finalise)),
            ("entries of deleted captures dropped", len(work.drop)),
        )
        if count
    ]
    return [
        Change(
            kind=Kind.PROJECT,
            action=Action.UPDATE,
            name=live.project.name,
            uuid=live.project.uuid,
            before=before,
            after=after,
            diffs=(FieldDiff("ledger", before, after),),
            reason="ledger housekeeping",
            notes=tuple(notes),
        )
    ]
