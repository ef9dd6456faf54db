"""The parts of the shared plan model the planner relies on."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any

import pytest

from capdecl.planner.model import Action, Change, Kind, plan_checksum


def test_action_symbols() -> None:
    assert [a.symbol for a in Action] == ["+", "~", "-/+", "-"]


def test_create_has_no_before_and_delete_no_after() -> None:
    with pytest.raises(ValueError, match="a CREATE has no before"):
        Change(kind=Kind.CAPTURE, action=Action.CREATE, name="x", before={}, after={})
    with pytest.raises(ValueError, match="a DELETE has no after"):
        Change(kind=Kind.CAPTURE, action=Action.DELETE, name="x", before={}, after={})


# The checksum and the plain copies are computed by fast paths; they must equal the
# one-shot definitions exactly (a saved plan's checksum is compared across versions).


def _one_shot(value: object) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    "body",
    [
        {"changes": [], "inputs": {"files": {}, "live": {}}, "project": "p"},
        {"files": {f"data/f{i:05d}.csv": "a" * 64 for i in range(20_001)}},  # big dict
        {"changes": [{"name": f"c{i}", "n": i, "é": None} for i in range(20_001)]},  # big list
        {"live": {i: "x" for i in range(20_001)}},  # big dict, non-string keys
        {"x": {1: "int key", 2: ("tuple", 2.5, True)}},  # small, non-string keys
    ],
    ids=["small", "big-dict", "big-list", "big-int-keys", "small-int-keys"],
)
def test_checksum_equals_the_one_shot_canonical_json(body: dict[Any, Any]) -> None:
    assert plan_checksum(body) == _one_shot(body)
    assert plan_checksum({**body, "checksum": "ignored"}) == _one_shot(body)


@pytest.mark.parametrize(
    "value",
    [
        {"b": [1, 2.5, None, True], "a": {"z": "é", "y": (1, "t")}},
        {"k": {1: "int keys become strings", 2: [3]}},
        {"nested": OrderedDict(b=1, a=2)},  # a dict subclass takes the round trip
        [[[[["deep"]]]]],
    ],
)
def test_plain_copies_equal_the_json_round_trip(value: Any) -> None:
    expected = json.loads(json.dumps(value, sort_keys=True))
    change = Change(kind=Kind.PROJECT, action=Action.UPDATE, name="p", after={"v": value})
    assert change.to_dict()["after"] == {"v": expected}
    assert json.dumps(change.to_dict()["after"]) == json.dumps({"v": expected})
