"""Capture configurations: identity (pinned uuid / name), body diff, create, delete."""

from __future__ import annotations

import dataclasses
import uuid as uuidlib

import pytest

from capdecl.planner import configuration_uuid
from capdecl.planner.model import Action, FieldDiff, Kind
from capdecl.state import (
    DesiredConfiguration,
    LiveCapture,
    LiveConfiguration,
    Policy,
    PruneScope,
)
from tests.planner.builders import (
    declare,
    desired_state,
    mirror,
    only,
    plan_for,
    sensor_config,
    uid,
)

PINNED = "5b1e0d2c-8f4a-4b7e-9c3d-2a1b0c9d8e7f"
ACCEL = (
    "configuration.capture_sources[Motion (BMI160)].sensors[Accelerometer]"
    ".parameters[Sensor Range].value"
)


def live_config(name: str, body: object = None, uuid: str | None = None) -> LiveConfiguration:
    return LiveConfiguration(uuid=uuid or uid(f"config:{name}"), name=name, configuration=body)


def test_missing_configuration_is_created_with_a_deterministic_uuid() -> None:
    desired = desired_state(configurations=[DesiredConfiguration("nano", sensor_config())])
    change = only(plan_for(desired, mirror(desired_state())))
    assert (change.kind, change.action, change.name) == (Kind.CONFIGURATION, Action.CREATE, "nano")
    assert change.after == {
        "name": "nano",
        "uuid": configuration_uuid("gestures", "nano"),
        "configuration": sensor_config(),
    }


def test_created_configuration_keeps_its_pinned_uuid_and_is_normalised() -> None:
    config = DesiredConfiguration("nano", sensor_config(version=None), uuid=PINNED.upper())
    change = only(plan_for(desired_state(configurations=[config]), mirror(desired_state())))
    assert change.after is not None
    assert change.after["uuid"] == PINNED
    assert change.after["configuration"]["version"] == 2


def test_configuration_uuid_is_a_stable_uuid5_per_project_and_name() -> None:
    value = configuration_uuid("gestures", "nano")
    assert uuidlib.UUID(value).version == 5
    assert value == configuration_uuid(" gestures", "nano ")
    assert value != configuration_uuid("other", "nano")
    assert value != configuration_uuid("gestures", "nano2")


def test_computed_uuid_taken_by_a_renamed_live_configuration_is_avoided() -> None:
    taken = live_config("renamed on the server", {}, uuid=configuration_uuid("gestures", "nano"))
    desired = desired_state(configurations=[DesiredConfiguration("nano", {"version": 3})])
    plan = plan_for(desired, mirror(desired_state(), configurations=(taken,)))
    change = only(plan)
    assert change.action is Action.CREATE
    assert change.after is not None
    assert change.after["uuid"] == configuration_uuid("gestures", "nano\n1")
    assert plan.unmanaged == {"configuration": 1}


def test_v1_body_stored_and_read_back_normalised_is_no_change() -> None:
    desired = desired_state(
        configurations=[DesiredConfiguration("nano", sensor_config(version=None))]
    )
    stored = dict(reversed(list(sensor_config(version=None).items())))  # jsonb key order
    stored["version"] = 2
    for source in stored["capture_sources"]:
        for sensor in source["sensors"]:
            for parameter in sensor["parameters"]:
                parameter["num_bytes"] = 1
    live = mirror(desired_state(), configurations=(live_config("nano", stored),))
    assert plan_for(desired, live).is_empty


def test_body_change_is_an_update_with_nested_paths() -> None:
    desired = desired_state(configurations=[DesiredConfiguration("nano", sensor_config(8))])
    live_body = sensor_config(16)
    live = mirror(desired_state(), configurations=(live_config("nano", live_body),))
    change = only(plan_for(desired, live))
    assert change.action is Action.UPDATE
    assert change.uuid == uid("config:nano")
    assert change.diffs == (FieldDiff(ACCEL, 16, 8),)
    assert change.before == {"name": "nano", "configuration": live_body}
    assert change.after == {"name": "nano", "configuration": sensor_config(8)}
    assert change.reason is None


