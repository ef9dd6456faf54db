"""Attribute lines: one changed (or created, or destroyed) field, ready to print.

A :class:`Line` is renderer-neutral: the human renderer prints it Terraform-style
(``~ sample_rate = 100 -> 200``), the Markdown renderer as ``-``/``+`` lines of a ``diff``
block. Containers become nested lines (an opener, the items one level deeper, a closer), so a
created capture configuration reads as a tree rather than one long JSON string.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from capdecl.planner.model import Kind
from capdecl.render.text import compact, format_size, plural, quote, sanitize, short_sha

KEY_WIDTH_CAP = 32  # longer keys do not widen the `=` column of their siblings
INLINE_LIST_CAP = 60  # lists of scalars up to this many characters stay on one line
_IDENTIFIER_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@dataclass(frozen=True, slots=True)
class Line:
    """One printed line of a change block.

    ``sign`` is ``+``, ``-``, ``~`` or ``""`` (a comment). ``old`` is set for ``~`` lines
    whose value changed in place. ``closer`` marks the ``}``/``]`` ending a nested value.
    """

    sign: str
    depth: int = 0
    key: str = ""
    value: str = ""
    old: str | None = None
    note: str = ""
    width: int = 0
    closer: bool = False

    @property
    def head(self) -> str:
        """``key = `` with the key padded to the block's `=` column (empty for items)."""
        return f"{self.key.ljust(self.width)} = " if self.key else ""


def key_width(keys: Iterable[str]) -> int:
    """The `=` column for sibling keys (keys longer than the cap keep a single space)."""
    return max((len(k) for k in keys if len(k) <= KEY_WIDTH_CAP), default=0)


def display(kind: str, path: str, value: Any) -> str:
    """A field value as shown to people: sizes in binary units, SHA-256 shortened."""
    if kind == Kind.CAPTURE.value:
        if path == "size" and isinstance(value, int) and not isinstance(value, bool):
            return format_size(value)
        if path == "sha256" and isinstance(value, str):
            return short_sha(value)
    return compact(value)


def display_pair(kind: str, path: str, before: Any, after: Any) -> tuple[str, str]:
    """Both sides of an in-place change, exact when rounding would hide the difference."""
    old, new = display(kind, path, before), display(kind, path, after)
    if old == new and before != after:
        exact = f"{before} B" if path == "size" else compact(before)
        return exact, (f"{after} B" if path == "size" else compact(after))
    return old, new


def value_lines(
    sign: str,
    key: str,
    value: Any,
    *,
    depth: int = 0,
    width: int = 0,
    shown: str | None = None,
    note: str = "",
    suffix: str = "",
) -> list[Line]:
    """Lines for one value: a single line for scalars, a nested tree for containers."""
    if isinstance(value, Mapping) and value:
        # keys sorted, as in the saved JSON: in-memory and reloaded plans render alike
        items = sorted(((str(k), v) for k, v in value.items()), key=lambda kv: kv[0])
        inner = key_width(_json_key(k) for k, _ in items)
        lines = [Line(sign, depth, key, "{", width=width, note=note)]
        for name, item in items:
            lines += value_lines(sign, _json_key(name), item, depth=depth + 1, width=inner)
        lines.append(Line(sign, depth, value="}" + suffix, closer=True))
        return lines
    if isinstance(value, list) and value and not _inline(value):
        lines = [Line(sign, depth, key, "[", width=width, note=note)]
        for item in value:
            lines += value_lines(sign, "", item, depth=depth + 1, suffix=",")
        lines.append(Line(sign, depth, value="]" + suffix, closer=True))
        return lines
    text = compact(value) if shown is None else shown
    return [Line(sign, depth, key, text + suffix, width=width, note=note)]


def diff_lines(kind: str, diffs: Sequence[Mapping[str, Any]]) -> list[Line]:
    """Lines for the changed fields of an update or replace, in plan order."""
    width = key_width(sanitize(str(d["path"])) for d in diffs)
    lines: list[Line] = []
    for diff in diffs:
        path, before, after = sanitize(str(diff["path"])), diff.get("before"), diff.get("after")
        note = "forces replacement" if diff.get("forces_replace") else ""
        if before is None and after is not None:
            shown = display(kind, path, after) if _is_scalar(after) else None
            lines += value_lines("+", path, after, width=width, shown=shown, note=note)
        elif after is None and before is not None:
            shown = display(kind, path, before) if _is_scalar(before) else None
            lines += value_lines("-", path, before, width=width, shown=shown, note=note)
        else:
            lines += _changed(kind, path, before, after, width, note)
    return lines


def _changed(
    kind: str, path: str, before: Any, after: Any, width: int, note: str, depth: int = 0
) -> list[Line]:
    """An in-place change: objects show their changed keys, lists of scalars their added
    and removed elements, anything else ``old -> new``."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        return _mapping_diff(path, before, after, width, note, depth)
    if _scalar_list(before) and _scalar_list(after):
        removed = [x for x in before if x not in after]
        added = [x for x in after if x not in before]
        if removed or added:
            inner = depth + 1
            lines = [Line("~", depth, path, "[", width=width, note=note)]
            lines += [Line("-", inner, value=compact(x) + ",") for x in removed]
            lines += [Line("+", inner, value=compact(x) + ",") for x in added]
            lines += _hidden_line(len(before) - len(removed), "unchanged element", inner)
            lines.append(Line("~", depth, value="]", closer=True))
            return lines
    old, new = display_pair(kind, path, before, after)
    return [Line("~", depth, path, new, old=old, width=width, note=note)]


def _mapping_diff(
    key: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    width: int,
    note: str,
    depth: int,
) -> list[Line]:
    """Terraform's nested object diff: changed keys only, the rest counted."""
    names = sorted({str(k) for k in before} | {str(k) for k in after})
    changed = [n for n in names if (n in before, before.get(n)) != (n in after, after.get(n))]
    inner = key_width(_json_key(n) for n in changed)
    lines = [Line("~", depth, key, "{", width=width, note=note)]
    for name in changed:
        printed = _json_key(name)
        if name not in before:
            lines += value_lines("+", printed, after[name], depth=depth + 1, width=inner)
        elif name not in after:
            lines += value_lines("-", printed, before[name], depth=depth + 1, width=inner)
        else:
            lines += _changed("", printed, before[name], after[name], inner, "", depth + 1)
    lines += _hidden_line(len(names) - len(changed), "unchanged attribute", depth + 1)
    lines.append(Line("~", depth, value="}", closer=True))
    return lines


def _hidden_line(count: int, what: str, depth: int) -> list[Line]:
    return [Line("", depth, value=f"# ({plural(count, what)} hidden)")] if count else []


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (Mapping, list))


def _scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(_is_scalar(x) for x in value)


def _inline(items: list[Any]) -> bool:
    return _scalar_list(items) and len(compact(items)) <= INLINE_LIST_CAP


def _json_key(key: str) -> str:
    """A JSON object key, quoted unless it is a plain identifier."""
    plain = key and not key[0].isdigit() and all(c in _IDENTIFIER_CHARS for c in key)
    return key if plain else quote(key)
