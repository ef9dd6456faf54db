"""The plan's changes as :class:`Block` values, shared by the human and Markdown renderers.

A block is one object's change: a headline (``capture "a.csv" must be replaced``), the
reason, the attribute lines, how many unchanged attributes are hidden and the blast radius.
Blocks are built from the plan's JSON form only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from capdecl.planner.model import Action, Kind
from capdecl.render.lines import Line, diff_lines, display, key_width, value_lines
from capdecl.render.summary import recording_seconds
from capdecl.render.text import compact, format_duration, plural, quote, sanitize

_ORDER: dict[str, tuple[str, ...]] = {
    Kind.CAPTURE.value: (
        "path",
        "sha256",
        "size",
        "samples",
        "sample_rate",
        "configuration",
        "metadata",
    ),
    Kind.CONFIGURATION.value: ("uuid", "configuration"),
    Kind.METADATA.value: ("type", "values"),
}
_DETAIL_WIDTH = 80
FATES = {
    Action.CREATE: "will be created",
    Action.UPDATE: "will be updated in place",
    Action.REPLACE: "must be replaced",
    Action.DELETE: "will be destroyed",
}


@dataclass(frozen=True, slots=True)
class Block:
    """One change, ready to print. ``detail`` is a one-line digest for tables."""

    action: Action
    kind: str
    name: str
    headline: str
    reason: str
    lines: tuple[Line, ...]
    hidden: int
    blast: str  # what a replace/delete destroys or restores ("" when nothing to say)
    destroys: bool  # the change destroys label segments
    notes: tuple[str, ...]
    detail: str

    @property
    def address(self) -> str:
        return f"{self.kind} {quote(self.name)}"


def build_blocks(plan: Mapping[str, Any]) -> list[Block]:
    changes: Sequence[Mapping[str, Any]] = plan.get("changes") or ()
    return [build_block(change) for change in changes]


def build_block(change: Mapping[str, Any]) -> Block:
    """The block for one change dict (see :meth:`capdecl.planner.model.Change.to_dict`)."""
    action = Action(change["action"])
    kind, name = sanitize(str(change["kind"])), str(change["name"])
    before, after = change.get("before"), change.get("after")
    diffs: Sequence[Mapping[str, Any]] = change.get("diffs") or ()
    hidden = 0
    if action is Action.CREATE:
        lines = attribute_lines("+", kind, after)
    elif action is Action.DELETE:
        lines = attribute_lines("-", kind, before)
    else:
        lines = diff_lines(kind, diffs)
        hidden = _hidden(kind, change, diffs)
    reason = change.get("reason")
    blast = _blast(change, action, kind)
    return Block(
        action=action,
        kind=kind,
        name=name,
        headline=f"{kind} {quote(name)} {_fate(action, diffs)}",
        reason=sanitize(" ".join(str(reason).split())) if reason else "",
        lines=tuple(lines),
        hidden=hidden,
        blast=blast,
        destroys=int(change.get("segments_lost") or 0) > 0,
        notes=tuple(_notes(change)),
        detail=_detail(change, action, kind, diffs),
    )


def attributes(kind: str, obj: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    """An object's shown fields in display order: ``name`` (it is in the headline) and
    absent values left out, a capture's metadata flattened to ``metadata.<name>``."""
    if not obj:
        return []
    order = _ORDER.get(kind, ())
    keys = [k for k in order if k in obj]
    keys += sorted(k for k in obj if k not in order and k != "name")
    result: list[tuple[str, Any]] = []
    for key in keys:
        value = obj[key]
        if key == "metadata" and kind == Kind.CAPTURE.value and isinstance(value, Mapping):
            result += [(f"metadata.{sanitize(k)}", value[k]) for k in sorted(value)]
        elif value is not None:
            result.append((sanitize(key), value))
    return result


def attribute_lines(sign: str, kind: str, obj: Mapping[str, Any] | None) -> list[Line]:
    """Every field of a created (``+``) or destroyed (``-``) object."""
    fields = attributes(kind, obj)
    width = key_width(k for k, _ in fields)
    lines: list[Line] = []
    for key, value in fields:
        scalar = not isinstance(value, (Mapping, list))
        shown = display(kind, key, value) if scalar else None
        note = _duration_note(obj) if kind == Kind.CAPTURE.value and key == "samples" else ""
        lines += value_lines(sign, key, value, width=width, shown=shown, note=note)
    return lines


def _duration_note(obj: Mapping[str, Any] | None) -> str:
    seconds = recording_seconds(obj)
    if not seconds or obj is None:
        return ""
    return f"{format_duration(seconds)} at {compact(obj['sample_rate'])} Hz"