def test_null_live_body_against_a_declared_body_is_a_diff() -> None:
    desired = desired_state(configurations=[DesiredConfiguration("nano", sensor_config())])
    live = mirror(desired_state(), configurations=(live_config("nano", None),))
    change = only(plan_for(desired, live))
    assert change.diffs == (FieldDiff("configuration", None, sensor_config()),)


def test_pinned_uuid_rename_is_an_update_of_name() -> None:
    desired = desired_state(
        configurations=[DesiredConfiguration("nano v2", sensor_config(), uuid=PINNED)]
    )
    live = mirror(desired_state(), configurations=(live_config("nano", sensor_config(), PINNED),))
    change = only(plan_for(desired, live))
    assert change.action is Action.UPDATE
    assert (change.name, change.uuid) == ("nano v2", PINNED)
    assert change.diffs == (FieldDiff("name", "nano", "nano v2"),)
    assert change.reason == 'renamed from "nano" (pinned uuid)'


def test_pinned_uuid_absent_but_name_present_updates_in_place_with_a_warning() -> None:
    desired = desired_state(configurations=[DesiredConfiguration("nano", sensor_config(8), PINNED)])
    live = mirror(desired_state(), configurations=(live_config("nano", sensor_config(16)),))
    plan = plan_for(desired, live)
    assert only(plan).uuid == uid("config:nano")
    assert plan.warnings == (
        f'configuration "nano" is pinned to uuid {PINNED}, but the server has it under uuid '
        f"{uid('config:nano')}; it is updated in place",
    )


def test_name_held_by_a_configuration_renamed_away_is_created_after_the_rename() -> None:
    desired = desired_state(
        configurations=[
            DesiredConfiguration("old", {"version": 3}),
            DesiredConfiguration("new", {"version": 3}, uuid=PINNED),
        ]
    )
    live = mirror(desired_state(), configurations=(live_config("old", {"version": 3}, PINNED),))
    plan = plan_for(desired, live)
    assert [(c.action, c.name) for c in plan.changes] == [
        (Action.UPDATE, "new"),
        (Action.CREATE, "old"),
    ]
    assert plan.warnings == ()


def test_rename_chain_is_ordered_so_each_name_is_free_first() -> None:
    a, b = "aaaaaaaa-0000-4000-8000-000000000000", "bbbbbbbb-0000-4000-8000-000000000000"
    desired = desired_state(
        configurations=[
            DesiredConfiguration("B", {"version": 3}, uuid=a),
            DesiredConfiguration("C", {"version": 3}, uuid=b),
        ]
    )
    live = mirror(
        desired_state(),
        configurations=(live_config("A", {"version": 3}, a), live_config("B", {"version": 3}, b)),
    )
    plan = plan_for(desired, live)
    assert [c.name for c in plan.changes] == ["C", "B"]
    assert plan.warnings == ()


def test_swapping_names_is_warned_about() -> None:
    a, b = "aaaaaaaa-0000-4000-8000-000000000000", "bbbbbbbb-0000-4000-8000-000000000000"
    desired = desired_state(
        configurations=[
            DesiredConfiguration("B", {"version": 3}, uuid=a),
            DesiredConfiguration("A", {"version": 3}, uuid=b),
        ]
    )
    live = mirror(
        desired_state(),
        configurations=(live_config("A", {"version": 3}, a), live_config("B", {"version": 3}, b)),
    )
    plan = plan_for(desired, live)
    assert len(plan.changes) == 2
    assert plan.warnings == (
        'configuration "A" cannot be renamed to "B": the renames form a cycle; rename one of '
        "them through a temporary name first",
        'configuration "B" cannot be renamed to "A": the renames form a cycle; rename one of '
        "them through a temporary name first",
    )


