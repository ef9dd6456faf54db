"""Structural diff of two configuration JSON values, as :class:`FieldDiff` rows.

Configuration bodies are compared as parsed JSON, never as text: object key order is
ignored (the server's jsonb reorders keys), and the lists ``capture_sources``, ``sensors``
and ``parameters`` are matched by their natural key (``name``, ``type``, ``name``) rather
than by position, so reordering sources, sensors or parameters is no change. A list whose
items lack the key, or repeat it, on either side falls back to matching by position.
Integral floats compare equal to integers (``2.0 == 2``), as JSON numbers do.

The diff itself is computed by DeepDiff on a keyed copy of both values; its output is
turned into ``FieldDiff`` at once, so no DeepDiff type leaves this module. Paths read
``configuration.capture_sources[Motion (BMI160)].sensors[Accelerometer].parameters[Sensor
Range].value``; positional items show their index (``column_names[2]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from capdecl.planner.model import FieldDiff

KEYED_LISTS: dict[str, str] = {"capture_sources": "name", "sensors": "type", "parameters": "name"}

_ABSENT = object()


class _Keyed(dict[Any, Any]):
    """A keyed list: list items stored under their natural key, in list order."""


def diff_configuration(
    before: Any, after: Any, prefix: str = "configuration"
) -> tuple[FieldDiff, ...]:
    """The changed leaves between ``before`` (live) and ``after`` (desired), sorted by path.

    A whole value that appears or disappears is one row with ``None`` on the missing side.
    """
    if _same(before, after):
        return ()  # the common case, and DeepDiff (slow to import and to run) is not needed
    from deepdiff import DeepDiff

    left, right = _keyed_pair(before, after, None)
    tree = DeepDiff(left, right, view="tree")
    rows: list[tuple[tuple[tuple[int, str], ...], FieldDiff]] = []
    for levels in tree.values():
        for level in levels:
            keys = level.path(output_format="list")
            rows.append(
                (
                    _sort_key(keys),
                    FieldDiff(
                        path=_render_path(prefix, keys, left, right),
                        before=_unkeyed(level.t1),
                        after=_unkeyed(level.t2),
                    ),
                )
            )
    rows.sort(key=lambda row: row[0])
    return tuple(diff for _, diff in rows)


def _same(left: Any, right: Any) -> bool:
    """Equal, with the same JSON type at every place: then the keyed copies are equal
    too and DeepDiff would find nothing. (Anything else, such as ``2`` against ``2.0`` or
    reordered sensors, is left to DeepDiff.)"""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(_same, left, right))
    return bool(left == right)


# --------------------------------------------------------------------------- keyed copies


def _keyed_pair(left: Any, right: Any, field: str | None) -> tuple[Any, Any]:
    """Keyed copies of two values, choosing the same list keying on both sides."""
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        out_left: dict[Any, Any] = {}
        out_right: dict[Any, Any] = {}
        for key in dict.fromkeys([*left, *right]):
            pair = _keyed_pair(left.get(key, _ABSENT), right.get(key, _ABSENT), str(key))
            if pair[0] is not _ABSENT:
                out_left[key] = pair[0]
            if pair[1] is not _ABSENT:
                out_right[key] = pair[1]
        return out_left, out_right
    if isinstance(left, list) and isinstance(right, list):
        return _keyed_lists(left, right, field)
    return _keyed(left, field), _keyed(right, field)


def _keyed_lists(left: list[Any], right: list[Any], field: str | None) -> tuple[Any, Any]:
    key_name = KEYED_LISTS.get(field or "")
    left_keys = _natural_keys(left, key_name)
    right_keys = _natural_keys(right, key_name)
    if left_keys is None or right_keys is None:
        pairs = [_keyed_pair(a, b, None) for a, b in zip(left, right, strict=False)]
        return (
            [p[0] for p in pairs] + [_keyed(x, None) for x in left[len(pairs) :]],
            [p[1] for p in pairs] + [_keyed(x, None) for x in right[len(pairs) :]],
        )
    by_key_right = dict(zip(right_keys, right, strict=True))
    by_key_left = dict(zip(left_keys, left, strict=True))
    out_left, out_right = _Keyed(), _Keyed()
    for key in dict.fromkeys([*left_keys, *right_keys]):
        pair = _keyed_pair(by_key_left.get(key, _ABSENT), by_key_right.get(key, _ABSENT), None)
        if pair[0] is not _ABSENT:
            out_left[key] = pair[0]
        if pair[1] is not _ABSENT:
            out_right[key] = pair[1]
    return _reordered(out_left, left_keys), _reordered(out_right, right_keys)


def _reordered(keyed: _Keyed, order: list[str]) -> _Keyed:
    """Keep each side's own list order, so a whole list shown in a diff reads as declared."""
    return _Keyed((key, keyed[key]) for key in order)


def _natural_keys(items: list[Any], key_name: str | None) -> list[str] | None:
    """The natural key of every item, or None when the list is not keyed or cannot be."""
    if key_name is None:
        return None
    raw = [item.get(key_name) if isinstance(item, Mapping) else None for item in items]
    keys = [key for key in raw if isinstance(key, str)]
    if len(keys) != len(raw) or len(set(keys)) != len(keys):
        return None
    return keys


def _keyed(value: Any, field: str | None) -> Any:
    """Keyed copy of a value present on one side only (or of a scalar)."""
    if value is _ABSENT:
        return value
    if isinstance(value, Mapping):
        return {key: _keyed(item, str(key)) for key, item in value.items()}
    if isinstance(value, list):
        keys = _natural_keys(value, KEYED_LISTS.get(field or ""))
        if keys is None:
            return [_keyed(item, None) for item in value]
        return _Keyed((key, _keyed(item, None)) for key, item in zip(keys, value, strict=True))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _unkeyed(value: Any) -> Any:
    """Back to plain JSON: keyed lists become lists again, DeepDiff's 'not present' None."""
    if isinstance(value, _Keyed):
        return [_unkeyed(item) for item in value.values()]
    if isinstance(value, Mapping):
        return {key: _unkeyed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unkeyed(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return None  # deepdiff's NotPresent marker


# --------------------------------------------------------------------------- paths


def _render_path(prefix: str, keys: list[Any], left: Any, right: Any) -> str:
    """Dotted path with keyed list items and indexes in brackets."""
    text = prefix
    nodes = [left, right]
    for key in keys:
        container = next(
            (node for node in nodes if isinstance(node, (dict, list)) and _has(node, key)), None
        )
        if isinstance(container, (_Keyed, list)):
            text += f"[{key}]"
        else:
            text += f".{key}"
        nodes = [node[key] if _has(node, key) else None for node in nodes]
    return text


def _has(node: Any, key: Any) -> bool:
    if isinstance(node, list):
        return isinstance(key, int) and 0 <= key < len(node)
    return isinstance(node, dict) and key in node


def _sort_key(keys: list[Any]) -> tuple[tuple[int, str], ...]:
    """Order rows by path, with list indexes in numeric order."""
    return tuple((0, f"{key:012d}") if isinstance(key, int) else (1, str(key)) for key in keys)
