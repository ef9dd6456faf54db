"""Determinism (input order never matters) and PlanInputs version tokens."""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest

from capdecl.planner.model import Plan
from capdecl.state import (
    DesiredConfiguration,
    LiveState,
    MetadataField,
    Policy,
    PruneScope,
)
from tests.planner.builders import (
    Desired,
    declare,
    desired_state,
    live_field,
    mirror,
    plan_for,
    relationship,
    replace_capture,
    sensor_config,
    uid,
)

SUBJECT = MetadataField("Subject", values=("ann", "bob"))
GESTURE = MetadataField("Gesture")


def busy_world() -> tuple[Desired, LiveState]:
    """A project with a bit of everything to plan: creates, updates, replaces, renames,
    deletes, unverified captures and unmanaged objects."""
    old = [
        declare("keep.csv", metadata={"Subject": "ann", "Gesture": "wave"}, configuration="a"),
        declare("edit.csv", "sequence\n0\n", metadata={"Subject": "ann"}),
        declare("old-name.csv", "renamed\n"),
        declare("twin-1.csv", "twin\n"),
        declare("twin-2.csv", "twin\n"),
        declare("gone.csv"),
        declare("loose.csv"),
    ]
    configs = [DesiredConfiguration("a", sensor_config(16)), DesiredConfiguration("z", {})]
    live = mirror(desired_state(old, metadata=[SUBJECT, GESTURE], configurations=configs), old)
    live = dataclasses.replace(
        live,
        ledger={k: v for k, v in live.ledger.items() if k != live.captures[-1].uuid},
        metadata=(*live.metadata, live_field("Legacy", ["x"])),
    )
    new = [
        declare("keep.csv", metadata={"Subject": "bob", "Gesture": "idle"}, configuration="a"),
        declare("edit.csv", "sequence\n1\n", metadata={"Subject": "ann"}),
        declare("new-name.csv", "renamed\n"),
        declare("twin-a.csv", "twin\n"),
        declare("twin-b.csv", "twin\n"),
        declare("loose.csv"),
        declare("fresh.csv", configuration="b", sample_rate=10),
    ]
    desired = desired_state(
        new,
        metadata=[SUBJECT, GESTURE],
        configurations=[
            DesiredConfiguration("a", sensor_config(8, version=None)),
            DesiredConfiguration("b", {"version": 3}),
        ],
        policy=Policy(prune=PruneScope.CAPTURES),
    )
    return desired, live


def shuffled(desired: Desired, live: LiveState, seed: int) -> tuple[Desired, LiveState]:
    rng = random.Random(seed)

    def mix(items: tuple[Any, ...]) -> tuple[Any, ...]:
        out = list(items)
        rng.shuffle(out)
        return tuple(out)

    state = desired.state
    state = dataclasses.replace(
        state,
        metadata=mix(state.metadata),
        configurations=mix(state.configurations),
        captures=mix(state.captures),
    )
    live = dataclasses.replace(
        live,
        metadata=mix(live.metadata),
        configurations=mix(live.configurations),
        captures=mix(live.captures),
        relationships=mix(live.relationships),
        ledger=dict(mix(tuple(live.ledger.items()))),
    )
    digests = dict(mix(tuple(desired.digests.items())))
    return Desired(state=state, digests=digests), live


def test_busy_world_exercises_every_action() -> None:
    plan = plan_for(*busy_world())
    assert {k: v for k, v in plan.counts().items() if v} == {
        "create": 2,  # configuration b, capture fresh.csv
        "update": 6,  # Gesture, config a, keep.csv, new-name.csv, twin-a.csv, twin-b.csv
        "replace": 1,  # edit.csv
        "delete": 1,  # gone.csv
    }
    assert plan.unverified == ("loose.csv",)
    assert plan.unmanaged == {"configuration": 1, "metadata": 1}


def test_same_inputs_in_any_order_give_the_identical_plan_and_checksum() -> None:
    desired, live = busy_world()
    reference = plan_for(desired, live)
    body = reference.to_dict()
    for seed in range(5):
        other = plan_for(*shuffled(desired, live, seed))
        assert other == reference
        assert other.to_dict() == body
        assert other.to_dict()["checksum"] == body["checksum"]


