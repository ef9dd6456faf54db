"""The content ledger: capture uuid -> SHA-256 and size of what capdecl uploaded.

The server stores no content hash and never changes a capture's bytes in place, so a
capture uuid always stands for the same content. capdecl records what it uploaded under
the ``capdecl`` key of the project's ``settings`` JSON, so every clone and CI job sees it:

    {"capdecl": {"format": 1, "ledger": {"<capture uuid>": "<sha256 hex>:<size>", ...}}}

Entries are compact strings (about 110 bytes each, ~1.1 MB for 10,000 captures). Writers
merge: they re-read the settings, apply their own additions and removals, keep every other
key untouched, and PATCH the whole settings object back. Pure functions only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from capdecl.state import LedgerEntry

SETTINGS_KEY = "capdecl"
FORMAT = 1


def read_ledger(settings: Mapping[str, Any] | None) -> dict[str, LedgerEntry]:
    """Decode the ledger from project settings; malformed entries are ignored."""
    if not isinstance(settings, Mapping):
        return {}
    section = settings.get(SETTINGS_KEY)
    if not isinstance(section, Mapping):
        return {}
    raw = section.get("ledger")
    if not isinstance(raw, Mapping):
        return {}
    ledger: dict[str, LedgerEntry] = {}
    for uuid, value in raw.items():
        entry = _decode(value)
        if isinstance(uuid, str) and entry is not None:
            ledger[uuid] = entry
    return ledger


def merge_ledger(
    settings: Mapping[str, Any] | None,
    add: Mapping[str, LedgerEntry],
    remove: Iterable[str] = (),
) -> dict[str, Any]:
    """Return new settings with ``add`` written and ``remove`` dropped, all else kept."""
    merged: dict[str, Any] = dict(settings) if isinstance(settings, Mapping) else {}
    section = merged.get(SETTINGS_KEY)
    section = dict(section) if isinstance(section, Mapping) else {}
    raw = section.get("ledger")
    entries: dict[str, Any] = dict(raw) if isinstance(raw, Mapping) else {}
    for uuid in remove:
        entries.pop(uuid, None)
    for uuid, entry in add.items():
        entries[uuid] = f"{entry.sha256}:{entry.size}"
    section["format"] = FORMAT
    section["ledger"] = dict(sorted(entries.items()))
    merged[SETTINGS_KEY] = section
    return merged


def _decode(value: object) -> LedgerEntry | None:
    if not isinstance(value, str):
        return None
    sha, _, size = value.partition(":")
    if len(sha) != 64 or not size.isdigit():
        return None
    return LedgerEntry(sha256=sha.lower(), size=int(size))
