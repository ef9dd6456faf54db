"""Captures: match declared to live by name (or by content for a rename), then decide.

* A declared name on the server: compare content (:func:`content_verdict`). Changed
  content is a REPLACE (delete + re-upload: the server cannot change a capture's bytes)
  unless the capture is protected, which gives a warning instead; otherwise in-place
  field differences are an UPDATE.
* A declared name not on the server: if an *undeclared* live capture holds the same
  SHA-256 (ledger or pending entry), it is a rename: UPDATE of ``name``, uuid, metadata and
  label segments kept. Candidates are used once each, in name order.
* Otherwise a CREATE.
* Live captures neither declared nor renamed are deleted under ``prune: captures`` or
  ``prune: all`` unless a ``protect`` pattern matches their name, else counted unmanaged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from capdecl.planner.capturefields import (
    CaptureContext,
    Verdict,
    after_object,
    before_object,
    content_verdict,
    field_diffs,
)
from capdecl.planner.index import is_protected
from capdecl.planner.model import Action, Change, FieldDiff, Kind
from capdecl.state import DesiredCapture, DesiredState, FileDigest, LiveCapture, PruneScope


@dataclass
class CaptureResult:
    changes: list[Change] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unmanaged: int = 0


def plan_captures(
    desired: DesiredState, digests: Mapping[str, FileDigest], ctx: CaptureContext
) -> CaptureResult:
    """Changes for every declared capture and every undeclared live one."""
    result = CaptureResult()
    declared = {c.name for c in desired.captures}
    by_name = ctx.index.captures_by_name
    candidates = _rename_candidates(declared, digests, desired, ctx)
    for capture in desired.captures:
        digest = digests[capture.path]
        result.warnings.extend(_reference_warnings(capture, ctx))
        live = by_name.get(capture.name)
        if live is not None:
            _plan_existing(capture, digest, live, desired, ctx, result)
            continue
        source = candidates.get(capture.name)
        if source is not None:
            result.changes.append(_rename(capture, digest, source, ctx))
        else:
            after = after_object(capture, digest, ctx)
            result.changes.append(
                Change(kind=Kind.CAPTURE, action=Action.CREATE, name=capture.name, after=after)
            )
    renamed = {source.uuid for source in candidates.values()}
    _plan_undeclared(desired, declared, renamed, ctx, result)
    return result


def _rename_candidates(
    declared: set[str],
    digests: Mapping[str, FileDigest],
    desired: DesiredState,
    ctx: CaptureContext,
) -> dict[str, LiveCapture]:
    """Declared name -> the undeclared live capture it renames. Both sides are taken in
    name order and each live capture is used once, so ambiguity resolves the same way
    every time."""
    by_name = ctx.index.captures_by_name
    unmatched = [capture for capture in desired.captures if capture.name not in by_name]
    if not unmatched:
        return {}  # (every declared name is on the server: no rename to look for)
    pool: dict[str, list[LiveCapture]] = {}
    for live in ctx.index.live.captures:
        if live.name in declared:
            continue  # (most of them: no ledger lookup)
        known = ctx.index.known_content(live)
        if known is not None:
            pool.setdefault(known.sha256, []).append(live)
            if known.stored_sha256:
                pool.setdefault(known.stored_sha256, []).append(live)
    matches: dict[str, LiveCapture] = {}
    taken: set[str] = set()  # live uuids already renamed (a capture may be pooled twice)
    for capture in unmatched:
        same = pool.get(digests[capture.path].sha256, [])
        while same and same[0].uuid in taken:
            same.pop(0)
        if same:
            matches[capture.name] = source = same.pop(0)
            taken.add(source.uuid)
    return matches


def _plan_existing(
    capture: DesiredCapture,
    digest: FileDigest,
    live: LiveCapture,
    desired: DesiredState,
    ctx: CaptureContext,
    result: CaptureResult,
) -> None:
    verdict = content_verdict(live, digest, ctx.index)
    diffs = field_diffs(capture, live, ctx)
    if not verdict.verified and not verdict.changed:
        result.unverified.append(capture.name)
    if verdict.changed:
        if not (capture.protect or is_protected(capture.name, desired.policy.protect)):
            result.changes.append(_replace(capture, digest, live, verdict, diffs, ctx))
            return
        result.warnings.append(
            f'capture "{capture.name}" is protected: its content changed but it will not '
            "be replaced"
        )
    if diffs:
        before = before_object(live, ctx)
        after = after_object(capture, digest, ctx, live)
        if verdict.changed:  # protected: the server keeps its content
            after.update({key: before[key] for key in ("sha256", "size", "samples")})
        result.changes.append(
            Change(
                kind=Kind.CAPTURE,
                action=Action.UPDATE,
                name=capture.name,
                uuid=live.uuid,
                before=before,
                after=after,
                diffs=diffs,
            )
        )


def _replace(
    capture: DesiredCapture,
    digest: FileDigest,
    live: LiveCapture,
    verdict: Verdict,
    diffs: tuple[FieldDiff, ...],
    ctx: CaptureContext,
) -> Change:
    """REPLACE: the forcing content diffs first, then the field differences."""
    after = after_object(capture, digest, ctx, live)
    segments = ctx.index.live.segments.get(live.uuid, 0)
    return Change(
        kind=Kind.CAPTURE,
        action=Action.REPLACE,
        name=capture.name,
        uuid=live.uuid,
        before=before_object(live, ctx),
        after=after,
        diffs=(*verdict.changed, *diffs),
        reason=verdict.reason,
        segments_lost=segments,
    )


def _rename(
    capture: DesiredCapture, digest: FileDigest, source: LiveCapture, ctx: CaptureContext
) -> Change:
    diffs = (FieldDiff("name", source.name, capture.name), *field_diffs(capture, source, ctx))
    return Change(
        kind=Kind.CAPTURE,
        action=Action.UPDATE,
        name=capture.name,
        uuid=source.uuid,
        before=before_object(source, ctx),
        after=after_object(capture, digest, ctx, source),
        diffs=diffs,
        reason=f'renamed from "{source.name}" (same SHA-256)',
    )


def _plan_undeclared(
    desired: DesiredState,
    declared: set[str],
    renamed: set[str],
    ctx: CaptureContext,
    result: CaptureResult,
) -> None:
    """Delete or count the live captures nothing declares or renames."""
    if ctx.index.captures_by_name.keys() <= declared:
        return  # (every live capture is declared)
    policy = desired.policy
    prune = policy.prune in (PruneScope.CAPTURES, PruneScope.ALL)
    for live in ctx.index.live.captures:
        if live.name in declared or live.uuid in renamed:
            continue
        if not prune or is_protected(live.name, policy.protect):
            result.unmanaged += 1
            continue
        segments = ctx.index.live.segments.get(live.uuid, 0)
        result.changes.append(
            Change(
                kind=Kind.CAPTURE,
                action=Action.DELETE,
                name=live.name,
                uuid=live.uuid,
                before=before_object(live, ctx),
                segments_lost=segments,
            )
        )


def _reference_warnings(capture: DesiredCapture, ctx: CaptureContext) -> list[str]:
    """Declarations the planner cannot honour: unknown metadata names, missing
    configurations (the manifest validator normally catches both first)."""
    warnings = (
        []  # the usual case, tested in C
        if ctx.vocabulary.issuperset(capture.metadata)
        else [
            f'capture "{capture.name}" sets metadata "{name}", which is not in the '
            "vocabulary; it is ignored"
            for name in capture.metadata
            if name not in ctx.vocabulary
        ]
    )
    if (
        capture.configuration is not None
        and capture.configuration not in ctx.available_configurations
    ):
        warnings.append(
            f'capture "{capture.name}" links configuration "{capture.configuration}", which '
            "is neither declared nor on the server"
        )
    return warnings
