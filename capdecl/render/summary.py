"""What every renderer says around the changes: the summary line and the plan notes.

All of it is computed from the plan's JSON form, so the human, Markdown and JSON outputs
report the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from capdecl.planner.model import Action, Kind
from capdecl.render.text import plural, quote, signed_duration, signed_size

UNVERIFIED_SHOWN = 20
_NOUNS = {
    Kind.PROJECT.value: ("project", "projects"),
    Kind.METADATA.value: ("metadata name", "metadata names"),
    Kind.CONFIGURATION.value: ("configuration", "configurations"),
    Kind.CAPTURE.value: ("capture", "captures"),
}
_KIND_ORDER = [k.value for k in Kind]


def changes_of(plan: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    changes: Sequence[Mapping[str, Any]] = plan.get("changes") or ()
    return changes


def counts(plan: Mapping[str, Any]) -> dict[str, int]:
    """Changes per action value, every action present (zero included)."""
    result = {a.value: 0 for a in Action}
    for change in changes_of(plan):
        result[change["action"]] = result.get(change["action"], 0) + 1
    return result


@dataclass(frozen=True, slots=True)
class Deltas:
    """How much data and recording time the plan adds (negative: removes)."""

    size: int = 0
    seconds: float = 0.0


def deltas(plan: Mapping[str, Any]) -> Deltas:
    """Bytes and recording seconds: created/replacing objects minus replaced/deleted ones.

    A side contributes recording time only when both its ``samples`` and ``sample_rate``
    are known."""
    size, seconds = 0, 0.0
    for change in changes_of(plan):
        action = change["action"]
        sides = []
        if action in (Action.CREATE.value, Action.REPLACE.value):
            sides.append((1, change.get("after")))
        if action in (Action.REPLACE.value, Action.DELETE.value):
            sides.append((-1, change.get("before")))
        for sign, side in sides:
            size += sign * _int(side, "size")
            seconds += sign * recording_seconds(side)
    return Deltas(size=size, seconds=seconds)


def recording_seconds(side: Mapping[str, Any] | None) -> float:
    """``samples / sample_rate`` of a capture side, 0 when either is unknown."""
    samples, rate = _number(side, "samples"), _number(side, "sample_rate")
    return samples / rate if samples and rate > 0 else 0.0


def _int(side: Mapping[str, Any] | None, key: str) -> int:
    value = side.get(key) if side else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _number(side: Mapping[str, Any] | None, key: str) -> float:
    value = side.get(key) if side else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def summary_line(plan: Mapping[str, Any]) -> str:
    """``Plan: 3 to add, 2 to change, 1 to replace, 0 to destroy (+1.2 MiB, ...).`` or
    ``No changes. Project "x" matches the manifests.``"""
    if not changes_of(plan):
        return f"No changes. Project {quote(str(plan.get('project', '')))} matches the manifests."
    n = counts(plan)
    text = (
        f"Plan: {n[Action.CREATE.value]} to add, {n[Action.UPDATE.value]} to change, "
        f"{n[Action.REPLACE.value]} to replace, {n[Action.DELETE.value]} to destroy"
    )
    delta = deltas(plan)
    parts = [signed_size(delta.size)] if delta.size else []
    if round(delta.seconds):
        parts.append(f"{signed_duration(delta.seconds)} of recording")
    return text + (f" ({', '.join(parts)})." if parts else ".")


def unverified_headline(count: int) -> str:
    verb = "is" if count == 1 else "are"
    return (
        f"{plural(count, 'capture')} {verb} unverified: "
        "no ledger entry; matched by size and sample count only"
    )


def unverified_shown(
    plan: Mapping[str, Any], shown: int = UNVERIFIED_SHOWN
) -> tuple[list[str], int]:
    """The first ``shown`` unverified capture names, and how many more there are."""
    names: Sequence[str] = plan.get("unverified") or ()
    return [str(n) for n in names[:shown]], max(len(names) - shown, 0)


def unmanaged_lines(plan: Mapping[str, Any]) -> list[str]:
    """One sentence per kind with undeclared objects the deletion policy keeps."""
    unmanaged: Mapping[str, int] = plan.get("unmanaged") or {}
    kinds = sorted(unmanaged, key=lambda k: (_KIND_ORDER.index(k) if k in _KIND_ORDER else 99, k))
    lines = []
    for kind in kinds:
        count = unmanaged[kind]
        if count <= 0:
            continue
        one, many = _NOUNS.get(kind, (kind, kind))
        verb = "is" if count == 1 else "are"
        lines.append(
            f"{plural(count, one, many)} on the server {verb} not declared and "
            f"{verb} kept (see settings.prune)."
        )
    return lines


def warnings_of(plan: Mapping[str, Any]) -> Sequence[str]:
    warnings: Sequence[str] = plan.get("warnings") or ()
    return warnings