@pytest.mark.parametrize("extra_uuid", ["00000000-extra", "ffffffff-extra"])
def test_two_values_for_one_name_resolve_by_relationship_order_in_any_order(
    extra_uuid: str,
) -> None:
    """A capture the server gives two Subject values: the one last in (capture, label,
    uuid) order is its value, however the relationships were listed."""
    desired, live = busy_world()
    keep = next(c for c in live.captures if c.name == "keep.csv")
    listed = next(
        r
        for r in live.relationships
        if r.capture == keep.uuid and r.label == uid("metadata:Subject")
    )
    extra = relationship(keep.uuid, "Subject", "bob")._replace(uuid=extra_uuid)
    live = dataclasses.replace(live, relationships=(*live.relationships, extra))
    winner = "bob" if extra.uuid > listed.uuid else "ann"
    reference = plan_for(desired, live)
    change = next(c for c in reference.changes if c.name == "keep.csv")
    assert change.before is not None
    assert change.before["metadata"]["Subject"] == winner
    for seed in range(5):
        assert plan_for(*shuffled(desired, live, seed)) == reference


def test_plan_is_immutable() -> None:
    plan = plan_for(*busy_world())
    assert isinstance(plan, Plan)
    assert isinstance(plan.changes, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.project = "other"  # type: ignore[misc]


def test_inputs_list_every_declared_file_and_every_live_object() -> None:
    desired, live = busy_world()
    inputs = plan_for(desired, live).inputs
    assert inputs.files == {
        c.rel_path: desired.digests[c.path].sha256 for c in desired.state.captures
    }
    expected_keys = {"project"}
    expected_keys |= {f"capture:{c.uuid}" for c in live.captures}
    expected_keys |= {f"configuration:{c.uuid}" for c in live.configurations}
    expected_keys |= {f"metadata:{m.uuid}" for m in live.metadata}
    assert set(inputs.live) == expected_keys


def token_after(edit: Any) -> tuple[str, str]:
    """(fingerprint before, after) an out-of-band edit of the live state."""
    desired, live = busy_world()
    before = plan_for(desired, live).inputs.live_fingerprint()
    return before, plan_for(desired, edit(live)).inputs.live_fingerprint()


def test_live_tokens_change_when_a_capture_changes() -> None:
    before, after = token_after(lambda live: replace_capture(live, "keep.csv", version=2))
    assert before != after


def test_live_tokens_change_when_a_configuration_changes() -> None:
    def edit(live: LiveState) -> LiveState:
        config = dataclasses.replace(live.configurations[0], last_modified="2026-02-02T00:00:00Z")
        return dataclasses.replace(live, configurations=(config, *live.configurations[1:]))

    before, after = token_after(edit)
    assert before != after


def test_configuration_without_last_modified_is_hashed() -> None:
    def strip(live: LiveState) -> LiveState:
        return dataclasses.replace(
            live,
            configurations=tuple(
                dataclasses.replace(c, last_modified=None) for c in live.configurations
            ),
        )

    desired, live = busy_world()
    first = plan_for(desired, strip(live)).inputs.live
    edited = strip(live)
    body = dataclasses.replace(edited.configurations[0], configuration={"version": 9})
    edited = dataclasses.replace(edited, configurations=(body, *edited.configurations[1:]))
    second = plan_for(desired, edited).inputs.live
    key = f"configuration:{body.uuid}"
    assert len(first[key]) == 16
    assert first[key] != second[key]


def test_live_tokens_change_when_metadata_values_change() -> None:
    def edit(live: LiveState) -> LiveState:
        field = live.metadata[0]
        more = dataclasses.replace(field, values={**field.values, "new": "nv"})
        return dataclasses.replace(live, metadata=(more, *live.metadata[1:]))

    before, after = token_after(edit)
    assert before != after


def test_live_tokens_change_when_project_settings_change() -> None:
    def edit(live: LiveState) -> LiveState:
        assert live.project is not None
        project = dataclasses.replace(live.project, settings={"a": 2})
        return dataclasses.replace(live, project=project)

    before, after = token_after(edit)
    assert before != after


def test_live_tokens_do_not_change_without_an_edit() -> None:
    before, after = token_after(lambda live: live)
    assert before == after
