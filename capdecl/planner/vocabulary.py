"""Metadata vocabulary: one change per declared metadata name.

A metadata name needs the values listed in its declaration (``values``); when the
declaration lists none, it needs the values the declared captures use. A missing name is
created with those values; an existing one is updated when values are missing on the
server or its type differs. Values are never deleted: deleting a value on the server
silently removes it from every capture that uses it, managed or not, so capdecl only adds.
Server metadata names outside the vocabulary are left alone and counted as unmanaged.
"""

from __future__ import annotations

from dataclasses import dataclass

from capdecl.planner.index import LiveIndex
from capdecl.planner.model import Action, Change, FieldDiff, Kind
from capdecl.state import DesiredState, MetadataField


@dataclass(frozen=True)
class VocabularyResult:
    changes: tuple[Change, ...]
    unmanaged: int


def plan_vocabulary(desired: DesiredState, index: LiveIndex) -> VocabularyResult:
    """Changes for every declared metadata name (desired state already normalised)."""
    changes = [
        change
        for field in desired.metadata
        if (change := _field_change(field, needed_values(field, desired), index)) is not None
    ]
    declared = {field.name for field in desired.metadata}
    unmanaged = sum(1 for name in index.metadata_by_name if name not in declared)
    return VocabularyResult(changes=tuple(changes), unmanaged=unmanaged)


def needed_values(field: MetadataField, desired: DesiredState) -> list[str]:
    """The declared values, or else the values the declared captures use; sorted."""
    if field.values is not None:
        return sorted(set(field.values))
    used = {c.metadata[field.name] for c in desired.captures if field.name in c.metadata}
    return sorted(used)


def _field_change(field: MetadataField, needed: list[str], index: LiveIndex) -> Change | None:
    live = index.metadata_by_name.get(field.name)
    if live is None:
        after = {"name": field.name, "type": field.type, "values": needed}
        return Change(kind=Kind.METADATA, action=Action.CREATE, name=field.name, after=after)
    live_values = sorted(live.values)
    wanted_values = sorted(set(live_values) | set(needed))
    diffs: list[FieldDiff] = []
    if live.type != field.type:
        diffs.append(FieldDiff(path="type", before=live.type, after=field.type))
    if wanted_values != live_values:
        diffs.append(FieldDiff(path="values", before=live_values, after=wanted_values))
    if not diffs:
        return None
    missing = len(wanted_values) - len(live_values)
    return Change(
        kind=Kind.METADATA,
        action=Action.UPDATE,
        name=field.name,
        uuid=live.uuid,
        before={"name": live.name, "type": live.type, "values": live_values},
        after={"name": field.name, "type": field.type, "values": wanted_values},
        diffs=tuple(diffs),
        notes=(f"adds {missing} value(s)",) if missing else (),
    )
