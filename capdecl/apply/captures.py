"""In-place capture updates (one PATCH each, changed fields only) and capture deletes."""

from __future__ import annotations

from typing import Any

from capdecl.apply.backup import Backups
from capdecl.apply.context import ApplyContext
from capdecl.apply.pool import run_parallel
from capdecl.apply.uploads import remove_capture
from capdecl.errors import CapdeclError
from capdecl.planner.model import Action, Change, Kind
from capdecl.state import LedgerEntry

LEDGER_PATHS = ("ledger", "sha256")  # diffs that only (re)record the ledger entry


def display_fields(change: Change) -> tuple[str, ...]:
    """Changed fields for a step line: diff paths, configuration bodies collapsed."""
    fields: dict[str, None] = {}
    for diff in change.diffs:
        path = diff.path
        if change.kind is not Kind.CAPTURE and path.startswith(
            ("configuration.", "configuration[")
        ):
            path = "configuration"
        fields[path] = None
    return tuple(fields)


def _changes(ctx: ApplyContext, action: Action) -> list[Change]:
    return [c for c in ctx.plan.changes if c.kind is Kind.CAPTURE and c.action is action]


def run_capture_updates(ctx: ApplyContext) -> None:
    """PATCH name / configuration link / sample rate of every updated capture, and queue
    ledger entries for captures the plan adopts."""
    patches: list[tuple[Change, dict[str, Any]]] = []
    for change in _changes(ctx, Action.UPDATE):
        _queue_adoption(ctx, change)
        fields = _patch_fields(ctx, change)
        if fields:
            patches.append((change, fields))

    def patch(item: tuple[Change, dict[str, Any]]) -> CapdeclError | None:
        try:
            ctx.writer.update_capture(ctx.project_uuid, str(item[0].uuid), item[1])
        except CapdeclError as error:
            return error
        return None

    for (change, fields), error in run_parallel(ctx.options.parallelism, patches, patch):
        if error is not None:
            ctx.fail(change, "update", str(error))
        elif "name" in fields:
            before = (change.before or {}).get("name")
            if before is not None and ctx.ids.captures.get(before) == change.uuid:
                del ctx.ids.captures[before]
            ctx.ids.captures[fields["name"]] = str(change.uuid)


def report_updates(ctx: ApplyContext) -> None:
    """Report updated captures once their PATCH and metadata are both done."""
    for change in _changes(ctx, Action.UPDATE):
        ctx.ok(change, fields=display_fields(change))


def _patch_fields(ctx: ApplyContext, change: Change) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for diff in change.diffs:
        if diff.path == "name":
            fields["name"] = diff.after
        elif diff.path == "sample_rate":
            fields["set_sample_rate"] = diff.after
        elif diff.path == "configuration":
            if diff.after is None:
                ctx.fail(
                    change,
                    "update",
                    "the server cannot unlink a capture from its configuration",
                )
            elif diff.after in ctx.ids.configurations:
                fields["capture_configuration_uuid"] = ctx.ids.configurations[diff.after]
            else:
                ctx.fail(change, "update", ctx.ids.why_missing("configuration", diff.after))
    return fields


def _queue_adoption(ctx: ApplyContext, change: Change) -> None:
    after = change.after or {}
    if change.uuid is None or after.get("sha256") is None or after.get("size") is None:
        return
    if any(diff.path in LEDGER_PATHS for diff in change.diffs):
        entry = LedgerEntry(sha256=str(after["sha256"]), size=int(after["size"]))
        ctx.journal.queue(add={change.uuid: entry})


def run_capture_deletes(ctx: ApplyContext, backups: Backups | None) -> None:
    """Back up (optional) and delete captures, then drop their ledger entries."""
    deleted: list[str] = []
    changes = _changes(ctx, Action.DELETE)

    def remove(change: Change) -> tuple[str, Exception] | None:
        return remove_capture(ctx, str(change.uuid), backups)

    for change, problem in run_parallel(ctx.options.parallelism, changes, remove):
        if problem is not None:
            ctx.fail(change, problem[0], str(problem[1]))
            continue
        deleted.append(str(change.uuid))
        ctx.removed.add(str(change.uuid))
        ctx.ok(change)
    ledgered = [uuid for uuid in deleted if uuid in ctx.live.ledger]
    if ledgered:
        ctx.journal.queue(remove=ledgered)
        ctx.flush_ledger()
