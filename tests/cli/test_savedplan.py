"""Saved plans: round trip, refusal of non-plans, and the stale-plan explanation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from capdecl.errors import ConfigError, StalePlanError
from capdecl.planner.model import Action, Change, Kind, Plan, PlanInputs
from capdecl.savedplan import (
    explain_staleness,
    read_saved_plan,
    verify_fresh,
    write_saved_plan,
)
from capdecl.workflow import public_url


def _plan(files: dict[str, str], live: dict[str, str], names: tuple[str, ...]) -> Plan:
    changes = tuple(
        Change(kind=Kind.CAPTURE, action=Action.CREATE, name=n, after={"name": n}) for n in names
    )
    return Plan(project="p", changes=changes, inputs=PlanInputs(files=files, live=live))


def test_round_trip_keeps_plan_and_origin(tmp_path: Path) -> None:
    body = _plan({"a.csv": "1" * 64}, {"project": "x"}, ("a.csv",)).to_dict()
    path = tmp_path / "plan.json"
    write_saved_plan(path, Path("manifests"), "sandbox://sb", body)
    saved = read_saved_plan(path)
    assert (saved.directory, saved.server, saved.plan) == ("manifests", "sandbox://sb", body)
    assert saved.checksum == body["checksum"]


@pytest.mark.parametrize(
    "content", ["not json", json.dumps({"plan": {}}), json.dumps([1, 2])], ids=str
)
def test_refuses_files_that_are_not_saved_plans(tmp_path: Path, content: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match="plan"):
        read_saved_plan(path)


def test_fresh_plan_with_same_checksum_passes(tmp_path: Path) -> None:
    body = _plan({"a.csv": "1" * 64}, {"capture:u1": "3"}, ("a.csv",)).to_dict()
    path = tmp_path / "plan.json"
    write_saved_plan(path, Path("m"), "http://h/", body)
    verify_fresh(read_saved_plan(path), body, {})


def test_stale_plan_names_the_file_and_the_server_object_that_moved(tmp_path: Path) -> None:
    old = _plan({"a.csv": "1" * 64, "b.csv": "2" * 64}, {"capture:u1": "3"}, ("a.csv",))
    new = _plan({"a.csv": "9" * 64, "b.csv": "2" * 64}, {"capture:u1": "4"}, ("a.csv", "c"))
    path = tmp_path / "plan.json"
    write_saved_plan(path, Path("m"), "http://h/", old.to_dict())
    with pytest.raises(StalePlanError) as caught:
        verify_fresh(read_saved_plan(path), new.to_dict(), {"capture:u1": 'capture "x.csv"'})
    assert caught.value.details == (
        "file a.csv changed",
        'server object capture "x.csv" changed',
        'newly planned: create capture "c"',
    )


def test_explanation_reports_gone_and_new_inputs() -> None:
    old = _plan({"a.csv": "1"}, {"capture:u1": "1"}, ("a",)).to_dict()
    new = _plan({"b.csv": "1"}, {"capture:u2": "1"}, ()).to_dict()
    assert explain_staleness(old, new, {}) == [
        "file a.csv is gone",
        "file b.csv is new",
        "server object capture:u1 is gone",
        "server object capture:u2 is new",
        'no longer planned: create capture "a"',
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:secret@example.test/api/", "https://example.test/api/"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/"),
        ("sandbox://.capdecl/sb", "sandbox://.capdecl/sb"),
        ("no-scheme", "no-scheme"),
    ],
)
def test_public_url_drops_credentials(url: str, expected: str) -> None:
    assert public_url(url) == expected
