"""Metadata names and values: create, add missing values, type, never delete."""

from __future__ import annotations

import dataclasses

from capdecl.planner.model import Action, FieldDiff, Kind
from capdecl.state import MetadataField
from tests.planner.builders import declare, desired_state, live_field, mirror, only, plan_for


def test_missing_name_is_created_with_its_declared_values() -> None:
    desired = desired_state(metadata=[MetadataField("Split", values=("train", "test"))])
    change = only(plan_for(desired, mirror(desired_state())))
    assert (change.kind, change.action, change.name) == (Kind.METADATA, Action.CREATE, "Split")
    assert change.after == {"name": "Split", "type": "string", "values": ["test", "train"]}


def test_without_declared_values_the_values_captures_use_are_needed() -> None:
    captures = [
        declare("a.csv", metadata={"Subject": "zoe"}),
        declare("b.csv", metadata={"Subject": "ann"}),
        declare("c.csv"),
    ]
    desired = desired_state(captures, metadata=[MetadataField("Subject", type="string")])
    plan = plan_for(desired, mirror(desired_state()))
    metadata = next(c for c in plan.changes if c.kind is Kind.METADATA)
    assert metadata.after == {"name": "Subject", "type": "string", "values": ["ann", "zoe"]}


def test_missing_values_are_added_and_existing_ones_kept() -> None:
    desired = desired_state(metadata=[MetadataField("Split", values=("train", "test"))])
    field = live_field("Split", ["train", "holdout"])
    change = only(plan_for(desired, mirror(desired_state(), metadata=(field,))))
    assert (change.action, change.uuid) == (Action.UPDATE, field.uuid)
    assert change.diffs == (
        FieldDiff("values", ["holdout", "train"], ["holdout", "test", "train"]),
    )
    assert change.notes == ("adds 1 value(s)",)


def test_extra_server_values_are_never_deleted() -> None:
    desired = desired_state(metadata=[MetadataField("Split", values=("train",))])
    live = mirror(desired_state(), metadata=(live_field("Split", ["train", "old"]),))
    assert plan_for(desired, live).is_empty


def test_type_difference_is_an_update_of_type() -> None:
    desired = desired_state(metadata=[MetadataField("Age", type="integer", values=("3",))])
    live = mirror(desired_state(), metadata=(live_field("Age", ["3"], "string"),))
    change = only(plan_for(desired, live))
    assert change.diffs == (FieldDiff("type", "string", "integer"),)
    assert change.before == {"name": "Age", "type": "string", "values": ["3"]}
    assert change.after == {"name": "Age", "type": "integer", "values": ["3"]}
    assert change.notes == ()


def test_undeclared_server_names_are_unmanaged() -> None:
    desired = desired_state(metadata=[MetadataField("Split", values=("train",))])
    live = mirror(desired)
    live = dataclasses.replace(live, metadata=(*live.metadata, live_field("Legacy", ["x"])))
    plan = plan_for(desired, live)
    assert plan.is_empty
    assert plan.unmanaged == {"metadata": 1}


def test_one_capture_value_change_is_one_change_with_one_diff() -> None:
    field = MetadataField("Subject", values=("ann", "bob"))
    before = declare("walk.csv", metadata={"Subject": "ann"})
    after = declare("walk.csv", metadata={"Subject": "bob"})
    live = mirror(desired_state([before], metadata=[field]), [before])
    change = only(plan_for(desired_state([after], metadata=[field]), live))
    assert (change.kind, change.action) == (Kind.CAPTURE, Action.UPDATE)
    assert change.diffs == (FieldDiff("metadata.Subject", "ann", "bob"),)
