"""``apply_plan``: carry out a plan against a server, step by step.

Phases, in dependency order (the plan's own order is not relied on):

1. project create;
2. metadata names (with their values) and missing values; then values captures use;
3. capture configurations: create (client-chosen uuid) and update;
4. capture uploads (:mod:`capdecl.apply.uploads`: pending ledger entries first);
5. in-place capture updates;
6. metadata relationships in bulk;
7. ledger housekeeping (the plan's project ``ledger`` change);
8. capture deletes, their ledger entries, then configuration deletes.

Every step is independent where it can be: a failure is recorded with its cause, skips
only the steps that depend on it, and the rest goes on. ``apply_plan`` does not raise
for step failures; the caller turns ``ApplyResult.failures`` into its exit status.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from capdecl.apply.backup import Backups, backup_folder
from capdecl.apply.captures import (
    display_fields,
    report_updates,
    run_capture_deletes,
    run_capture_updates,
)
from capdecl.apply.context import ApplyContext
from capdecl.apply.counting import CountingWriter
from capdecl.apply.model import ApplyOptions, ApplyResult
from capdecl.apply.relationships import ensure_values, run_relationships
from capdecl.apply.report import Reporter
from capdecl.apply.uploads import run_uploads
from capdecl.client.base import ServerWriter
from capdecl.errors import CapdeclError, NotFoundError
from capdecl.planner.model import Action, Change, Kind, Plan
from capdecl.planner.project import ledger_housekeeping
from capdecl.state import DesiredState, LiveMetadataField, LiveState


@runtime_checkable
class MetadataTypeWriter(Protocol):
    """Optional writer capability: change a metadata name's type (a full PATCH of
    name, type and is_dropdown, as the server requires)."""

    def update_metadata_field(
        self, project_uuid: str, uuid: str, *, name: str, type_: str, is_dropdown: bool
    ) -> LiveMetadataField: ...


def apply_plan(
    plan: Plan,
    desired: DesiredState,
    live: LiveState,
    writer: ServerWriter,
    options: ApplyOptions,
    reporter: Reporter,
) -> ApplyResult:
    """Make the server match ``desired`` by carrying out ``plan`` (computed from ``live``).

    An empty plan makes no write request."""
    ctx = ApplyContext(plan, desired, live, CountingWriter(writer), options, reporter)
    try:
        if _project(ctx):
            _metadata(ctx)
            ensure_values(ctx)
            _configurations(ctx)
            backups = None
            if options.backup_dir is not None:
                folder = backup_folder(options.backup_dir, options.now())
                backups = Backups(ctx.writer, live, folder)
            uploaded = run_uploads(ctx, backups)
            run_capture_updates(ctx)
            run_relationships(ctx, uploaded)
            report_updates(ctx)
            _housekeeping(ctx)
            run_capture_deletes(ctx, backups)
            _delete_configurations(ctx)
    finally:
        ctx.flush_ledger(final=True)
    result = ctx.result()
    reporter.finish(result)
    return result


def _of(ctx: ApplyContext, kind: Kind, *actions: Action) -> list[Change]:
    return [c for c in ctx.plan.changes if c.kind is kind and c.action in actions]


# --------------------------------------------------------------------------- project


def _project(ctx: ApplyContext) -> bool:
    """Create the project if planned; False when nothing else can be done."""
    create = _of(ctx, Kind.PROJECT, Action.CREATE)
    if create:
        try:
            ctx.ids.project = ctx.writer.create_project(create[0].name).uuid
            ctx.ok(create[0])
        except CapdeclError as error:
            ctx.fail(create[0], "create", str(error))
    if ctx.ids.project is not None:
        return True
    cause = f'skipped: project "{ctx.plan.project}" does not exist on the server'
    for change in ctx.plan.changes:
        if not ctx.failed(change):
            ctx.fail(change, change.action.value, cause)
    return False


def _housekeeping(ctx: ApplyContext) -> None:
    """The project ``ledger`` change, by the planner's rule
    (:func:`capdecl.planner.ledger_housekeeping`), leaving alone what this apply already
    owns: pending entries it wrote itself and captures it deleted or will delete."""
    for change in _of(ctx, Kind.PROJECT, Action.UPDATE):
        other = [d.path for d in change.diffs if d.path != "ledger"]
        if other:
            ctx.fail(change, "update", f"unsupported project change: {', '.join(other)}")
            continue
        work = ledger_housekeeping(ctx.live)
        gone = ctx.removed | {str(c.uuid) for c in _of(ctx, Kind.CAPTURE, Action.DELETE)}
        ctx.journal.queue(
            {uuid: entry for uuid, entry in work.finalise.items() if uuid not in gone},
            work.drop,
            remove_pending=[n for n in work.drop_pending if n not in ctx.pending_written],
        )
        error = ctx.flush_ledger()
        if error is not None:
            ctx.fail(change, "ledger", error)
        else:
            ctx.ok(change, fields=display_fields(change))


# --------------------------------------------------------------------------- metadata


def _metadata(ctx: ApplyContext) -> None:
    for change in _of(ctx, Kind.METADATA, Action.CREATE, Action.UPDATE, Action.DELETE):
        address = f'metadata "{change.name}"'
        if change.action is Action.CREATE:
            _create_field(ctx, change, address)
        elif change.action is Action.UPDATE:
            _update_field(ctx, change)
        else:
            ctx.fail(change, "delete", "capdecl does not delete metadata names")


def _create_field(ctx: ApplyContext, change: Change, address: str) -> None:
    after = change.after or {}
    values = [str(v) for v in after.get("values") or ()]
    try:
        field = ctx.writer.create_metadata_field(
            ctx.project_uuid, change.name, str(after.get("type") or "string"), values
        )
    except CapdeclError as error:
        ctx.ids.missing[address] = f"skipped: {address} was not created: {error}"
        ctx.fail(change, "create", str(error))
        return
    ctx.ids.metadata[change.name] = field.uuid
    ctx.ids.values[change.name] = dict(field.values)
    ctx.ok(change)


def _update_field(ctx: ApplyContext, change: Change) -> None:
    name = change.name
    after = change.after or {}
    for diff in change.diffs:
        if diff.path == "values":
            known = ctx.ids.values.setdefault(name, {})
            for value in [str(v) for v in after.get("values") or ()]:
                if value not in known:
                    _add_value(ctx, change, value)
        elif diff.path == "type":
            _update_type(ctx, change, str(diff.after))
        else:
            ctx.fail(change, "update", f"unsupported metadata change: {diff.path}")
    ctx.ok(change, fields=display_fields(change))


def _add_value(ctx: ApplyContext, change: Change, value: str) -> None:
    try:
        uuid = ctx.writer.create_metadata_value(
            ctx.project_uuid, ctx.ids.metadata[change.name], value
        )
    except (CapdeclError, KeyError) as error:
        address = f'metadata value "{change.name}={value}"'
        ctx.ids.missing[address] = f"skipped: {address} was not created: {error}"
        ctx.fail(change, "values", f'value "{value}": {error}')
        return
    ctx.ids.values[change.name][value] = uuid


def _update_type(ctx: ApplyContext, change: Change, type_: str) -> None:
    inner = ctx.writer.inner
    live = next((f for f in ctx.live.metadata if f.name == change.name), None)
    if live is None or not isinstance(inner, MetadataTypeWriter):
        ctx.fail(change, "type", "changing the type of an existing metadata name is not supported")
        return
    try:
        ctx.writer.count_write()
        inner.update_metadata_field(
            ctx.project_uuid, live.uuid, name=live.name, type_=type_, is_dropdown=live.is_dropdown
        )
    except CapdeclError as error:
        ctx.fail(change, "type", str(error))


# --------------------------------------------------------------------------- configurations


def _configurations(ctx: ApplyContext) -> None:
    for change in _of(ctx, Kind.CONFIGURATION, Action.CREATE, Action.UPDATE):
        address = f'configuration "{change.name}"'
        after = change.after or {}
        try:
            if change.action is Action.CREATE:
                uuid = str(after.get("uuid") or change.uuid or uuidlib.uuid4())
                created = ctx.writer.create_configuration(
                    ctx.project_uuid, change.name, after["configuration"], uuid
                )
                ctx.ids.configurations[change.name] = created.uuid
            else:
                _update_configuration(ctx, change, after)
        except CapdeclError as error:
            ctx.ids.missing[address] = f"skipped: {address} was not written: {error}"
            ctx.fail(change, change.action.value, str(error))
            continue
        ctx.ok(change, fields=display_fields(change))


def _update_configuration(ctx: ApplyContext, change: Change, after: Mapping[str, Any]) -> None:
    paths = [d.path for d in change.diffs]
    renamed = "name" in paths
    body = any(
        p == "configuration" or p.startswith(("configuration.", "configuration[")) for p in paths
    )
    uuid = str(change.uuid)
    if renamed or body:
        ctx.writer.update_configuration(
            ctx.project_uuid,
            uuid,
            name=change.name if renamed else None,
            configuration=after["configuration"] if body else None,
        )
    if renamed:
        old = (change.before or {}).get("name")
        if old is not None and ctx.ids.configurations.get(old) == uuid:
            del ctx.ids.configurations[old]
        ctx.ids.configurations[change.name] = uuid


def _delete_configurations(ctx: ApplyContext) -> None:
    for change in _of(ctx, Kind.CONFIGURATION, Action.DELETE):
        try:
            ctx.writer.delete_configuration(ctx.project_uuid, str(change.uuid))
        except NotFoundError:
            pass  # already gone
        except CapdeclError as error:
            ctx.fail(change, "delete", str(error))
            continue
        ctx.ok(change)
