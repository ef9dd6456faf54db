"""Writing the content ledger: merge on write, then verify, because the API has no
conditional write.

The ledger lives in the project's ``settings`` JSON, which the API can only replace
whole. Two writers (two applies at once, or an apply and someone editing the settings)
that each read, merge and PATCH can lose each other's changes: a PATCH merged from a read
made before the other writer's PATCH overwrites it (a lost update). So after its PATCH a
writer reads the settings again and checks that its own additions and removals are in
effect; if another writer overwrote them, it merges onto what is there now and PATCHes
again, at most :data:`MAX_ATTEMPTS` times.

What no client can detect without a conditional write: an overwrite that lands *after*
the victim's check (the overwriting writer read before the victim's PATCH and wrote after
the victim's verifying read). The ledger's pending entries limit the damage: the
overwriting writer restores the pending entries it read, and the next plan finalises
them (see :mod:`capdecl.ledger`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from capdecl.errors import CapdeclError
from capdecl.ledger import merge_ledger, read_ledger, read_pending
from capdecl.state import LedgerEntry

MAX_ATTEMPTS = 5

Settings = Mapping[str, Any] | None


@dataclass(frozen=True)
class LedgerEdit:
    """One writer's changes to the ledger: uuid entries and pending entries to write or drop."""

    add: Mapping[str, LedgerEntry]
    remove: tuple[str, ...]
    add_pending: Mapping[str, LedgerEntry]
    remove_pending: tuple[str, ...]

    @classmethod
    def of(
        cls,
        add: Mapping[str, LedgerEntry],
        remove: Iterable[str],
        add_pending: Mapping[str, LedgerEntry] | None,
        remove_pending: Iterable[str],
    ) -> LedgerEdit:
        return cls(dict(add), tuple(remove), dict(add_pending or {}), tuple(remove_pending))

    def applied_to(self, settings: Settings) -> dict[str, Any]:
        """``settings`` with this edit merged in (every other key kept)."""
        return merge_ledger(
            settings,
            self.add,
            self.remove,
            add_pending=self.add_pending,
            remove_pending=self.remove_pending,
        )

    def in_effect(self, settings: Settings) -> bool:
        """True when ``settings`` already hold this edit (merging it again changes nothing)."""
        merged = self.applied_to(settings)
        return read_ledger(merged) == read_ledger(settings) and read_pending(
            merged
        ) == read_pending(settings)


def write_ledger(
    read: Callable[[], Settings],
    write: Callable[[dict[str, Any]], None],
    edit: LedgerEdit,
    attempts: int = MAX_ATTEMPTS,
) -> int:
    """Read, merge, write, verify; again while another writer overwrote the edit.

    Returns the number of writes made; raises CapdeclError when every attempt was
    overwritten."""
    settings = read()
    for attempt in range(1, attempts + 1):
        write(edit.applied_to(settings))
        settings = read()
        if edit.in_effect(settings):
            return attempt
    raise CapdeclError(
        f"the content ledger was overwritten by another writer {attempts} times in a row",
        ["another capdecl apply (or a person) is writing this project's settings; "
         "run `capdecl plan` when it is done: it shows what is left to record"],
    )  # fmt: skip
