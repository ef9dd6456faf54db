"""The content-ledger codec: entries round-trip, other settings keys are kept."""

from __future__ import annotations

from capdecl.ledger import merge_ledger, read_ledger, read_pending
from capdecl.state import LedgerEntry

A, B, C = "a" * 64, "b" * 64, "c" * 64


def test_entries_round_trip_with_and_without_a_stored_hash() -> None:
    entries = {"u1": LedgerEntry(A, 10), "u2": LedgerEntry(B, 20, stored_sha256=C)}
    settings = merge_ledger({"other": {"keep": True}}, entries)
    assert settings["other"] == {"keep": True}
    assert settings["capdecl"]["ledger"] == {"u1": f"{A}:10", "u2": f"{B}:20:{C}"}
    assert read_ledger(settings) == entries


def test_pending_entries_are_added_and_removed_by_name() -> None:
    settings = merge_ledger(None, {}, add_pending={"x.csv": LedgerEntry(A, 1)})
    assert read_pending(settings) == {"x.csv": LedgerEntry(A, 1)}
    settings = merge_ledger(settings, {"u": LedgerEntry(A, 1)}, remove_pending=["x.csv"])
    assert read_pending(settings) == {} and "pending" not in settings["capdecl"]
    assert read_ledger(settings) == {"u": LedgerEntry(A, 1)}


def test_malformed_entries_are_ignored() -> None:
    settings = {"capdecl": {"ledger": {"u1": "nope", "u2": f"{A}:x", "u3": f"{A}:3:short", 4: 5}}}
    assert read_ledger(settings) == {}
    assert read_ledger({"capdecl": []}) == {} and read_ledger(None) == {}


def test_matches_accepts_the_uploaded_or_the_stored_hash() -> None:
    entry = LedgerEntry(A, 1, stored_sha256=B)
    assert entry.matches(A) and entry.matches(B) and not entry.matches(C)
    assert not LedgerEntry(A, 1).matches(C)
