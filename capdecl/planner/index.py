"""Lookups over a (normalised) :class:`LiveState`, built once per plan.

Also the two small rules several planner stages share: what content the server is known to
hold for a capture (ledger, then pending entry), and whether a name is protected.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from capdecl.state import (
    LedgerEntry,
    LiveCapture,
    LiveConfiguration,
    LiveMetadataField,
    LiveState,
)


@dataclass(frozen=True)
class LiveIndex:
    """The live snapshot keyed the ways the planner looks things up."""

    live: LiveState
    captures_by_name: dict[str, LiveCapture]
    configurations_by_uuid: dict[str, LiveConfiguration]  # lower-case uuid
    configurations_by_name: dict[str, LiveConfiguration]
    metadata_by_name: dict[str, LiveMetadataField]
    capture_metadata: dict[str, dict[str, str]]  # capture uuid -> metadata name -> value

    @classmethod
    def build(cls, live: LiveState) -> LiveIndex:
        """The order of ``live.relationships`` (the server's) does not matter: a capture's
        two values for one name resolve as if they were in :data:`RELATIONSHIP_ORDER`."""
        return cls(
            live=live,
            captures_by_name={c.name: c for c in live.captures},
            configurations_by_uuid={c.uuid.lower(): c for c in live.configurations},
            configurations_by_name={c.name: c for c in live.configurations},
            metadata_by_name={m.name: m for m in live.metadata},
            capture_metadata=_capture_metadata(live),
        )

    def configuration_name(self, uuid: str | None) -> str | None:
        """Name of the configuration a capture links to (None when unlinked or unknown)."""
        config = self.configurations_by_uuid.get(uuid.lower()) if uuid else None
        return config.name if config else None

    def known_content(self, capture: LiveCapture) -> LedgerEntry | None:
        """What capdecl knows the server holds for ``capture``: its uuid ledger entry, else
        a pending entry of the same name whose size matches (an interrupted apply), else
        None (the capture is unverified)."""
        entry = self.live.ledger.get(capture.uuid)
        if entry is not None:
            return entry
        pending = self.live.pending.get(capture.name)
        if pending is not None and pending.size == capture.file_size:
            return pending
        return None


RELATIONSHIP_ORDER = operator.attrgetter("capture", "label", "uuid")


def _capture_metadata(live: LiveState, *, ordered: bool = False) -> dict[str, dict[str, str]]:
    """Resolve relationships to names and value strings; unknown uuids are skipped.

    Captures given two values for one name (rare) are resolved again (unless ``ordered``:
    this is that second pass) from their relationships alone in
    :data:`RELATIONSHIP_ORDER`: sorting only those costs nothing, sorting them all (tens of
    thousands) is a good part of a plan."""
    fields = {
        m.uuid: (m.name, {uuid: value for value, uuid in m.values.items()}) for m in live.metadata
    }
    result: dict[str, dict[str, str]] = {}
    capture: str | None = None  # the last capture seen (a capture's items come together)
    values: dict[str, str] = {}
    clashes: set[str] = set()
    for rel in live.relationships:  # tens of thousands: one lookup of each kind per item
        field = fields.get(rel.label)
        if field is None:
            continue
        value = field[1].get(rel.label_value)
        if value is None:
            continue
        if rel.capture != capture:
            capture = rel.capture
            values = result.setdefault(capture, {})
        if field[0] in values:
            clashes.add(capture)
        values[field[0]] = value
    if clashes and not ordered:
        again = sorted(
            (r for r in live.relationships if r.capture in clashes), key=RELATIONSHIP_ORDER
        )
        only = dataclasses.replace(live, relationships=tuple(again))
        result.update(_capture_metadata(only, ordered=True))
    return result


def is_protected(name: str, patterns: Iterable[str]) -> bool:
    """True when ``name`` matches one of the fnmatch ``patterns`` (case-sensitive, as the
    server's names are)."""
    return any(fnmatchcase(name, pattern) for pattern in patterns)