def _fate(action: Action, diffs: Sequence[Mapping[str, Any]]) -> str:
    """What happens, in words, for the headline."""
    renamed = next((d for d in diffs if d["path"] == "name"), None)
    if action is not Action.UPDATE or renamed is None:
        return FATES[action]
    fate = f"will be renamed from {quote(str(renamed['before']))}"
    return fate + (" and updated in place" if len(diffs) > 1 else "")


def _attribute_of(path: str, names: Sequence[str]) -> str:
    """The shown attribute a diff path belongs to (``configuration.a[b].c`` is in
    ``configuration``)."""
    if path in names:
        return path
    for name in names:
        if path.startswith((name + ".", name + "[")):
            return name
    return path


def _hidden(kind: str, change: Mapping[str, Any], diffs: Sequence[Mapping[str, Any]]) -> int:
    """How many of the object's shown attributes no diff touches; 0 when a diff path is
    not an attribute of either side, as then nobody can tell what it covers."""
    after = change.get("after")
    shown = [k for k, _ in attributes(kind, after)]
    known = set(shown) | {k for k, _ in attributes(kind, change.get("before"))}
    changed = set()
    for diff in diffs:
        path = sanitize(str(diff["path"]))
        if path == "name":
            continue
        attribute = _attribute_of(path, sorted(known))
        if attribute not in known:
            return 0
        changed.add(attribute)
    return sum(1 for k in shown if k not in changed)


def _segments(lost: int) -> str:
    if not lost:
        return "no label segments are lost"
    return f"destroys {plural(lost, 'label segment')}"


def _blast(change: Mapping[str, Any], action: Action, kind: str) -> str:
    """The blast radius of a replace or delete: segments lost, metadata restored."""
    lost = int(change.get("segments_lost") or 0)
    if kind == Kind.CAPTURE.value and action is Action.REPLACE:
        metadata = (change.get("after") or {}).get("metadata") or {}
        return f"{_segments(lost)}; restores {plural(len(metadata), 'metadata value')}"
    if (kind == Kind.CAPTURE.value and action is Action.DELETE) or lost:
        return _segments(lost)
    return ""


def _notes(change: Mapping[str, Any]) -> list[str]:
    """The planner's notes, made safe to print."""
    return [sanitize(str(n)) for n in change.get("notes") or ()]


def _detail(
    change: Mapping[str, Any], action: Action, kind: str, diffs: Sequence[Mapping[str, Any]]
) -> str:
    """A short digest of the change for a one-row-per-object table."""
    side = change.get("before") if action is Action.DELETE else change.get("after")
    parts: list[str] = []
    if action in (Action.CREATE, Action.DELETE):
        parts += _digest(kind, side)
    else:
        renamed = next((d for d in diffs if d["path"] == "name"), None)
        if renamed is not None:
            parts.append(f"renamed from {quote(str(renamed['before']))}")
        changed = _changed_paths(kind, diffs)
        if changed:
            parts.append(_fit_list(changed))
    if kind == Kind.CAPTURE.value and action in (Action.REPLACE, Action.DELETE):
        parts.append(_segments(int(change.get("segments_lost") or 0)))
    return "; ".join(parts)


def _fit_list(items: Sequence[str]) -> str:
    """``a, b and 3 more``: as many items as fit the detail width (at least one)."""
    shown = 1
    while shown < len(items) and len(", ".join(items[: shown + 1])) <= _DETAIL_WIDTH:
        shown += 1
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" and {more} more" if more else "")


def _changed_paths(kind: str, diffs: Sequence[Mapping[str, Any]]) -> list[str]:
    """Distinct changed paths but the name, relative to the configuration JSON for a
    configuration (``capture_sources[Motion].sample_rate``)."""
    prefix = "configuration." if kind == Kind.CONFIGURATION.value else ""
    result: list[str] = []
    for diff in diffs:
        path = sanitize(str(diff["path"]))
        path = path[len(prefix) :] if prefix and path.startswith(prefix) else path
        if path != "name" and path not in result:
            result.append(path)
    return result


def _digest(kind: str, side: Mapping[str, Any] | None) -> list[str]:
    """Size and duration of a capture, value count of a metadata name."""
    if not side:
        return []
    if kind == Kind.CAPTURE.value:
        parts = [display(kind, "size", side["size"])] if isinstance(side.get("size"), int) else []
        seconds = recording_seconds(side)
        return parts + ([format_duration(seconds)] if seconds else [])
    values = side.get("values")
    if kind == Kind.METADATA.value and isinstance(values, list):
        return [plural(len(values), "value")]
    return []
