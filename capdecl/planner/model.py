"""The plan as a value: :class:`Action`, :class:`Kind`, :class:`FieldDiff`, :class:`Change`,
:class:`Plan`.

A Plan is immutable and always present (empty when nothing changes). Every renderer
(human, Markdown, JSON) renders from :meth:`Plan.to_dict`, so they cannot disagree.
The JSON form is versioned by ``FORMAT_VERSION`` (semver rules as Terraform's: consumers
ignore unknown fields within a major version).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sized
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

FORMAT_VERSION = "1.0"


class Action(str, Enum):
    """What happens to one object. The value is the JSON spelling."""

    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"  # delete + create: the server cannot change a capture's bytes
    DELETE = "delete"

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]


_SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.REPLACE: "-/+", Action.DELETE: "-"}


class Kind(str, Enum):
    """Object kinds, in dependency order (a later kind may depend on an earlier one)."""

    PROJECT = "project"
    METADATA = "metadata"  # a metadata name and its allowed values
    CONFIGURATION = "configuration"
    CAPTURE = "capture"


@dataclass(frozen=True, slots=True)
class FieldDiff:
    """One changed field. ``path`` is dotted with keyed list items in brackets, e.g.
    ``metadata.Subject``, ``configuration.capture_sources[Motion].sensors[Accelerometer]
    .parameters[Sensor Range].value``. ``None`` on one side means absent."""

    path: str
    before: Any
    after: Any
    forces_replace: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "before": _plain_value(self.before),
            "after": _plain_value(self.after),
            "forces_replace": self.forces_replace,
        }


@dataclass(frozen=True, slots=True)
class Change:
    """One object's change.

    ``before`` is the normalised live object (None for CREATE), ``after`` the normalised
    desired object (None for DELETE); both are JSON-able dicts. ``diffs`` lists only the
    changed fields (empty for CREATE/DELETE). ``reason`` explains a REPLACE or a rename and
    is for display only: it is never used to decide anything during apply.

    Capture ``after`` keys: name, path, sha256, size, samples, configuration,
    sample_rate, metadata. Capture ``before`` keys: name, sha256 (from the ledger, or
    None), size, samples, configuration, sample_rate, metadata.
    """

    kind: Kind
    action: Action
    name: str  # the object's name after the change (before it, for DELETE)
    uuid: str | None = None  # live uuid when the object exists
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    diffs: tuple[FieldDiff, ...] = ()
    reason: str | None = None
    segments_lost: int = 0  # label segments destroyed (REPLACE/DELETE of a capture)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.action is Action.CREATE and self.before is not None:
            raise ValueError("a CREATE has no before")
        if self.action is Action.DELETE and self.after is not None:
            raise ValueError("a DELETE has no after")

    @property
    def address(self) -> str:
        return f'{self.kind.value} "{self.name}"'

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "action": self.action.value,
            "name": self.name,
            "uuid": self.uuid,
            "before": _plain(self.before),
            "after": _plain(self.after),
            "diffs": [d.to_dict() for d in self.diffs],
            "reason": self.reason,
            "segments_lost": self.segments_lost,
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """What the plan was computed from, to explain a stale saved plan.

    ``files`` maps each file the plan would upload (path relative to the manifest
    directory) to its SHA-256. ``live`` maps each live object the plan read
    (``"capture:<uuid>"``, ``"configuration:<uuid>"``, ``"metadata:<uuid>"``,
    ``"project"``) to a short version token that changes whenever the object does.
    """

    files: Mapping[str, str] = field(default_factory=dict)
    live: Mapping[str, str] = field(default_factory=dict)

    def live_fingerprint(self) -> str:
        return _sha256_json(sorted(self.live.items()))

    def to_dict(self) -> dict[str, Any]:
        return {"files": dict(sorted(self.files.items())), "live": dict(sorted(self.live.items()))}


@dataclass(frozen=True, slots=True)
class Plan:
    """An ordered, immutable set of changes for one project.

    ``changes`` are in apply order (see :mod:`capdecl.planner.order`). ``unverified``
    names captures matched only by size and sample count (no ledger entry): not changes,
    but never silently equal. ``unmanaged`` counts server objects the manifests do not
    declare and the deletion policy keeps, by kind value.
    """

    project: str
    changes: tuple[Change, ...] = ()
    unverified: tuple[str, ...] = ()
    unmanaged: Mapping[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    # None when not computed (PlanOptions(inputs=False)): to_dict() then has neither
    # ``inputs`` nor ``checksum``, which only a saved plan and the JSON format need
    inputs: PlanInputs | None = field(default_factory=PlanInputs)

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def counts(self) -> dict[str, int]:
        """Summary counts keyed by action value (every action present, zero included)."""
        counts = {a.value: 0 for a in Action}
        for change in self.changes:
            counts[change.action.value] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON form (``--format json`` prints exactly this; without
        ``inputs`` and ``checksum`` when the inputs were not computed)."""
        body: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "project": self.project,
            "summary": self.counts(),
            "changes": [c.to_dict() for c in self.changes],
            "unverified": list(self.unverified),
            "unmanaged": dict(sorted(self.unmanaged.items())),
            "warnings": list(self.warnings),
        }
        if self.inputs is not None:
            body["inputs"] = self.inputs.to_dict()
            body["checksum"] = plan_checksum(body)
        return body


