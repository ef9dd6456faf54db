"""The content ledger: capture uuid -> SHA-256 and size of what capdecl uploaded.

The server stores no content hash and never changes a capture's bytes in place, so a
capture uuid always stands for the same content. capdecl records what it uploaded under
the ``capdecl`` key of the project's ``settings`` JSON, so every clone and CI job sees it:

    {"capdecl": {"format": 1,
                 "ledger": {"<capture uuid>": "<sha256 hex>:<size>", ...},
                 "pending": {"<capture name>": "<sha256 hex>:<size>", ...}}}

An entry may carry a third part, ``"<sha256>:<size>:<stored sha256>"``: the hash of the
bytes the server serves when they differ from the upload (a CSV the server stored
rewritten), recorded by ``capdecl export --download``. Readers that know only two parts
still read the uploaded hash correctly.

``pending`` entries are written *before* uploads start (keyed by capture name, since the
uuid is not known yet) and turned into uuid entries once the uploads are done. If apply is
killed in between, the next plan still knows which content a just-uploaded capture holds
(name and size must match), and the next apply finalises the ledger.

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
    """Decode the uuid-keyed ledger from project settings; malformed entries are ignored."""
    return _read_section(settings, "ledger")


def read_pending(settings: Mapping[str, Any] | None) -> dict[str, LedgerEntry]:
    """Decode the name-keyed pending entries from project settings."""
    return _read_section(settings, "pending")


def merge_ledger(
    settings: Mapping[str, Any] | None,
    add: Mapping[str, LedgerEntry],
    remove: Iterable[str] = (),
    *,
    add_pending: Mapping[str, LedgerEntry] | None = None,
    remove_pending: Iterable[str] = (),
) -> dict[str, Any]:
    """Return new settings with the given uuid and pending entries written or dropped,
    every other key kept as it was."""
    merged: dict[str, Any] = dict(settings) if isinstance(settings, Mapping) else {}
    section = merged.get(SETTINGS_KEY)
    section = dict(section) if isinstance(section, Mapping) else {}
    section["format"] = FORMAT
    section["ledger"] = _merged_entries(section.get("ledger"), add, remove)
    pending = _merged_entries(section.get("pending"), add_pending or {}, remove_pending)
    if pending:
        section["pending"] = pending
    else:
        section.pop("pending", None)
    merged[SETTINGS_KEY] = section
    return merged


def _read_section(settings: Mapping[str, Any] | None, key: str) -> dict[str, LedgerEntry]:
    if not isinstance(settings, Mapping):
        return {}
    section = settings.get(SETTINGS_KEY)
    if not isinstance(section, Mapping):
        return {}
    raw = section.get(key)
    if not isinstance(raw, Mapping):
        return {}
    entries: dict[str, LedgerEntry] = {}
    for name, value in raw.items():
        entry = _decode(value)
        if isinstance(name, str) and entry is not None:
            entries[name] = entry
    return entries


def _merged_entries(
    raw: object, add: Mapping[str, LedgerEntry], remove: Iterable[str]
) -> dict[str, str]:
    entries: dict[str, str] = (
        {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(raw, Mapping)
        else {}
    )
    for key in remove:
        entries.pop(key, None)
    for key, entry in add.items():
        entries[key] = _encode(entry)
    return dict(sorted(entries.items()))


def _encode(entry: LedgerEntry) -> str:
    text = f"{entry.sha256}:{entry.size}"
    if entry.stored_sha256 and entry.stored_sha256 != entry.sha256:
        text += f":{entry.stored_sha256}"
    return text


def _decode(value: object) -> LedgerEntry | None:
    if not isinstance(value, str):
        return None
    sha, _, rest = value.partition(":")
    size, _, stored = rest.partition(":")
    if len(sha) != 64 or not size.isdigit() or (stored and len(stored) != 64):
        return None
    return LedgerEntry(sha256=sha.lower(), size=int(size), stored_sha256=stored.lower() or None)
