"""Apply order: the phases a plan's changes run in, and the order inside each phase.

    1. project create / update     everything else lives in the project
    2. metadata create / update    captures' metadata values need their names and values
    3. configuration update        renames first, so a name is free before it is reused
    4. configuration create        captures link to configurations by name
    5. capture create + replace    new content
    6. capture update              renames, links, sample rates, metadata
    7. capture delete
    8. configuration delete        last: deleting a configuration unlinks its captures

Within a phase changes run by name (then uuid). Configuration renames are the exception:
when one configuration is renamed onto a name another is renamed away from, the one
freeing the name runs first. A cycle of renames cannot succeed in any order; the planner
warns about it.
"""

from __future__ import annotations

from collections.abc import Iterable

from capdecl.planner.model import Action, Change, Kind

_PHASES: dict[tuple[Kind, Action], int] = {
    (Kind.PROJECT, Action.CREATE): 0,
    (Kind.PROJECT, Action.UPDATE): 0,
    (Kind.METADATA, Action.CREATE): 1,
    (Kind.METADATA, Action.UPDATE): 1,
    (Kind.CONFIGURATION, Action.UPDATE): 2,
    (Kind.CONFIGURATION, Action.CREATE): 3,
    (Kind.CAPTURE, Action.CREATE): 4,
    (Kind.CAPTURE, Action.REPLACE): 4,
    (Kind.CAPTURE, Action.UPDATE): 5,
    (Kind.CAPTURE, Action.DELETE): 6,
    (Kind.CONFIGURATION, Action.DELETE): 7,
}

_RENAMES = _PHASES[(Kind.CONFIGURATION, Action.UPDATE)]

PHASE_NAMES = (
    "project",
    "metadata",
    "configuration update",
    "configuration create",
    "capture create and replace",
    "capture update",
    "capture delete",
    "configuration delete",
)


def phase(change: Change) -> int:
    """The phase index of a change (see the module docstring)."""
    try:
        return _PHASES[(change.kind, change.action)]
    except KeyError:
        raise ValueError(f"no apply phase for {change.action.value} {change.address}") from None


def order_changes(changes: Iterable[Change]) -> tuple[Change, ...]:
    """Changes in apply order: by phase, then name and uuid, renames chained."""
    ordered = sorted(changes, key=lambda c: (phase(c), c.name, c.uuid or ""))
    start = next((i for i, c in enumerate(ordered) if phase(c) >= _RENAMES), len(ordered))
    end = next((i for i, c in enumerate(ordered) if phase(c) > _RENAMES), len(ordered))
    return (*ordered[:start], *_chain_renames(ordered[start:end]), *ordered[end:])


def _chain_renames(updates: list[Change]) -> list[Change]:
    """Put a rename that frees name N before the rename that takes N, else keep order."""
    frees = {_old_name(c): c for c in updates if _old_name(c) is not None}
    result: list[Change] = []
    placed: set[int] = set()

    def place(change: Change, visiting: set[int]) -> None:
        if id(change) in placed or id(change) in visiting:
            return
        blocker = frees.get(change.name)
        if blocker is not None:
            place(blocker, visiting | {id(change)})
        placed.add(id(change))
        result.append(change)

    for change in updates:
        place(change, set())
    return result


def _old_name(change: Change) -> str | None:
    """The name a configuration update renames away from, if it is a rename."""
    for diff in change.diffs:
        if diff.path == "name" and isinstance(diff.before, str):
            return diff.before
    return None