def plan_checksum(body: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical plan JSON (without its own ``checksum`` key).

    It covers every change, the SHA-256 of every file to upload and the live objects'
    version tokens, so any drift in server or files changes it."""
    return _sha256_json({k: v for k, v in body.items() if k != "checksum"})


def _sha256_json(value: object) -> str:
    """SHA-256 of ``json.dumps(value, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` in UTF-8, fed piece by piece (a plan of 100,000 changes would
    otherwise build its whole JSON text, twice, just to hash it)."""
    sha = hashlib.sha256()
    for piece in _canonical_pieces(value):
        sha.update(piece.encode("utf-8"))
    return sha.hexdigest()


_SEQUENCES = (list, tuple)
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_OPEN_LEVELS = 2  # the plan body and its sections are always opened up ...
_SPLIT_ABOVE = 20_000  # ... and so is any container with more items than this,
_BATCH = 2_000  # which is then encoded this many items at a time


def _canonical_pieces(value: object, depth: int = 0) -> Iterator[str]:
    """The canonical JSON text of ``value`` in pieces whose concatenation is exactly the
    one-shot text: the top levels and very large dicts (string keys only) and lists are
    opened up and encoded a batch of items at a time by the C encoder; the rest whole."""
    big = isinstance(value, Sized) and len(value) > _SPLIT_ABOVE
    if depth < _OPEN_LEVELS and not big:
        yield from _opened(value, depth)
    elif big and (type(value) is dict or type(value) in _SEQUENCES):
        yield from _batched(value)
    else:
        yield _CANONICAL.encode(value)


def _opened(value: object, depth: int) -> Iterator[str]:
    """A small dict or list item by item (each one may be opened further)."""
    if type(value) is dict and all(type(k) is str for k in value):
        yield "{"
        for index, key in enumerate(sorted(value)):
            yield ("," if index else "") + _CANONICAL.encode(key) + ":"
            yield from _canonical_pieces(value[key], depth + 1)
        yield "}"
    elif isinstance(value, list | tuple) and type(value) in _SEQUENCES:
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _canonical_pieces(item, depth + 1)
        yield "]"
    else:
        yield _CANONICAL.encode(value)


def _batched(value: Any) -> Iterator[str]:
    """A large dict or list as runs of ``_BATCH`` items, each encoded by the C encoder
    without its brackets (a sorted dict's runs are taken from its sorted keys)."""
    runs: Iterator[object]
    if type(value) is dict:
        if not all(type(k) is str for k in value):
            yield _CANONICAL.encode(value)
            return
        keys = sorted(value)
        runs = ({k: value[k] for k in keys[i : i + _BATCH]} for i in range(0, len(keys), _BATCH))
        brackets = "{}"
    else:
        runs = (list(value[i : i + _BATCH]) for i in range(0, len(value), _BATCH))
        brackets = "[]"
    yield brackets[0]
    for index, run in enumerate(runs):
        yield ("," if index else "") + _CANONICAL.encode(run)[1:-1]
    yield brackets[1]


def _plain(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else dict(_plain_value(value))


class _NotPlain(Exception):
    """A value :func:`_plain_copy` leaves to the JSON round trip."""


def _plain_value(value: Any) -> Any:
    """A JSON-plain copy with sorted keys, so a reloaded plan equals the original.

    Exactly ``json.loads(json.dumps(value, sort_keys=True))``; values made only of dicts
    with string keys, lists, tuples, strings, ints, floats, bools and None (every plan
    value) are copied directly, which is many times faster than the round trip."""
    try:
        return _plain_copy(value)
    except (_NotPlain, RecursionError):
        pass  # not raised from here: a value json refuses gets json's own error
    return json.loads(json.dumps(value, sort_keys=True))


def _plain_copy(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is str or kind is int or kind is float or kind is bool:
        return value
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise _NotPlain
        return {key: _plain_copy(value[key]) for key in sorted(value)}
    if kind is list or kind is tuple:
        return [_plain_copy(item) for item in value]
    raise _NotPlain
