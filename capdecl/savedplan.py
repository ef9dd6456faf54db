"""Saved plans: ``capdecl plan --out FILE`` and ``capdecl apply FILE``.

A saved plan is the plan's canonical JSON plus where it came from (manifest directory,
server URL without credentials). Its checksum covers every change, the SHA-256 of every
declared file and a version token of every live object the plan read. ``apply FILE``
re-reads the manifests, the files and the server, rebuilds the plan and applies it only if
the checksum is unchanged; otherwise it refuses and says *what moved*: which files changed
on disk, which server objects changed, and how the changes differ.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from capdecl.errors import ConfigError, StalePlanError

SAVED_FORMAT = 1


@dataclass(frozen=True)
class SavedPlan:
    """A plan read back from disk."""

    directory: str
    server: str
    plan: Mapping[str, Any]

    @property
    def checksum(self) -> str:
        return str(self.plan.get("checksum", ""))


def write_saved_plan(path: Path, directory: Path, server: str, plan: Mapping[str, Any]) -> None:
    """Write a saved plan as JSON (no credentials are part of it)."""
    body = {
        "capdecl_saved_plan": SAVED_FORMAT,
        "directory": str(directory),
        "server": server,
        "plan": plan,
    }
    path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def read_saved_plan(path: Path) -> SavedPlan:
    """Read a saved plan, refusing anything that is not one."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"{path}: not a readable saved plan ({error})") from None
    if not isinstance(body, dict) or body.get("capdecl_saved_plan") != SAVED_FORMAT:
        raise ConfigError(f"{path}: not a capdecl saved plan (format {SAVED_FORMAT})")
    plan, directory, server = body.get("plan"), body.get("directory"), body.get("server")
    if not isinstance(plan, dict) or not isinstance(directory, str) or not isinstance(server, str):
        raise ConfigError(f"{path}: saved plan is incomplete (plan, directory, server)")
    return SavedPlan(directory=directory, server=server, plan=plan)


def verify_fresh(saved: SavedPlan, fresh: Mapping[str, Any], names: Mapping[str, str]) -> None:
    """Raise StalePlanError, explaining what moved, unless ``fresh`` matches ``saved``.

    ``names`` maps live keys such as ``capture:<uuid>`` to display names."""
    if saved.checksum and saved.checksum == fresh.get("checksum"):
        return
    details = explain_staleness(saved.plan, fresh, names)
    raise StalePlanError(
        "saved plan is stale: the server or the files changed since it was made; "
        "run `capdecl plan` again and review the new plan",
        details or ["the plans differ (format or manifests changed)"],
    )


def explain_staleness(
    old: Mapping[str, Any], new: Mapping[str, Any], names: Mapping[str, str]
) -> list[str]:
    """Human sentences naming each file and server object that moved."""
    old_inputs, new_inputs = _inputs(old), _inputs(new)
    lines = _moved(old_inputs["files"], new_inputs["files"], "file", lambda key: key)
    lines += _moved(
        old_inputs["live"], new_inputs["live"], "server object", lambda key: names.get(key, key)
    )
    old_changes = {_change_key(c) for c in old.get("changes", [])}
    new_changes = {_change_key(c) for c in new.get("changes", [])}
    lines += [f"no longer planned: {c}" for c in sorted(old_changes - new_changes)]
    lines += [f"newly planned: {c}" for c in sorted(new_changes - old_changes)]
    return lines


def _inputs(plan: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    inputs = plan.get("inputs")
    inputs = inputs if isinstance(inputs, Mapping) else {}
    files, live = inputs.get("files"), inputs.get("live")
    return {
        "files": dict(files) if isinstance(files, Mapping) else {},
        "live": dict(live) if isinstance(live, Mapping) else {},
    }


def _moved(old: Mapping[str, str], new: Mapping[str, str], what: str, show: Any) -> list[str]:
    lines = []
    for key in sorted(set(old) | set(new)):
        if key not in new:
            lines.append(f"{what} {show(key)} is gone")
        elif key not in old:
            lines.append(f"{what} {show(key)} is new")
        elif old[key] != new[key]:
            lines.append(f"{what} {show(key)} changed")
    return lines


def _change_key(change: Mapping[str, Any]) -> str:
    return f'{change.get("action")} {change.get("kind")} "{change.get("name")}"'
