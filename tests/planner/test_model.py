"""The parts of the shared plan model the planner relies on."""

from __future__ import annotations

import pytest

from capdecl.planner.model import Action, Change, Kind


def test_action_symbols() -> None:
    assert [a.symbol for a in Action] == ["+", "~", "-/+", "-"]


def test_create_has_no_before_and_delete_no_after() -> None:
    with pytest.raises(ValueError, match="a CREATE has no before"):
        Change(kind=Kind.CAPTURE, action=Action.CREATE, name="x", before={}, after={})
    with pytest.raises(ValueError, match="a DELETE has no after"):
        Change(kind=Kind.CAPTURE, action=Action.DELETE, name="x", before={}, after={})
