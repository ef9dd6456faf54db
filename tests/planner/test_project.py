"""The project: create when missing, ledger housekeeping; build_plan's input guards."""

from __future__ import annotations

import dataclasses

import pytest

from capdecl.planner import (
    PlanOptions,
    build_plan,
    ledger_housekeeping,
    plan_prepared,
    prepare,
)
from capdecl.planner.model import Action, FieldDiff, Kind
from capdecl.state import DesiredConfiguration, LedgerEntry, LiveState, MetadataField
from tests.planner.builders import (
    PROJECT_UUID,
    declare,
    desired_state,
    mirror,
    only,
    plan_for,
    sha,
    uid,
)


def test_missing_project_creates_it_and_everything_in_it() -> None:
    walk = declare("walk.csv", configuration="nano", metadata={"Subject": "ann"})
    desired = desired_state(
        [walk],
        metadata=[MetadataField("Subject")],
        configurations=[DesiredConfiguration("nano", {"version": 3})],
    )
    plan = plan_for(desired, LiveState(project=None))
    assert [(c.kind, c.action) for c in plan.changes] == [
        (Kind.PROJECT, Action.CREATE),
        (Kind.METADATA, Action.CREATE),
        (Kind.CONFIGURATION, Action.CREATE),
        (Kind.CAPTURE, Action.CREATE),
    ]
    assert plan.changes[0].after == {"name": "gestures"}
    assert plan.inputs.live == {}


def test_ledger_entries_of_vanished_captures_are_housekept() -> None:
    walk = declare("walk.csv")
    desired = desired_state([walk])
    live = mirror(desired, [walk])
    stale = {"vanished-uuid": LedgerEntry(sha("x"), 1)}
    live = dataclasses.replace(live, ledger={**live.ledger, **stale})
    change = only(plan_for(desired, live))
    assert (change.kind, change.action, change.name, change.uuid) == (
        Kind.PROJECT,
        Action.UPDATE,
        "gestures",
        PROJECT_UUID,
    )
    before = {"ledger_entries": 2, "pending": 0}
    after = {"ledger_entries": 1, "pending": 0}
    assert (change.before, change.after) == (before, after)
    assert change.diffs == (FieldDiff("ledger", before, after),)
    assert change.notes == ("entries of deleted captures dropped: 1",)


def test_pending_entries_are_finalised_or_dropped() -> None:
    walk, run = declare("walk.csv"), declare("run.csv")
    desired = desired_state([walk, run])
    live = mirror(desired, [walk, run], ledger={})
    live = dataclasses.replace(live, ledger={uid("capture:run.csv"): LedgerEntry(sha("r"), 5)})
    pending = {
        "walk.csv": LedgerEntry(walk.digest.sha256, walk.digest.size),  # finalised
        "run.csv": LedgerEntry(sha("r"), 5),  # has a uuid entry already: dropped
        "never-uploaded.csv": LedgerEntry(sha("n"), 9),  # no capture: dropped
    }
    live = dataclasses.replace(live, pending=pending)
    work = ledger_housekeeping(live)
    assert work.finalise == {uid("capture:walk.csv"): pending["walk.csv"]}
    assert work.drop == ()
    assert work.drop_pending == ("never-uploaded.csv", "run.csv", "walk.csv")
    assert work.needed
    project = plan_for(desired, live).changes[0]
    assert project.after == {"ledger_entries": 2, "pending": 0}
    assert project.notes == ("pending entries recorded: 1", "pending entries dropped: 2")


def test_clean_ledger_needs_no_housekeeping() -> None:
    walk = declare("walk.csv")
    live = mirror(desired_state([walk]), [walk])
    assert not ledger_housekeeping(live).needed


def test_options_are_accepted() -> None:
    desired = desired_state()
    plan = build_plan(desired.state, desired.digests, mirror(desired), PlanOptions())
    assert plan.is_empty


def test_a_plan_without_inputs_has_no_inputs_nor_checksum() -> None:
    """PlanOptions(inputs=False): the same changes, in a form without the staleness data
    (for a plan that is only displayed)."""
    walk, run = declare("walk.csv"), declare("run.csv")
    desired = desired_state([walk, run])
    live = mirror(desired, [walk])
    full = build_plan(desired.state, desired.digests, live)
    bare = build_plan(desired.state, desired.digests, live, PlanOptions(inputs=False))
    assert bare.inputs is None and bare.changes == full.changes
    body = bare.to_dict()
    assert "inputs" not in body and "checksum" not in body
    assert body == {k: v for k, v in full.to_dict().items() if k not in ("inputs", "checksum")}


def test_prepare_then_plan_prepared_is_build_plan() -> None:
    walk, run = declare("walk.csv"), declare("run.csv")
    desired = desired_state([walk, run])
    live = mirror(desired, [walk])
    prepared = prepare(desired.state, desired.digests)
    expected = build_plan(desired.state, desired.digests, live).to_dict()
    assert plan_prepared(prepared, live).to_dict() == expected


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: desired_state([declare("a.csv"), declare("a.csv ")]),
            "duplicate capture name in the desired state: 'a.csv'",
        ),
        (
            lambda: desired_state(
                configurations=[DesiredConfiguration("c", {}), DesiredConfiguration("c", {})]
            ),
            "duplicate configuration name in the desired state: 'c'",
        ),
        (
            lambda: desired_state(
                configurations=[
                    DesiredConfiguration("c", {}, uuid="U"),
                    DesiredConfiguration("d", {}, uuid="u"),
                ]
            ),
            "duplicate configuration uuid in the desired state: 'u'",
        ),
        (
            lambda: desired_state(metadata=[MetadataField("m"), MetadataField("m")]),
            "duplicate metadata name in the desired state: 'm'",
        ),
    ],
)
def test_broken_desired_state_is_refused(build: object, message: str) -> None:
    assert callable(build)
    desired = build()
    with pytest.raises(ValueError, match=message):
        build_plan(desired.state, desired.digests, LiveState(project=None))


def test_missing_digest_is_refused() -> None:
    desired = desired_state([declare("a.csv")])
    with pytest.raises(ValueError, match=r"no file digest for /work/m/data/a.csv \(1 missing\)"):
        build_plan(desired.state, {}, LiveState(project=None))
