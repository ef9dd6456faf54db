"""Safety thresholds (capture count and recording time) and replacement consent."""

from __future__ import annotations

import pytest

from capdecl.planner import blocked_replacements, check_safety, recording_seconds
from capdecl.planner.model import Action, Change, Kind, Plan
from capdecl.planner.safety import format_duration
from capdecl.state import (
    LiveCapture,
    LiveConfiguration,
    LiveProject,
    LiveState,
    Policy,
    PruneScope,
    Thresholds,
)
from tests.planner.builders import declare, desired_state, mirror, plan_for

POLICY = Policy(thresholds=Thresholds(max_fraction=0.10, min_existing=20))


def captures(count: int, samples: int = 100, rate: int | None = 100) -> tuple[LiveCapture, ...]:
    return tuple(
        LiveCapture(
            uuid=f"u{i:03d}",
            name=f"c{i:03d}.csv",
            file_size=10,
            number_samples=samples,
            set_sample_rate=rate,
        )
        for i in range(count)
    )


def live_with(*items: LiveCapture, configs: tuple[LiveConfiguration, ...] = ()) -> LiveState:
    return LiveState(
        project=LiveProject(uuid="p", name="p"), captures=items, configurations=configs
    )


def destroying(live: LiveState, count: int, action: Action = Action.DELETE) -> Plan:
    changes = []
    for capture in live.captures[:count]:
        after = None if action is Action.DELETE else {"name": capture.name}
        changes.append(
            Change(
                kind=Kind.CAPTURE,
                action=action,
                name=capture.name,
                uuid=capture.uuid,
                before={"name": capture.name},
                after=after,
            )
        )
    return Plan(project="p", changes=tuple(changes))


def test_below_min_existing_nothing_is_checked() -> None:
    live = live_with(*captures(19))
    assert check_safety(destroying(live, 19), live, POLICY) == []


def test_empty_project_is_safe() -> None:
    assert check_safety(Plan(project="p"), live_with(), Policy(thresholds=Thresholds(0, 0))) == []


def test_exactly_at_the_fraction_is_allowed() -> None:
    live = live_with(*captures(20, rate=None))
    assert check_safety(destroying(live, 2), live, POLICY) == []


def test_over_the_fraction_is_a_violation_naming_counts_and_limit() -> None:
    live = live_with(*captures(40, rate=None))
    assert check_safety(destroying(live, 5, Action.REPLACE), live, POLICY) == [
        "Too many destructive changes: 5 of 40 captures (12.5%) would be deleted or replaced; "
        "the limit is 10.0% of at least 20 captures (settings.thresholds.max_fraction). "
        "Use --force to apply anyway."
    ]


def test_updates_and_other_kinds_are_not_destructive() -> None:
    live = live_with(*captures(20, rate=None))
    update = Change(
        kind=Kind.CAPTURE, action=Action.UPDATE, name="c000.csv", uuid="u000", before={}, after={}
    )
    config = Change(kind=Kind.CONFIGURATION, action=Action.DELETE, name="x", uuid="u001", before={})
    assert check_safety(Plan(project="p", changes=(update, config)), live, POLICY) == []


def test_recording_time_is_measured_separately() -> None:
    long_ones = captures(2, samples=360_000)  # 1 hour each at 100 Hz
    short_ones = tuple(
        LiveCapture(
            uuid=f"s{i}", name=f"s{i}", file_size=1, number_samples=100, set_sample_rate=100
        )
        for i in range(28)
    )
    live = live_with(*long_ones, *short_ones)
    policy = Policy(thresholds=Thresholds(max_fraction=0.5, min_existing=20))
    assert check_safety(destroying(live, 1), live, policy) == [
        "Too many destructive changes: 1h 00m 00s of 2h 00m 28s recording time (49.8%) "
        "would be deleted or replaced; the limit is 10.0% "
        "(settings.thresholds.max_recording_fraction). Use --force to apply anyway."
    ]


def test_recording_time_uses_the_configuration_sample_rate_and_skips_unknowns() -> None:
    config = LiveConfiguration(
        uuid="CFG", name="c", configuration={"capture_sources": [{"sample_rate": 50}]}
    )
    items = (
        LiveCapture(uuid="a", name="a", file_size=1, number_samples=100, configuration_uuid="cfg"),
        LiveCapture(uuid="b", name="b", file_size=1, number_samples=100, set_sample_rate=100),
        LiveCapture(uuid="c", name="c", file_size=1, number_samples=None, set_sample_rate=100),
        LiveCapture(uuid="d", name="d", file_size=1, number_samples=100),
        LiveCapture(uuid="e", name="e", file_size=1, number_samples=100, set_sample_rate=0),
    )
    assert recording_seconds(live_with(*items, configs=(config,))) == {"a": 2.0, "b": 1.0}


@pytest.mark.parametrize(
    "body",
    [None, [], {"capture_sources": []}, {"capture_sources": ["x"]}, {"capture_sources": "x"}]
    + [{"capture_sources": [{"sample_rate": bad}]} for bad in (0, -5, True, "100", None)],
)
def test_odd_configuration_bodies_give_no_rate(body: object) -> None:
    config = LiveConfiguration(uuid="cfg", name="c", configuration=body)
    item = LiveCapture(
        uuid="a", name="a", file_size=1, number_samples=100, configuration_uuid="cfg"
    )
    assert recording_seconds(live_with(item, configs=(config,))) == {}


def test_threshold_through_a_real_plan() -> None:
    kept = [declare(f"c{i:03d}.csv") for i in range(20)]
    live = mirror(desired_state(kept), kept)
    desired = desired_state(kept[3:], policy=Policy(prune=PruneScope.CAPTURES))
    plan = plan_for(desired, live)
    violations = check_safety(plan, live, desired.state.policy)
    assert len(violations) == 1
    assert "3 of 20 captures (15.0%)" in violations[0]


def test_blocked_replacements_are_the_replaces_unless_allowed() -> None:
    live = live_with(*captures(3))
    plan = Plan(
        project="p",
        changes=destroying(live, 1, Action.REPLACE).changes + destroying(live, 1).changes,
    )
    assert blocked_replacements(plan, allow_replace=False) == [plan.changes[0]]
    assert blocked_replacements(plan, allow_replace=True) == []


@pytest.mark.parametrize(
    ("seconds", "text"), [(12.54, "12.5s"), (245, "4m 05s"), (3723, "1h 02m 03s")]
)
def test_durations_read_naturally(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