def test_rename_onto_an_undeclared_configuration_is_warned_about() -> None:
    desired = desired_state(configurations=[DesiredConfiguration("taken", {"version": 3}, PINNED)])
    live = mirror(
        desired_state(),
        configurations=(
            live_config("mine", {"version": 3}, PINNED),
            live_config("taken", {"version": 3}),
        ),
    )
    plan = plan_for(desired, live)
    assert plan.warnings == (
        'configuration "mine" cannot be renamed to "taken": an undeclared configuration of '
        f"that name exists on the server (uuid {uid('config:taken')}); rename or delete it first",
    )


@pytest.mark.parametrize("prune", [PruneScope.NONE, PruneScope.CAPTURES])
def test_undeclared_configurations_are_unmanaged_unless_prune_all(prune: PruneScope) -> None:
    desired = desired_state(policy=Policy(prune=prune))
    plan = plan_for(desired, mirror(desired, configurations=(live_config("stray", {}),)))
    assert plan.is_empty
    assert plan.unmanaged == {"configuration": 1}


def test_prune_all_deletes_undeclared_configurations_and_notes_unlinked_captures() -> None:
    stray = live_config("stray", {"version": 3})
    linked = LiveCapture(uuid="c1", name="x.csv", file_size=1, configuration_uuid=stray.uuid)
    desired = desired_state(policy=Policy(prune=PruneScope.ALL))
    live = mirror(desired, configurations=(stray,), captures=(linked,))
    plan = plan_for(desired, live)
    delete = next(c for c in plan.changes if c.kind is Kind.CONFIGURATION)
    assert (delete.action, delete.name, delete.uuid) == (Action.DELETE, "stray", stray.uuid)
    assert delete.before == {"name": "stray", "configuration": {"version": 3}}
    assert delete.after is None
    assert delete.notes == ("unlinks 1 capture(s)",)
    assert plan.changes[-1] is delete  # configuration deletes run last


def test_prune_all_keeps_protected_configurations() -> None:
    desired = desired_state(policy=Policy(prune=PruneScope.ALL, protect=("golden*",)))
    live = mirror(desired, configurations=(live_config("golden 1", {}), live_config("old", {})))
    plan = plan_for(desired, live)
    change = only(plan)
    assert (change.action, change.name, change.notes) == (Action.DELETE, "old", ())
    assert plan.unmanaged == {"configuration": 1}


def test_capture_link_follows_a_configuration_rename() -> None:
    walk = declare("walk.csv", configuration="nano v2")
    desired = desired_state(
        [walk], configurations=[DesiredConfiguration("nano v2", {"version": 3}, uuid=PINNED)]
    )
    live = mirror(desired, [walk])
    renamed = dataclasses.replace(live.configurations[0], name="nano")
    plan = plan_for(desired, dataclasses.replace(live, configurations=(renamed,)))
    assert only(plan).kind is Kind.CONFIGURATION


def test_capture_linked_to_a_deleted_configuration_is_relinked() -> None:
    walk = declare("walk.csv", configuration="nano")
    desired = desired_state(
        [walk],
        configurations=[DesiredConfiguration("nano", {"version": 3})],
        policy=Policy(prune=PruneScope.ALL),
    )
    live = mirror(desired, [walk])
    stray = live_config("stray", {"version": 3})
    live = dataclasses.replace(
        live,
        configurations=(*live.configurations, stray),
        captures=(dataclasses.replace(live.captures[0], configuration_uuid=stray.uuid),),
    )
    plan = plan_for(desired, live)
    assert [(c.kind, c.action) for c in plan.changes] == [
        (Kind.CAPTURE, Action.UPDATE),
        (Kind.CONFIGURATION, Action.DELETE),
    ]
    assert plan.changes[0].diffs == (FieldDiff("configuration", "stray", "nano"),)
