"""Apply order: phases, name order inside a phase, chained configuration renames."""

from __future__ import annotations

import random

import pytest

from capdecl.planner import order_changes, phase
from capdecl.planner.model import Action, Change, FieldDiff, Kind


def change(kind: Kind, action: Action, name: str, *diffs: FieldDiff) -> Change:
    before = None if action is Action.CREATE else {"name": name}
    after = None if action is Action.DELETE else {"name": name}
    return Change(kind=kind, action=action, name=name, before=before, after=after, diffs=diffs)


def rename(old: str, new: str) -> Change:
    return change(Kind.CONFIGURATION, Action.UPDATE, new, FieldDiff("name", old, new))


EXPECTED = [
    change(Kind.PROJECT, Action.UPDATE, "p"),
    change(Kind.METADATA, Action.CREATE, "A"),
    change(Kind.METADATA, Action.UPDATE, "B"),
    change(Kind.CONFIGURATION, Action.UPDATE, "cfg-b"),
    change(Kind.CONFIGURATION, Action.CREATE, "cfg-a"),
    change(Kind.CAPTURE, Action.REPLACE, "a.csv"),
    change(Kind.CAPTURE, Action.CREATE, "b.csv"),
    change(Kind.CAPTURE, Action.UPDATE, "a2.csv"),
    change(Kind.CAPTURE, Action.DELETE, "0.csv"),
    change(Kind.CONFIGURATION, Action.DELETE, "cfg-0"),
]


def test_changes_run_in_phase_order_then_name_order() -> None:
    shuffled = EXPECTED[:]
    random.Random(7).shuffle(shuffled)
    assert list(order_changes(shuffled)) == EXPECTED


def test_phases_are_monotonic_in_the_expected_order() -> None:
    assert [phase(c) for c in EXPECTED] == [0, 1, 1, 2, 3, 4, 4, 5, 6, 7]


def test_project_create_comes_first() -> None:
    create = change(Kind.PROJECT, Action.CREATE, "p")
    assert order_changes([*EXPECTED[1:], create])[0] is create


def test_changes_without_a_phase_are_refused() -> None:
    with pytest.raises(ValueError, match='no apply phase for delete project "p"'):
        phase(change(Kind.PROJECT, Action.DELETE, "p"))


def test_a_rename_that_frees_a_name_runs_before_the_one_taking_it() -> None:
    a_to_b, b_to_c, c_to_d = rename("A", "B"), rename("B", "C"), rename("C", "D")
    plain = change(Kind.CONFIGURATION, Action.UPDATE, "0-body-only")
    ordered = order_changes([a_to_b, plain, b_to_c, c_to_d])
    assert [c.name for c in ordered] == ["0-body-only", "D", "C", "B"]


def test_a_rename_cycle_still_yields_every_change_once() -> None:
    a_to_b, b_to_a = rename("A", "B"), rename("B", "A")
    ordered = order_changes([b_to_a, a_to_b])
    assert sorted(c.name for c in ordered) == ["A", "B"]
    assert len(ordered) == 2


def test_ties_break_on_uuid() -> None:
    first = Change(kind=Kind.CAPTURE, action=Action.DELETE, name="x", uuid="1", before={})
    second = Change(kind=Kind.CAPTURE, action=Action.DELETE, name="x", uuid="2", before={})
    assert order_changes([second, first]) == (first, second)


def test_empty_input_gives_an_empty_tuple() -> None:
    assert order_changes([]) == ()


def test_every_phase_has_a_display_name() -> None:
    from capdecl.planner.order import PHASE_NAMES

    assert len(PHASE_NAMES) == max(phase(c) for c in EXPECTED) + 1
