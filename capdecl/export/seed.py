"""Seed the content ledger after ``export --download``, so that a plan of the exported
directory against the same project reports no changes.

For each downloaded capture (capture uuid -> digest of the downloaded bytes):

* **known** to capdecl (a ledger entry, or a pending entry vouching for it): when the
  downloaded bytes differ from the uploaded ones (the server rewrote a CSV on upload), the
  entry keeps the uploaded hash and gains the downloaded one as ``stored_sha256``
  (``refreshed``), so both the exported directory and a checkout holding the original files
  plan clean.
* **unverified** (uploaded by another tool), with ``--adopt``: recorded (``adopted``).
* unverified, without ``--adopt``, whose downloaded copy would not pass the size and
  sample-count comparison (the server's ``file_size`` is the original upload's, and a CSV
  without a ``sequence`` column is stored rewritten): recorded all the same
  (``rewritten``). The alternative is a plan that replaces - deletes and re-uploads, losing
  label segments - a capture that did not change; and the entry is exactly true, since the
  bytes were just read from the server, which never changes a capture's bytes in place.
* otherwise left unverified: the plan compares it by size and sample count.

The same write also does the ledger housekeeping a plan would otherwise show (pending
entries finalised or dropped, entries of deleted captures dropped).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from capdecl.state import FileDigest, LedgerEntry, LiveState


@dataclass
class Seeding:
    """One merged ledger write, and which captures it concerns (names, sorted)."""

    add: dict[str, LedgerEntry] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    remove_pending: tuple[str, ...] = ()
    refreshed: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    rewritten: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)

    @property
    def needed(self) -> bool:
        return bool(self.add or self.remove or self.remove_pending)


def plan_seeding(live: LiveState, downloaded: Mapping[str, FileDigest], *, adopt: bool) -> Seeding:
    """Decide the ledger write for the downloaded captures (uuid -> digest)."""
    from capdecl.planner import ledger_housekeeping
    from capdecl.planner.capturefields import content_verdict
    from capdecl.planner.index import LiveIndex

    index = LiveIndex.build(live)
    work = ledger_housekeeping(live)
    seeding = Seeding(add=dict(work.finalise), remove=work.drop, remove_pending=work.drop_pending)
    for capture in sorted(live.captures, key=lambda c: c.name):
        digest = downloaded.get(capture.uuid)
        if digest is None:
            continue
        entry = LedgerEntry(digest.sha256, digest.size)
        known = index.known_content(capture)
        if known is not None:
            if not known.matches(digest.sha256):
                known = LedgerEntry(known.sha256, known.size, stored_sha256=digest.sha256)
                seeding.refreshed.append(capture.name)
            if live.ledger.get(capture.uuid) != known:
                seeding.add[capture.uuid] = known
        elif adopt:
            seeding.add[capture.uuid] = entry
            seeding.adopted.append(capture.name)
        elif content_verdict(capture, digest, index).changed:
            seeding.add[capture.uuid] = entry
            seeding.rewritten.append(capture.name)
        else:
            seeding.unverified.append(capture.name)
    return seeding
