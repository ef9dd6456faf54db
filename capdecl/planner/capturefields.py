"""One declared capture against one live capture: content verdict, field diffs, and the
``before``/``after`` objects of its change.

Content is decided in this order (see the README, "How capdecl decides what to change"):

1. the ledger has an entry for the live uuid: compare SHA-256;
2. else a pending entry of the same name and size vouches for the content: compare SHA-256;
3. else the capture is *unverified*: compare byte size and sample count (when both are
   known); equal means "probably the same", listed in ``Plan.unverified``.

The in-place fields are the configuration link (by name), ``sample_rate`` and every
metadata name of the vocabulary; a field the declaration leaves unset is not managed.
``after`` is the capture as it will be after apply: fields capdecl does not manage keep
their live values, so a replacement re-creates them too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from capdecl.planner.index import LiveIndex
from capdecl.planner.model import FieldDiff
from capdecl.state import DesiredCapture, FileDigest, LiveCapture

SHORT_SHA = 8
_NO_METADATA: Mapping[str, str] = {}  # (never changed)


@dataclass(frozen=True)
class CaptureContext:
    """What capture planning reads besides the captures themselves."""

    index: LiveIndex
    vocabulary: frozenset[str]  # managed metadata names
    planned_names: Mapping[str, str]  # live configuration uuid (lower-case) -> name after plan
    available_configurations: frozenset[str]

    @cached_property
    def vocabulary_order(self) -> tuple[str, ...]:
        """The vocabulary sorted (once, not once per capture)."""
        return tuple(sorted(self.vocabulary))


@dataclass(frozen=True)
class Verdict:
    """Content comparison result. ``changed`` diffs force a replacement."""

    verified: bool
    changed: tuple[FieldDiff, ...] = ()
    reason: str | None = None


VERIFIED = Verdict(verified=True)  # the usual verdict, shared (Verdict is frozen)


def content_verdict(live: LiveCapture, digest: FileDigest, index: LiveIndex) -> Verdict:
    """Compare the local file with what the server holds, by the rules above."""
    known = index.known_content(live)
    if known is not None:
        if known.matches(digest.sha256):
            return VERIFIED
        diff = FieldDiff("sha256", known.sha256, digest.sha256, forces_replace=True)
        reason = (
            f"content changed (sha256 {known.sha256[:SHORT_SHA]}… -> {digest.sha256[:SHORT_SHA]}…)"
        )
        return Verdict(verified=True, changed=(diff,), reason=reason)
    diffs: list[FieldDiff] = []
    parts: list[str] = []
    if live.file_size != digest.size:
        diffs.append(FieldDiff("size", live.file_size, digest.size, forces_replace=True))
        parts.append(f"size {live.file_size} -> {digest.size} bytes")
    if None not in (live.number_samples, digest.samples) and live.number_samples != digest.samples:
        diffs.append(FieldDiff("samples", live.number_samples, digest.samples, forces_replace=True))
        parts.append(f"samples {live.number_samples} -> {digest.samples}")
    if not diffs:
        return Verdict(verified=False)
    reason = f"content differs from the unverified server copy ({', '.join(parts)})"
    return Verdict(verified=False, changed=tuple(diffs), reason=reason)


def field_diffs(
    capture: DesiredCapture, live: LiveCapture, ctx: CaptureContext
) -> tuple[FieldDiff, ...]:
    """In-place differences: configuration link, sample rate, managed metadata names."""
    diffs: list[FieldDiff] = []
    if capture.configuration is not None:
        planned = _planned_configuration(live, ctx)
        if planned != capture.configuration:
            current = ctx.index.configuration_name(live.configuration_uuid)
            diffs.append(FieldDiff("configuration", current, capture.configuration))
    if capture.sample_rate is not None and capture.sample_rate != live.set_sample_rate:
        diffs.append(FieldDiff("sample_rate", live.set_sample_rate, capture.sample_rate))
    live_metadata = ctx.index.capture_metadata.get(live.uuid, _NO_METADATA)
    if live_metadata == capture.metadata:  # the usual case: no name can differ
        return tuple(diffs)
    for name in ctx.vocabulary_order:
        wanted, current_value = capture.metadata.get(name), live_metadata.get(name)
        if wanted != current_value:
            diffs.append(FieldDiff(f"metadata.{name}", current_value, wanted))
    return tuple(diffs)


def _planned_configuration(live: LiveCapture, ctx: CaptureContext) -> str | None:
    """Name of the linked configuration once the plan's renames and deletes are done."""
    uuid = live.configuration_uuid
    return ctx.planned_names.get(uuid.lower()) if uuid else None


def before_object(live: LiveCapture, ctx: CaptureContext) -> dict[str, Any]:
    """The live capture as a change's ``before``."""
    known = ctx.index.known_content(live)
    return {
        "name": live.name,
        "sha256": known.sha256 if known else None,
        "size": live.file_size,
        "samples": live.number_samples,
        "configuration": ctx.index.configuration_name(live.configuration_uuid),
        "sample_rate": live.set_sample_rate,
        "metadata": dict(sorted(ctx.index.capture_metadata.get(live.uuid, {}).items())),
    }


def after_object(
    capture: DesiredCapture,
    digest: FileDigest,
    ctx: CaptureContext,
    base: LiveCapture | None = None,
) -> dict[str, Any]:
    """The capture after apply. With a live ``base`` (update, replace), unmanaged fields
    keep the base's values: an unset configuration or sample rate, and metadata names
    outside the vocabulary."""
    configuration, sample_rate = capture.configuration, capture.sample_rate
    metadata = {k: v for k, v in capture.metadata.items() if k in ctx.vocabulary}
    if base is not None:
        if configuration is None:
            configuration = _planned_configuration(base, ctx)
        if sample_rate is None:
            sample_rate = base.set_sample_rate
        live_metadata = ctx.index.capture_metadata.get(base.uuid, {})
        metadata.update({k: v for k, v in live_metadata.items() if k not in ctx.vocabulary})
    return {
        "name": capture.name,
        "path": capture.rel_path,
        "sha256": digest.sha256,
        "size": digest.size,
        "samples": digest.samples,
        "configuration": configuration,
        "sample_rate": sample_rate,
        "metadata": dict(sorted(metadata.items())),
    }
