"""Safety gates on a plan: bulk-destruction thresholds and replacements needing consent.

A capture DELETE or REPLACE destroys the capture's label segments, which capdecl cannot
restore, so both count as destructive. :func:`check_safety` refuses (the CLI exits 3
unless ``--force``) when, with at least ``thresholds.min_existing`` captures on the
server, the destructive changes exceed ``thresholds.max_fraction`` of the captures, or
``thresholds.max_recording_fraction`` of the recording time. A capture's recording time is
``number_samples`` divided by its sample rate: ``set_sample_rate``, else the first capture
source's ``sample_rate`` of its configuration; captures whose rate or sample count is
unknown are left out of the time measure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from capdecl.planner.model import Action, Change, Kind, Plan
from capdecl.state import LiveCapture, LiveState, Policy

DESTRUCTIVE = (Action.DELETE, Action.REPLACE)
_FORCE_HINT = "Use --force to apply anyway."


def check_safety(plan: Plan, live: LiveState, policy: Policy) -> list[str]:
    """Threshold violations as sentences; an empty list means the plan is safe."""
    limits = policy.thresholds
    existing = len(live.captures)
    if existing == 0 or existing < limits.min_existing:
        return []
    doomed = {c.uuid for c in plan.changes if c.kind is Kind.CAPTURE and c.action in DESTRUCTIVE}
    doomed_captures = [c for c in live.captures if c.uuid in doomed]
    violations: list[str] = []
    fraction = len(doomed_captures) / existing
    if fraction > limits.max_fraction:
        violations.append(
            f"Too many destructive changes: {len(doomed_captures)} of {existing} captures "
            f"({_percent(fraction)}) would be deleted or replaced; the limit is "
            f"{_percent(limits.max_fraction)} of at least {limits.min_existing} captures "
            f"(settings.thresholds.max_fraction). {_FORCE_HINT}"
        )
    seconds = recording_seconds(live)
    total = sum(seconds.values())
    lost = sum(seconds.get(c.uuid, 0.0) for c in doomed_captures)
    if total > 0 and lost / total > limits.max_recording_fraction:
        violations.append(
            f"Too many destructive changes: {format_duration(lost)} of "
            f"{format_duration(total)} recording time ({_percent(lost / total)}) would be "
            f"deleted or replaced; the limit is {_percent(limits.max_recording_fraction)} "
            f"(settings.thresholds.max_recording_fraction). {_FORCE_HINT}"
        )
    return violations


def blocked_replacements(plan: Plan, allow_replace: bool) -> list[Change]:
    """The REPLACE changes that need ``--allow-replace`` / ``settings.allow_replace``."""
    if allow_replace:
        return []
    return [c for c in plan.changes if c.action is Action.REPLACE]


def recording_seconds(live: LiveState) -> dict[str, float]:
    """Capture uuid -> recording length in seconds, for captures whose length is known."""
    configs = {c.uuid.lower(): c.configuration for c in live.configurations}
    seconds: dict[str, float] = {}
    for capture in live.captures:
        rate = _sample_rate(capture, configs)
        if rate is not None and capture.number_samples is not None:
            seconds[capture.uuid] = capture.number_samples / rate
    return seconds


def _sample_rate(capture: LiveCapture, configs: Mapping[str, Any]) -> float | None:
    if capture.set_sample_rate is not None and capture.set_sample_rate > 0:
        return float(capture.set_sample_rate)
    config = configs.get((capture.configuration_uuid or "").lower())
    sources = config.get("capture_sources") if isinstance(config, Mapping) else None
    first = sources[0] if isinstance(sources, list) and sources else None
    rate = first.get("sample_rate") if isinstance(first, Mapping) else None
    if isinstance(rate, (int, float)) and not isinstance(rate, bool) and rate > 0:
        return float(rate)
    return None


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.1f}%"


def format_duration(seconds: float) -> str:
    """``1h 02m 03s``, ``4m 05s`` or ``12.5s``."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    return f"{minutes}m {secs:02d}s"
