"""Capture configurations: match declared to live, then create, update or delete.

Identity: a declaration with a pinned ``uuid`` is matched by uuid, so renaming it is an
update of ``name``; every other declaration (and a pinned one whose uuid is not on the
server) is matched by exact name. Bodies are compared after normalisation
(:func:`capdecl.planner.normalize.normalize_configuration`) with
:func:`capdecl.planner.configdiff.diff_configuration`. A new configuration gets its
pinned uuid, or :func:`configuration_uuid` so that a retried create is recognisable.
Undeclared configurations are deleted only under ``prune: all`` and when no
``protect`` pattern matches their name; otherwise they are counted as unmanaged.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from typing import Any

from capdecl.planner.configdiff import diff_configuration
from capdecl.planner.index import LiveIndex, is_protected
from capdecl.planner.model import Action, Change, FieldDiff, Kind
from capdecl.planner.normalize import plain_json
from capdecl.state import DesiredConfiguration, DesiredState, LiveConfiguration, PruneScope

CONFIGURATION_NAMESPACE = uuidlib.uuid5(uuidlib.NAMESPACE_URL, "capdecl:capture-configuration")


def configuration_uuid(project: str, name: str) -> str:
    """The deterministic uuid (uuid5) capdecl gives a configuration declared without one."""
    return str(uuidlib.uuid5(CONFIGURATION_NAMESPACE, f"{project.strip()}\n{name.strip()}"))


@dataclass(frozen=True)
class ConfigurationResult:
    """The configuration changes, plus what capture planning needs to know about them."""

    changes: tuple[Change, ...]
    unmanaged: int
    warnings: tuple[str, ...]
    planned_names: dict[str, str]  # live uuid (lower-case) -> its name after the plan
    available: frozenset[str]  # configuration names that exist after the plan


Match = tuple[DesiredConfiguration, LiveConfiguration | None]


def plan_configurations(desired: DesiredState, index: LiveIndex) -> ConfigurationResult:
    """Changes for every declared configuration and every undeclared live one."""
    matches, warnings = _match(desired, index)
    claimed = {live.uuid.lower(): config.name for config, live in matches if live is not None}
    taken = {c.uuid.lower() for c in index.live.configurations}
    taken |= {c.uuid for c in desired.configurations if c.uuid}
    changes: list[Change] = []
    for config, live in matches:
        if live is None:
            changes.append(_create(desired.project, config, taken))
        elif (change := _update(config, live)) is not None:
            changes.append(change)
    deletes, unmanaged = _undeclared(desired, index, claimed)
    warnings += _rename_warnings(changes, index, claimed)
    deleted = {change.uuid for change in deletes}
    planned = {
        c.uuid.lower(): claimed.get(c.uuid.lower(), c.name)
        for c in index.live.configurations
        if c.uuid not in deleted
    }
    available = frozenset(planned.values()) | {c.name for c in desired.configurations}
    return ConfigurationResult(
        changes=(*changes, *deletes),
        unmanaged=unmanaged,
        warnings=tuple(warnings),
        planned_names=planned,
        available=available,
    )


def _match(desired: DesiredState, index: LiveIndex) -> tuple[list[Match], list[str]]:
    """Pinned uuids first, then exact names among the live configurations left."""
    by_uuid = index.configurations_by_uuid
    pinned = {c.name: by_uuid[c.uuid] for c in desired.configurations if c.uuid in by_uuid}
    used = {live.uuid for live in pinned.values()}
    matches: list[Match] = []
    warnings: list[str] = []
    for config in desired.configurations:
        live = pinned.get(config.name)
        if live is None:
            live = index.configurations_by_name.get(config.name)
            live = None if live is None or live.uuid in used else live
            if live is not None and config.uuid:
                warnings.append(
                    f'configuration "{config.name}" is pinned to uuid {config.uuid}, but the '
                    f"server has it under uuid {live.uuid}; it is updated in place"
                )
        matches.append((config, live))
    return matches, warnings


def _create(project: str, config: DesiredConfiguration, taken: set[str]) -> Change:
    uuid = config.uuid or _free_uuid(project, config.name, taken)
    taken.add(uuid)
    return Change(
        kind=Kind.CONFIGURATION,
        action=Action.CREATE,
        name=config.name,
        after={"name": config.name, "uuid": uuid, "configuration": config.configuration},
    )


def _free_uuid(project: str, name: str, taken: set[str]) -> str:
    """:func:`configuration_uuid`, or a deterministic variant when a live one already has
    it (a configuration capdecl created was renamed on the server)."""
    candidate = configuration_uuid(project, name)
    attempt = 1
    while candidate in taken:
        candidate = configuration_uuid(project, f"{name}\n{attempt}")
        attempt += 1
    return candidate


def _update(config: DesiredConfiguration, live: LiveConfiguration) -> Change | None:
    diffs: list[FieldDiff] = []
    if live.name != config.name:
        diffs.append(FieldDiff(path="name", before=live.name, after=config.name))
    diffs.extend(diff_configuration(live.configuration, config.configuration))
    if not diffs:
        return None
    renamed = live.name != config.name
    return Change(
        kind=Kind.CONFIGURATION,
        action=Action.UPDATE,
        name=config.name,
        uuid=live.uuid,
        before=_body(live.name, live.configuration),
        after=_body(config.name, config.configuration),
        diffs=tuple(diffs),
        reason=f'renamed from "{live.name}" (pinned uuid)' if renamed else None,
    )


def _body(name: str, configuration: Any) -> dict[str, Any]:
    return {"name": name, "configuration": plain_json(configuration)}


def _undeclared(
    desired: DesiredState, index: LiveIndex, claimed: dict[str, str]
) -> tuple[list[Change], int]:
    """DELETE changes for undeclared configurations the policy prunes; the rest counted."""
    policy = desired.policy
    deletes: list[Change] = []
    unmanaged = 0
    for live in index.live.configurations:
        if live.uuid.lower() in claimed:
            continue
        if policy.prune is not PruneScope.ALL or is_protected(live.name, policy.protect):
            unmanaged += 1
            continue
        linked = sum(
            1
            for c in index.live.captures
            if (c.configuration_uuid or "").lower() == live.uuid.lower()
        )
        deletes.append(
            Change(
                kind=Kind.CONFIGURATION,
                action=Action.DELETE,
                name=live.name,
                uuid=live.uuid,
                before=_body(live.name, live.configuration),
                notes=(f"unlinks {linked} capture(s)",) if linked else (),
            )
        )
    return deletes, unmanaged


def _rename_warnings(changes: list[Change], index: LiveIndex, claimed: dict[str, str]) -> list[str]:
    """Renames the server will refuse: onto the name of an undeclared configuration, or a
    cycle of renames (two configurations swapping names)."""
    renames = {d.before: d.after for c in changes for d in c.diffs[:1] if d.path == "name"}
    warnings: list[str] = []
    for old, new in renames.items():
        holder = index.configurations_by_name.get(new)
        if holder is not None and holder.uuid.lower() not in claimed:
            warnings.append(
                f'configuration "{old}" cannot be renamed to "{new}": an undeclared '
                f"configuration of that name exists on the server (uuid {holder.uuid}); "
                "rename or delete it first"
            )
        elif _in_cycle(old, renames):
            warnings.append(
                f'configuration "{old}" cannot be renamed to "{new}": the renames form a '
                "cycle; rename one of them through a temporary name first"
            )
    return warnings


def _in_cycle(start: str, renames: dict[str, str]) -> bool:
    seen = {start}
    current = renames.get(start)
    while current is not None and current not in seen:
        seen.add(current)
        current = renames.get(current)
    return current == start
