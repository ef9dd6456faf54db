"""Capture metadata values: missing allowed values first, then relationships in bulk.

Uploaded captures get all their metadata; updated captures get their ``metadata.<Name>``
diffs: a new value is a created relationship, a changed one an update of the existing
relationship (matched by uuid, which the project-level bulk PUT does safely), a removed
one a delete by relationship uuid. Each kind of write goes out in a few bulk calls of at
most :data:`BATCH` items; a failed call is retried capture by capture so that one bad
capture fails alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from capdecl.apply.context import ApplyContext
from capdecl.errors import CapdeclError
from capdecl.planner.model import Action, Change, Kind
from capdecl.state import LiveRelationship

# items per bulk call, no larger than the client's request batches: 5,000 links are
# about 650 KB of JSON (Piccolo accepts 250 MB bodies), so a typical apply sends one
BATCH = 5000

T = TypeVar("T")
Groups = list[tuple[Change, list[T]]]
Triple = tuple[str, str, str]  # (capture uuid, metadata-name uuid, value uuid)

METADATA_PREFIX = "metadata."


def wanted_metadata(change: Change) -> Iterator[tuple[str, str]]:
    """(name, value) pairs a capture change needs on the server."""
    if change.action in (Action.CREATE, Action.REPLACE):
        for name, value in dict((change.after or {}).get("metadata") or {}).items():
            yield str(name), str(value)
    elif change.action is Action.UPDATE:
        for diff in change.diffs:
            if diff.path.startswith(METADATA_PREFIX) and diff.after is not None:
                yield diff.path[len(METADATA_PREFIX) :], str(diff.after)


def ensure_values(ctx: ApplyContext) -> None:
    """Create the allowed values that the plan's captures use but the server lacks (for
    metadata names declared without a closed value list). A value that cannot be created
    makes the captures that need it fail with the reason."""
    needed: dict[tuple[str, str], None] = {}
    for change in ctx.plan.changes:
        if change.kind is not Kind.CAPTURE:
            continue
        for name, value in wanted_metadata(change):
            if name in ctx.ids.metadata and value not in ctx.ids.values.get(name, {}):
                needed[(name, value)] = None
    for name, value in needed:
        try:
            uuid = ctx.writer.create_metadata_value(ctx.project_uuid, ctx.ids.metadata[name], value)
        except CapdeclError as error:
            address = f'metadata value "{name}={value}"'
            ctx.ids.missing[address] = f"skipped: {address} could not be created: {error}"
            continue
        ctx.ids.values.setdefault(name, {})[value] = uuid


class _Writes:
    def __init__(self) -> None:
        self.creates: Groups[Triple] = []
        self.updates: Groups[LiveRelationship] = []
        self.deletes: Groups[str] = []


def run_relationships(ctx: ApplyContext, uploaded: Sequence[tuple[Change, str]]) -> None:
    """Write the metadata relationships of uploaded and updated captures."""
    writes = _Writes()
    for change, uuid in uploaded:
        _for_upload(ctx, writes, change, uuid)
    for change in ctx.plan.changes:
        if change.kind is Kind.CAPTURE and change.action is Action.UPDATE:
            _for_update(ctx, writes, change)
    p = ctx.project_uuid
    _bulk(ctx, writes.deletes, lambda items: ctx.writer.delete_relationships(p, items))
    _bulk(ctx, writes.updates, lambda items: ctx.writer.update_relationships(p, items))
    _bulk(ctx, writes.creates, lambda items: ctx.writer.create_relationships(p, items))


def _resolve(ctx: ApplyContext, change: Change, name: str, value: str) -> tuple[str, str] | None:
    blocker = ctx.blocker({name: value}, None)
    if blocker is not None:
        ctx.fail(change, "metadata", blocker)
        return None
    return ctx.ids.metadata[name], ctx.ids.values[name][value]


def _for_upload(ctx: ApplyContext, writes: _Writes, change: Change, uuid: str) -> None:
    triples = []
    for name, value in wanted_metadata(change):
        resolved = _resolve(ctx, change, name, value)
        if resolved is not None:
            triples.append((uuid, *resolved))
    if triples:
        writes.creates.append((change, triples))


def _for_update(ctx: ApplyContext, writes: _Writes, change: Change) -> None:
    uuid = str(change.uuid)
    creates: list[Triple] = []
    updates: list[LiveRelationship] = []
    deletes: list[str] = []
    for diff in change.diffs:
        if not diff.path.startswith(METADATA_PREFIX):
            continue
        name = diff.path[len(METADATA_PREFIX) :]
        label = ctx.ids.metadata.get(name)
        existing = ctx.ids.relationships.get((uuid, label)) if label else None
        if diff.after is None:
            if existing is not None:
                deletes.append(existing.uuid)
            continue
        resolved = _resolve(ctx, change, name, str(diff.after))
        if resolved is None:
            continue
        if existing is not None:
            updates.append(LiveRelationship(existing.uuid, uuid, resolved[0], resolved[1]))
        else:
            creates.append((uuid, *resolved))
    if creates:
        writes.creates.append((change, creates))
    if updates:
        writes.updates.append((change, updates))
    if deletes:
        writes.deletes.append((change, deletes))


def _bulk(ctx: ApplyContext, groups: Groups[T], call: Callable[[list[T]], Any]) -> None:
    """Send the groups in batches; when a batch fails, retry its captures one by one."""
    for chunk in _chunks(groups):
        try:
            call([item for _, group in chunk for item in group])
            continue
        except CapdeclError as error:
            if len(chunk) == 1:
                ctx.fail(chunk[0][0], "metadata", str(error))
                continue
        for change, group in chunk:
            try:
                call(group)
            except CapdeclError as error:
                ctx.fail(change, "metadata", str(error))


def _chunks(groups: Groups[T]) -> Iterator[Groups[T]]:
    """Whole groups packed into chunks of at most BATCH items (a bigger group alone)."""
    chunk: Groups[T] = []
    size = 0
    for change, group in groups:
        if chunk and size + len(group) > BATCH:
            yield chunk
            chunk, size = [], 0
        chunk.append((change, group))
        size += len(group)
    if chunk:
        yield chunk
